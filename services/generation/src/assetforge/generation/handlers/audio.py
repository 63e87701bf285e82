"""Bus endpoints of audio jobs and of jobs in general: decode, one service call, encode."""

from __future__ import annotations

from assetforge.common.bus.context import RequestContext
from assetforge.common.bus.rpc import RpcRouter
from assetforge.common.contracts import audio as contract
from assetforge.common.contracts import jobs as job_contract
from assetforge.common.contracts.usage import USAGE_GET, ReadUsage, Usage
from assetforge.common.db import Database
from assetforge.common.errors import Unauthorized
from assetforge.generation.providers.audio import AudioProvider
from assetforge.generation.service import audio as service
from assetforge.generation.service import job_reads, usage


def _signed_in(context: RequestContext) -> None:
    if context.principal is None:
        raise Unauthorized("sign in to design voices")


def register(router: RpcRouter, database: Database, provider: AudioProvider, budget: int | None = None) -> None:
    """``budget``: GENERATION_DAILY_CREDITS (None: none)."""
    catalogue = service.Catalogue(provider)

    async def submit(command: contract.SubmitAudio, context: RequestContext) -> job_contract.JobAccepted:
        async with database.unit_of_work() as session:
            return await service.submit(session, command, context.principal, budget)

    async def batch(command: contract.SubmitAudioBatch, context: RequestContext) -> job_contract.BatchAccepted:
        async with database.unit_of_work() as session:
            return await service.submit_batch(session, command, context.principal, budget)

    async def estimate(query: contract.EstimateAudio, _context: RequestContext) -> contract.AudioEstimate:
        return service.estimate_of(query.request)

    async def voices(_query: contract.ListVoices, _context: RequestContext) -> contract.VoiceLibrary:
        return contract.VoiceLibrary(voices=await catalogue.voices())

    async def models(_query: contract.ListVoices, _context: RequestContext) -> contract.VoiceModels:
        return contract.VoiceModels(models=await catalogue.models())

    async def plan(query: contract.PlanMusic, _context: RequestContext) -> contract.CompositionPlan:
        return await provider.plan_music(query.prompt, query.music_length_ms)

    async def design(command: contract.DesignVoice, context: RequestContext) -> contract.VoicePreviews:
        _signed_in(context)
        return await provider.design_voice(command)

    async def create(command: contract.CreateVoice, context: RequestContext) -> contract.VoiceCreated:
        _signed_in(context)
        return contract.VoiceCreated(voice=await provider.create_voice(command))

    async def spent(_query: ReadUsage, context: RequestContext) -> Usage:
        async with database.read_only() as connection:
            return await usage.usage_of(connection, context.principal, budget)

    async def get(query: job_contract.ReadJob, context: RequestContext) -> job_contract.JobStatus:
        async with database.read_only() as connection:
            return await job_reads.read(connection, query, context.principal)

    async def list_jobs(query: job_contract.ListJobs, context: RequestContext) -> job_contract.JobPage:
        async with database.read_only() as connection:
            return await job_reads.list_jobs(connection, query, context.principal)

    router.add(
        contract.AUDIO_SUBMIT,
        contract.SubmitAudio,
        job_contract.JobAccepted,
        submit,
        "Queue a voice line, sound effect or track (Idempotency-Key aware); emits evt.generation.job.<id>.created",
    )
    router.add(contract.AUDIO_BATCH, contract.SubmitAudioBatch, job_contract.BatchAccepted, batch, "Queue up to 20")
    router.add(contract.AUDIO_ESTIMATE, contract.EstimateAudio, contract.AudioEstimate, estimate, "Expected credits")
    router.add(contract.VOICE_LIBRARY, contract.ListVoices, contract.VoiceLibrary, voices, "The provider's voices")
    router.add(contract.VOICE_MODELS, contract.ListVoices, contract.VoiceModels, models, "Text-to-speech models")
    router.add(contract.MUSIC_PLAN, contract.PlanMusic, contract.CompositionPlan, plan, "A composition plan")
    router.add(contract.VOICE_DESIGN, contract.DesignVoice, contract.VoicePreviews, design, "Previews of a new voice")
    router.add(contract.VOICE_CREATE, contract.CreateVoice, contract.VoiceCreated, create, "Keep a designed voice")
    router.add(USAGE_GET, ReadUsage, Usage, spent, "The principal's expected provider credits today")
    router.add(job_contract.JOB_GET, job_contract.ReadJob, job_contract.JobStatus, get, "A job's status")
    router.add(job_contract.JOB_LIST, job_contract.ListJobs, job_contract.JobPage, list_jobs, "The principal's jobs")
