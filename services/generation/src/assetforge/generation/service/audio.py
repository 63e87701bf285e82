"""Submitting audio jobs, one or a batch, and what is known before any is made: the
voices and models on offer, a music plan, and what a request would cost.

A job is queued like a pipeline: its row, the run command and the created event commit
together. Each item of a batch is a job of its own, so one failing item fails alone.
"""

from __future__ import annotations

import time
import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.bus.context import Principal
from assetforge.common.bus.outbox import add_event
from assetforge.common.contracts.audio import (
    MAX_MUSIC_BATCH,
    AudioEstimate,
    AudioRequest,
    MusicRequest,
    SubmitAudio,
    SubmitAudioBatch,
    Voice,
    VoiceModel,
    kind_of,
)
from assetforge.common.contracts.generation import catalog_asset_id
from assetforge.common.contracts.jobs import BatchAccepted, JobAccepted
from assetforge.common.contracts.pipelines import RUN_PIPELINE, RunPipeline
from assetforge.common.errors import Unauthorized, ValidationFailed
from assetforge.generation import repository as jobs
from assetforge.generation.jobs import AUDIO, Job, StageRecord
from assetforge.generation.models import outbox
from assetforge.generation.providers.audio import AudioProvider
from assetforge.generation.service import usage
from assetforge.generation.service.events import announce
from assetforge.generation.service.keys import earlier, request_digest
from assetforge.generation.service.pricing import estimate

# Voices and models change rarely; the provider is asked at most this often.
CATALOGUE_TTL_S = 600.0


def _caller(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthorized("sign in to make audio")
    return principal


def accepted(job: Job) -> JobAccepted:
    return JobAccepted(job_id=str(job.id), kind=job.kind, status=job.status)


def check(request: AudioRequest, where: str = "") -> None:
    """What the request's types cannot say: a track needs a prompt or a plan whose
    sections last 10 s to 5 min."""
    if not isinstance(request, MusicRequest):
        return
    plan = request.composition_plan
    if plan is None and request.prompt is None:
        raise ValidationFailed.of(f"{where}prompt", "is required unless a compositionPlan is given")
    if plan is not None and not 10_000 <= plan.length_ms <= 300_000:
        raise ValidationFailed.of(f"{where}compositionPlan.sections", "must last from 10,000 to 300,000 ms in all")


async def _queue(
    session: AsyncSession, owner_id: str, request: AudioRequest, key: str | None = None, digest: str | None = None
) -> Job:
    job_id = uuid.uuid4()
    asset_id = str(catalog_asset_id(str(job_id)))
    values = jobs.config_values(request)
    kind = kind_of(request).value
    job = await jobs.insert_job(session, job_id, owner_id, asset_id, values, {AUDIO: StageRecord()}, key, digest, kind)
    await add_event(session, outbox, RUN_PIPELINE, RunPipeline(pipeline_id=str(job.id)))
    await announce(session, job, "created")
    return job


async def submit(
    session: AsyncSession, command: SubmitAudio, principal: Principal | None, budget: int | None = None
) -> JobAccepted:
    caller = _caller(principal)
    check(command.request)
    digest = request_digest(command.request)
    key = command.idempotency_key
    if key is not None:
        found = await earlier(session, caller.user_id, key, digest)
        if found is not None:
            return accepted(found)
    try:
        async with session.begin_nested():
            await usage.charge(session, caller.user_id, estimate(command.request).estimated_credits, budget)
            job = await _queue(session, caller.user_id, command.request, key, digest)
    except IntegrityError:
        # The same key at the same moment from another request: answer as it did.
        found = await earlier(session, caller.user_id, key or "", digest)
        if found is None:
            raise
        return accepted(found)
    return accepted(job)


async def submit_batch(
    session: AsyncSession, command: SubmitAudioBatch, principal: Principal | None, budget: int | None = None
) -> BatchAccepted:
    caller = _caller(principal)
    if sum(isinstance(item, MusicRequest) for item in command.items) > MAX_MUSIC_BATCH:
        raise ValidationFailed.of("items", f"may hold at most {MAX_MUSIC_BATCH} tracks")
    for index, item in enumerate(command.items):
        check(item, f"items[{index}].")
    await usage.charge(session, caller.user_id, sum(estimate(item).estimated_credits for item in command.items), budget)
    queued = [await _queue(session, caller.user_id, item) for item in command.items]
    return BatchAccepted(jobs=[accepted(job) for job in queued])


def estimate_of(request: AudioRequest) -> AudioEstimate:
    check(request)
    return estimate(request)


class Catalogue:
    """The provider's voices and models, kept for ``CATALOGUE_TTL_S``."""

    def __init__(self, provider: AudioProvider) -> None:
        self._provider = provider
        self._voices: tuple[float, list[Voice]] | None = None
        self._models: tuple[float, list[VoiceModel]] | None = None

    async def voices(self) -> list[Voice]:
        if self._voices is None or time.monotonic() - self._voices[0] > CATALOGUE_TTL_S:
            self._voices = (time.monotonic(), await self._provider.voices())
        return self._voices[1]

    async def models(self) -> list[VoiceModel]:
        if self._models is None or time.monotonic() - self._models[0] > CATALOGUE_TTL_S:
            self._models = (time.monotonic(), await self._provider.models())
        return self._models[1]
