"""Every change of a job is told by an event through the outbox, carrying the whole
status as it stood: a pipeline's on ``evt.generation.pipeline.<id>.*``
(contracts.pipelines.PipelineEvent), any other job's on ``evt.generation.job.<id>.*``
(contracts.jobs.JobEvent)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.bus.outbox import add_event
from assetforge.common.contracts.generation import pipeline_event_subject
from assetforge.common.contracts.jobs import JobEvent, job_event_subject
from assetforge.common.contracts.pipelines import PipelineEvent
from assetforge.generation.jobs import PIPELINE, Job
from assetforge.generation.models import outbox
from assetforge.generation.service.status import job_status, status_of


async def announce(
    session: AsyncSession,
    job: Job,
    event: str,
    *,
    stage: str | None = None,
    progress: int | None = None,
    error: str | None = None,
) -> None:
    if job.kind != PIPELINE:
        told = JobEvent(
            job_id=str(job.id),
            event=event,
            at=datetime.now(UTC),
            status=job_status(job),
            progress=progress,
            error=error,
        )
        await add_event(session, outbox, job_event_subject(str(job.id), event), told)
        return
    message = PipelineEvent(
        pipeline_id=str(job.id),
        event=event,
        at=datetime.now(UTC),
        status=status_of(job),
        stage=stage,
        progress=progress,
        error=error,
    )
    await add_event(session, outbox, pipeline_event_subject(str(job.id), event), message)
