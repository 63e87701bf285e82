"""Durable consumers of other services' events that shape the catalog."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.assets.service import audio_assets, projections
from assetforge.common.bus.consumer import EventConsumer
from assetforge.common.bus.context import RequestContext
from assetforge.common.contracts.generation import PIPELINE_COMPLETED_FILTER, PipelineCompleted
from assetforge.common.contracts.jobs import JOB_COMPLETED_FILTER, JobCompleted
from assetforge.common.contracts.media import FILE_DELETED_FILTER, FILE_MIRRORED_FILTER, FileDeleted, FileMirrored


async def _pipeline_completed(event: PipelineCompleted, session: AsyncSession, _: RequestContext) -> None:
    await projections.apply_pipeline(session, event)


async def _job_completed(event: JobCompleted, session: AsyncSession, _: RequestContext) -> None:
    await audio_assets.apply_job(session, event)


async def _file_deleted(event: FileDeleted, session: AsyncSession, _: RequestContext) -> None:
    await projections.file_deleted(session, event)


async def _file_mirrored(event: FileMirrored, session: AsyncSession, _: RequestContext) -> None:
    await projections.file_mirrored(session, event)


CONSUMERS = [
    EventConsumer(
        durable="assets-pipeline-completed",
        subject_filter=PIPELINE_COMPLETED_FILTER,
        event_type=PipelineCompleted,
        effect=_pipeline_completed,
    ),
    EventConsumer(
        durable="assets-job-completed",
        subject_filter=JOB_COMPLETED_FILTER,
        event_type=JobCompleted,
        effect=_job_completed,
    ),
    EventConsumer(
        durable="assets-media-file-deleted",
        subject_filter=FILE_DELETED_FILTER,
        event_type=FileDeleted,
        effect=_file_deleted,
    ),
    EventConsumer(
        durable="assets-media-file-mirrored",
        subject_filter=FILE_MIRRORED_FILTER,
        event_type=FileMirrored,
        effect=_file_mirrored,
    ),
]
