"""Every change of a pipeline is told by an event through the outbox, carrying the whole
status as it stood (see contracts.pipelines.PipelineEvent)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.bus.outbox import add_event
from assetforge.common.contracts.generation import pipeline_event_subject
from assetforge.common.contracts.pipelines import PipelineEvent
from assetforge.generation.jobs import Job
from assetforge.generation.models import outbox
from assetforge.generation.service.status import status_of


async def announce(
    session: AsyncSession,
    job: Job,
    event: str,
    *,
    stage: str | None = None,
    progress: int | None = None,
    error: str | None = None,
) -> None:
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
