"""Jobs of the generation service other than 3D pipelines: audio now, game content next.

A job runs on the pipeline's engine (the same durable ``cmd.generation.pipeline.run``
command, lease, journal and stage records), and is told by
``evt.generation.job.<id>.<event>`` events: created, stage_started, progress,
stage_completed, stage_failed, failed, cancelled, retried (each a :class:`JobEvent`),
and completed (a :class:`JobCompleted`, which the assets service turns into the asset
it made). Every event carries the job's whole status, so an SSE stream shows it without
asking again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from assetforge.common.contracts.audio import AudioKind
from assetforge.common.contracts.generation import GeneratedFile
from assetforge.common.contracts.pipelines import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PipelineState

JOB_GET = "generation.v1.job.get"
JOB_LIST = "generation.v1.job.list"
JOB_EVENTS_FILTER = "evt.generation.job.*.*"
JOB_COMPLETED_FILTER = "evt.generation.job.*.completed"
JOB_EVENTS = (
    "created",
    "stage_started",
    "progress",
    "stage_completed",
    "stage_failed",
    "completed",
    "failed",
    "cancelled",
    "retried",
)
TERMINAL_EVENTS = frozenset({"completed", "failed", "cancelled"})

_NO_NUL = r"^[^\u0000]*$"
Label = Annotated[str, msgspec.Meta(max_length=64, pattern=_NO_NUL)]


def job_event_subject(job_id: str, event: str) -> str:
    return f"evt.generation.job.{job_id}.{event}"


class JobAccepted(msgspec.Struct, frozen=True, rename="camel"):
    job_id: str
    kind: str
    status: PipelineState


class BatchAccepted(msgspec.Struct, frozen=True, rename="camel"):
    jobs: list[JobAccepted]


class JobStatus(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """``GET /api/generation/jobs/{id}``. ``results`` of an audio job: ``{assetId,
    fileUrl, durationSeconds, contentType}``."""

    id: str
    kind: str
    status: PipelineState
    progress: int
    created_at: datetime
    results: dict[str, Any] = msgspec.field(default_factory=dict)
    error: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None


class ReadJob(msgspec.Struct, frozen=True, rename="camel"):
    id: Annotated[str, msgspec.Meta(max_length=64)]


class ListJobs(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    status: PipelineState | None = None
    kind: Label | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE
    cursor: Annotated[str, msgspec.Meta(max_length=200)] | None = None


class JobPage(msgspec.Struct, frozen=True, rename="camel"):
    jobs: list[JobStatus]
    next_cursor: str | None


class JobEvent(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    job_id: str
    event: str
    at: datetime
    status: JobStatus
    progress: int | None = None
    error: str | None = None


class AudioMade(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """The audio asset a job made: the assets service creates it (type ``audio``)."""

    asset_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=_NO_NUL)]
    subtype: AudioKind
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=_NO_NUL)]
    prompt: Annotated[str, msgspec.Meta(max_length=10_000, pattern=_NO_NUL)]
    provider: Label
    model: Label
    file: GeneratedFile
    duration_seconds: float
    content_type: Label
    voice_id: Label | None = None
    npc_id: Annotated[str, msgspec.Meta(max_length=128, pattern=_NO_NUL)] | None = None


class JobCompleted(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """``evt.generation.job.<id>.completed``, applied by the assets service (consumer
    ``assets-job-completed``) idempotently: the asset's id is fixed by the event."""

    job_id: str
    owner_id: Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=_NO_NUL)]
    kind: Label
    completed_at: datetime
    status: JobStatus
    audio: AudioMade | None = None
