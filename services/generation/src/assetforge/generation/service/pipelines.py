"""Submitting, reading, listing, cancelling and retrying pipelines.

Who sees a pipeline: its owner and admins; anyone else gets the answer a missing one
gets (404), so ids cannot be probed. The legacy status stream is the one exception: its
reader holds the id, a random UUIDv4, and the status carries no owner details.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.bus.context import Principal
from assetforge.common.bus.outbox import add_event
from assetforge.common.contracts.generation import catalog_asset_id
from assetforge.common.contracts.pipelines import (
    RUN_PIPELINE,
    ListPipelines,
    PipelineAccepted,
    PipelinePage,
    PipelineState,
    PipelineStatus,
    ReadPipeline,
    RunPipeline,
    StageState,
    SubmitPipeline,
)
from assetforge.common.cursors import decode_cursor, encode_cursor
from assetforge.common.db.repository import Executor
from assetforge.common.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from assetforge.generation import repository as jobs
from assetforge.generation.jobs import PIPELINE, Job, TaskRecord, initial_stages
from assetforge.generation.models import outbox
from assetforge.generation.service import usage
from assetforge.generation.service.events import announce
from assetforge.generation.service.keys import earlier, request_digest
from assetforge.generation.service.pricing import pipeline_credits
from assetforge.generation.service.status import stage_status, status_of


def _caller(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthorized("sign in to run pipelines")
    return principal


def _parse_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound("no such pipeline") from None


def _accepted(job: Job) -> PipelineAccepted:
    return PipelineAccepted(
        pipeline_id=str(job.id),
        status=job.status,
        stages={name: stage_status(record) for name, record in job.stages.items()},
        asset_id=job.asset_id,
    )


def _check_reference(command: SubmitPipeline) -> None:
    image = command.config.reference_image
    if image is None or image.data_url is None:
        return
    try:
        base64.b64decode(image.data_url.partition(",")[2], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed.of("referenceImage.dataUrl", "is not valid base64") from None


async def submit(
    session: AsyncSession, command: SubmitPipeline, principal: Principal | None, budget: int | None = None
) -> PipelineAccepted:
    caller = _caller(principal)
    _check_reference(command)
    digest = request_digest(command.config)
    key = command.idempotency_key
    if key is not None:
        found = await earlier(session, caller.user_id, key, digest)
        if found is not None:
            return _accepted(found)
    job_id = uuid.uuid4()  # random: the legacy stream's id is its capability
    asset_id = str(catalog_asset_id(str(job_id), command.config.asset_id))
    stages = initial_stages(command.config, datetime.now(UTC))
    try:
        async with session.begin_nested():
            await usage.charge(session, caller.user_id, pipeline_credits(command.config), budget)
            job = await jobs.insert_job(
                session, job_id, caller.user_id, asset_id, jobs.config_values(command.config), stages, key, digest
            )
    except IntegrityError:
        # The same key, submitted at the same moment by another request: answer as it.
        found = await earlier(session, caller.user_id, key or "", digest)
        if found is None:
            raise
        return _accepted(found)
    await add_event(session, outbox, RUN_PIPELINE, RunPipeline(pipeline_id=str(job.id)))
    await announce(session, job, "created")
    return _accepted(job)


def _visible(job: Job | None, principal: Principal | None) -> Job:
    if job is None or job.kind != PIPELINE or not _may_see(job, principal):
        raise NotFound("no such pipeline")
    return job


def _may_see(job: Job, principal: Principal | None) -> bool:
    return principal is not None and (principal.is_admin or job.owner_id == principal.user_id)


async def read(db: Executor, query: ReadPipeline, principal: Principal | None) -> PipelineStatus:
    job = await jobs.get_job(db, _parse_id(query.id))
    if query.by_capability:
        if job is None or job.kind != PIPELINE:
            raise NotFound("no such pipeline")
        return status_of(job)
    return status_of(_visible(job, principal))


async def list_pipelines(db: Executor, query: ListPipelines, principal: Principal | None) -> PipelinePage:
    caller = _caller(principal)
    owner = query.owner_id if query.owner_id and caller.is_admin else caller.user_id
    after = jobs.Position(*decode_cursor(query.cursor)) if query.cursor else None
    found = await jobs.list_jobs(db, owner, query.status, query.limit + 1, after)
    page = found[: query.limit]
    more = len(found) > query.limit
    next_cursor = encode_cursor(page[-1].created_at, page[-1].id) if more else None
    return PipelinePage(pipelines=[status_of(job) for job in page], next_cursor=next_cursor)


async def cancel(session: AsyncSession, pipeline_id: str, principal: Principal | None) -> PipelineStatus:
    """A queued pipeline is cancelled at once; a running one when its runner reaches the
    next safe point (between polls, between stages), which also cancels the provider task."""
    job = _visible(await jobs.lock_job(session, _parse_id(pipeline_id)), principal)
    if job.status == PipelineState.CANCELLED:
        return status_of(job)
    if job.terminal:
        raise Conflict(f"the pipeline has already {job.status.value}")
    await jobs.set_cancel_requested(session, job.id, requested=True)
    if job.status == PipelineState.QUEUED:
        job.status = PipelineState.CANCELLED
        job.completed_at = datetime.now(UTC)
        await jobs.save_job(session, job)
        await announce(session, job, "cancelled")
    return status_of(job)


async def retry(session: AsyncSession, pipeline_id: str, principal: Principal | None) -> PipelineStatus:
    """Run a failed or cancelled pipeline again from the stage it stopped at; completed
    stages (and texture variants already made) are kept, not paid for again."""
    job = _visible(await jobs.lock_job(session, _parse_id(pipeline_id)), principal)
    if job.status not in {PipelineState.FAILED, PipelineState.CANCELLED}:
        raise Conflict("only a failed or cancelled pipeline can be retried")
    for record in job.stages.values():
        if record.status in {StageState.FAILED, StageState.PROCESSING}:
            record.status, record.error, record.progress = StageState.PENDING, None, 0
            if record.task is not None and record.task.status != "SUCCEEDED":
                record.task = TaskRecord()
            record.tasks = {p: t for p, t in record.tasks.items() if t.status == "SUCCEEDED"}
    job.status, job.error, job.error_stage, job.completed_at = PipelineState.QUEUED, None, None, None
    await jobs.set_cancel_requested(session, job.id, requested=False)
    await jobs.save_job(session, job)
    await add_event(session, outbox, RUN_PIPELINE, RunPipeline(pipeline_id=str(job.id)))
    await announce(session, job, "retried")
    return status_of(job)
