"""Runs one job (a pipeline, or an audio job's one stage), or resumes it, stage by stage
under a lease.

A stage already completed (or skipped) is never redone; the stage a crash interrupted is
picked up where its record says it stood (see tasks.py). What happens on each kind of
failure:

- the provider refused or failed the work, or made a bad file (:class:`StageFailed`):
  the stage fails; the pipeline fails with it, unless the stage is optional (prompt
  optimization, rigging), which is written down and passed over;
- anything that may pass (a 429, a timeout, the media service away, a bug):
  :class:`Retry`, so the delivery is NAKed with a delay and the stage resumed from its
  record; after ``max_deliver`` deliveries the consumer gives up (:meth:`give_up`);
- a cancel: the provider's task is cancelled and the pipeline ends ``cancelled``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from enum import Enum

from assetforge.common.bus.outbox import add_event
from assetforge.common.contracts.generation import DeadLettered, dead_letter_subject
from assetforge.common.contracts.pipelines import (
    IMAGE_3D,
    IMAGE_GENERATION,
    PROMPT_OPTIMIZATION,
    RIGGING,
    STAGES,
    TEXTURE_GENERATION,
    PipelineState,
    StageState,
)
from assetforge.common.db import Database
from assetforge.common.errors import AppError
from assetforge.generation import repository as jobs
from assetforge.generation.jobs import AUDIO, OPTIONAL_STAGES, PIPELINE, Job, StageRecord
from assetforge.generation.metrics import GenerationMetrics
from assetforge.generation.models import outbox
from assetforge.generation.outputs import FileOutputs
from assetforge.generation.providers.base import ProviderError
from assetforge.generation.providers.owners import OwnerProviders
from assetforge.generation.runner.audio import finish_audio, make_audio
from assetforge.generation.runner.context import ProviderLimits, StageContext, StageFailed
from assetforge.generation.runner.finish import finish
from assetforge.generation.runner.journal import CancelRequested, Journal, Lease, LeaseLost
from assetforge.generation.runner.stages import generate_concept_art, make_model, optimize_prompt
from assetforge.generation.runner.variants import make_variants, rig_model
from assetforge.generation.settings import RunnerSettings

log = logging.getLogger(__name__)

Stage = Callable[[StageContext, StageRecord], Awaitable[None]]
RUN: dict[str, Stage] = {
    PROMPT_OPTIMIZATION: optimize_prompt,
    IMAGE_GENERATION: generate_concept_art,
    IMAGE_3D: make_model,
    TEXTURE_GENERATION: make_variants,
    RIGGING: rig_model,
    AUDIO: make_audio,
}


class Outcome(Enum):
    DONE = "done"  # finished, failed or cancelled: acknowledge
    BUSY = "busy"  # another runner holds the job: try later
    LOST = "lost"  # this runner lost the job to another: leave the delivery alone


class Retry(Exception):
    def __init__(self, reason: str, delay_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delay_s = delay_s


class _Fatal(Exception):
    def __init__(self, stage: str, message: str) -> None:
        super().__init__(message)
        self.stage = stage
        self.message = message


def _now() -> datetime:
    return datetime.now(UTC)


class PipelineRunner:
    def __init__(  # noqa: PLR0917 - the composition root hands over each part
        self,
        database: Database,
        providers: OwnerProviders,
        outputs: FileOutputs,
        settings: RunnerSettings,
        metrics: GenerationMetrics,
        runner_id: str,
    ) -> None:
        self._database = database
        self._providers = providers
        self._outputs = outputs
        self._settings = settings
        self._metrics = metrics
        self._runner = runner_id
        self._limits = ProviderLimits(settings.max_provider_calls)

    async def run(self, job_id: uuid.UUID, in_progress: Callable[[], Awaitable[None]]) -> Outcome:
        settings = self._settings
        async with self._database.unit_of_work() as session:
            job = await jobs.claim_lease(session, job_id, self._runner, settings.ack_wait_s)
            if job is None:
                return Outcome.BUSY if await jobs.get_job(session, job_id) is not None else Outcome.DONE
        if job.terminal:
            await self._release(job_id)
            return Outcome.DONE
        lease = Lease(self._database, job, self._runner, settings.ack_wait_s, settings.heartbeat_s, in_progress)
        journal = Journal(self._database, job, self._runner)
        lease.start()
        try:
            # The owner's own keys where they stored some, the deployment's elsewhere.
            async with self._providers.lease(job.owner_id) as providers:
                ctx = StageContext(journal, lease, providers, self._outputs, settings, self._limits, self._metrics)
                return await self._run(ctx)
        finally:
            await lease.stop()
            if not lease.lost:
                await self._release(job_id)

    async def _run(self, ctx: StageContext) -> Outcome:
        job = ctx.job
        try:
            if job.status == PipelineState.QUEUED:
                # Written with the first stage's start, one commit later.
                job.status, job.started_at = PipelineState.PROCESSING, job.started_at or _now()
            pipeline = job.kind == PIPELINE
            for name in STAGES if pipeline else (AUDIO,):
                await self._stage(ctx, name)
            await (finish(ctx) if pipeline else finish_audio(ctx))
            self._ended(job, "completed")
        except _Fatal as failure:
            await self._fail(ctx.journal, failure.stage, failure.message)
        except CancelRequested:
            if ctx.lease.lost:
                return Outcome.LOST
            await self._cancelled(ctx)
        except LeaseLost:
            log.warning("pipeline %s was taken over by another runner", job.id)
            return Outcome.LOST
        except ProviderError as error:
            raise Retry(str(error), error.retry_after_s) from error
        except AppError as error:
            raise Retry(f"{error.code.value}: {error.message}") from error
        return Outcome.DONE

    async def _stage(self, ctx: StageContext, name: str) -> None:
        job, journal = ctx.job, ctx.journal
        record = job.stage(name)
        if record.status in {StageState.COMPLETED, StageState.SKIPPED}:
            return
        if record.status == StageState.FAILED:
            if name in OPTIONAL_STAGES:
                return
            raise _Fatal(name, record.error or "the stage failed")
        ctx.lease.check()
        job.current_stage = name
        if record.status == StageState.PENDING:
            record.status, record.started_at, record.progress = StageState.PROCESSING, _now(), 0
            await journal.record("stage_started", stage=name)
        try:
            await _refused_as_failed(RUN[name](ctx, record))
        except StageFailed as failure:
            record.status, record.error, record.completed_at = StageState.FAILED, failure.message, _now()
            await journal.record("stage_failed", stage=name, error=failure.message)
            if name in OPTIONAL_STAGES:
                return
            raise _Fatal(name, failure.message) from failure
        record.status, record.progress, record.completed_at = StageState.COMPLETED, 100, _now()
        if record.started_at is not None:
            seconds = (record.completed_at - record.started_at).total_seconds()
            self._metrics.stage_duration.labels(name).observe(seconds)
        await journal.record("stage_completed", stage=name)

    async def _fail(self, journal: Journal, stage: str | None, message: str) -> None:
        job = journal.job
        job.status, job.error, job.error_stage, job.completed_at = PipelineState.FAILED, message, stage, _now()
        await journal.record("failed", stage=stage, error=message)
        self._ended(job, "failed")

    async def _cancelled(self, ctx: StageContext) -> None:
        job = ctx.job
        if job.current_stage:
            record = job.stage(job.current_stage)
            if record.status == StageState.PROCESSING:
                record.status, record.error, record.completed_at = StageState.FAILED, "cancelled", _now()
        job.status, job.completed_at = PipelineState.CANCELLED, _now()
        await ctx.journal.record("cancelled")
        self._ended(job, "cancelled")

    def _ended(self, job: Job, how: str) -> None:
        kind = job.config.type if job.kind == PIPELINE else job.kind
        self._metrics.generations.labels(kind, how).inc()
        seconds = ((job.completed_at or _now()) - job.created_at).total_seconds()
        self._metrics.generation_duration.labels(kind).observe(seconds)

    async def give_up(self, job_id: uuid.UUID, reason: str, deliveries: int) -> None:
        """The last delivery failed too: the pipeline fails with the reason."""
        async with self._database.unit_of_work() as session:
            job = await jobs.claim_lease(session, job_id, self._runner, self._settings.ack_wait_s)
        if job is None or job.terminal:
            return
        journal = Journal(self._database, job, self._runner)
        await self._fail(journal, job.current_stage, f"gave up after {deliveries} attempts: {reason}")
        await self._release(job_id)

    async def record_dead_letter(self, record: DeadLettered) -> None:
        async with self._database.unit_of_work() as session:
            await add_event(session, outbox, dead_letter_subject(record.pipeline_id or "unknown"), record)

    async def _release(self, job_id: uuid.UUID) -> None:
        try:
            async with self._database.unit_of_work() as session:
                await jobs.release_lease(session, job_id, self._runner)
        except Exception as exc:  # noqa: BLE001 - the lease runs out by itself
            log.warning("could not release the lease of %s: %s", job_id, exc)


async def _refused_as_failed(work: Awaitable[None]) -> None:
    """A provider's refusal that no retry can change fails the stage."""
    try:
        await work
    except ProviderError as error:
        if error.retryable:
            raise
        raise StageFailed(str(error)) from error
