"""An audio job's one stage: ask the provider for the clip, check that it plays, store it
in the media service, and end with the event from which the assets service makes the
``audio`` asset.

Never paid twice: the intent is committed before the call, and the file and its record
right after the answer. A stage resumed with an intent but no file died while its call
was in flight (or just after), and the provider may have made the clip:

- a voice line is looked for in the provider's history (``find_speech``) and adopted if
  found; if none was made, the line is asked for again;
- a sound effect or a track has no such record, so the stage fails saying why, instead
  of paying a second time; retrying the job asks again.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import mutagen.mp3
import mutagen.wave

from assetforge.common.bus.outbox import add_event
from assetforge.common.contracts.audio import AudioRequest, MusicRequest, SpeechRequest, describe, kind_of
from assetforge.common.contracts.generation import GeneratedFile
from assetforge.common.contracts.jobs import AudioMade, JobCompleted, job_event_subject
from assetforge.common.contracts.media import Kind
from assetforge.common.contracts.pipelines import PipelineState
from assetforge.generation import repository as jobs
from assetforge.generation.jobs import AUDIO, Job, StageRecord, StoredFile, TaskRecord
from assetforge.generation.models import outbox
from assetforge.generation.providers.audio import WAV, AudioClip, AudioProvider
from assetforge.generation.providers.base import ProviderError, TaskStatus
from assetforge.generation.runner.context import StageContext, StageFailed
from assetforge.generation.runner.journal import LeaseLost
from assetforge.generation.runner.tasks import claimed_tasks
from assetforge.generation.service.status import job_status

AUDIO_FILE = "audio"
OFFLINE = "offline"
_SLUG = re.compile(r"[^a-z0-9]+")
_UNKNOWN_OUTCOME = (
    "the provider may have made this before the service stopped, and keeps no record to find it by, "
    "so it was not asked again (that could pay twice); retry the job to ask again"
)


def model_of(provider: AudioProvider, request: AudioRequest) -> str:
    if isinstance(request, SpeechRequest) and provider.provider != OFFLINE:
        return request.model_id
    return provider.model


def file_name(request: AudioRequest, content_type: str) -> str:
    words = _SLUG.sub("-", (request.name or describe(request)).lower()).strip("-")[:48].strip("-")
    return f"{kind_of(request).value}-{words or 'audio'}.{'wav' if content_type == WAV else 'mp3'}"


def audio_seconds(clip: AudioClip, provider: str) -> float:
    """The clip's length, read by a real decoder; a clip that does not decode fails."""
    # mutagen's own types say nothing useful about ``info``.
    reader: Any = mutagen.wave.WAVE if clip.content_type == WAV else mutagen.mp3.MP3
    try:
        seconds = float(reader(io.BytesIO(clip.data)).info.length)
    except Exception as error:
        raise StageFailed(f"{provider} returned audio that does not play: {error}") from error
    if seconds <= 0:
        raise StageFailed(f"{provider} returned empty audio")
    return seconds


async def _ask(provider: AudioProvider, request: AudioRequest) -> AudioClip:
    if isinstance(request, SpeechRequest):
        return await provider.speech(request)
    if isinstance(request, MusicRequest):
        return await provider.music(request)
    return await provider.sound_effect(request)


async def _recover(
    ctx: StageContext, record: StageRecord, task: TaskRecord, provider: AudioProvider
) -> AudioClip | None:
    """After a crash mid-call: the clip the provider made, if it can be found; None when
    the call may simply be made again."""
    request = ctx.job.audio
    if not isinstance(request, SpeechRequest):
        raise StageFailed(_UNKNOWN_OUTCOME)
    since = task.intent_at or datetime.now(UTC)
    claimed = await claimed_tasks(ctx, provider.provider, since)
    return await ctx.call(record, provider, provider.find_speech(request, since - timedelta(seconds=2), claimed))


async def make_audio(ctx: StageContext, record: StageRecord) -> None:
    job = ctx.job
    request = job.audio
    provider = ctx.providers.audio
    record.provider, record.model = provider.provider, model_of(provider, request)
    record.prompt = describe(request)[:10_000]
    task = record.task = record.task or TaskRecord()
    clip = await _recover(ctx, record, task, provider) if task.intent_at is not None else None
    if clip is None:
        ctx.lease.check()
        task.intent_at = datetime.now(UTC)
        await ctx.journal.record()
        try:
            clip = await ctx.call(record, provider, _ask(provider, request))
        except ProviderError as error:
            if error.status is not None:
                # The provider answered, refusing or failing: nothing was made.
                task.intent_at = None
                await ctx.journal.record()
            raise
    seconds = audio_seconds(clip, provider.provider)
    stored = await ctx.outputs.store(
        job.asset_id, file_name(request, clip.content_type), clip.data, Kind.AUDIO, job.owner_id, clip.content_type
    )
    task.task_id, task.status, task.progress = clip.provider_ref, TaskStatus.SUCCEEDED.value, 100
    task.files[AUDIO_FILE] = record.files[AUDIO_FILE] = stored
    job.results = {
        "assetId": job.asset_id,
        "fileUrl": stored.url,
        "durationSeconds": round(seconds, 3),
        "contentType": clip.content_type,
    }
    if isinstance(request, SpeechRequest):
        # What GET /api/voice/saved lists of a line.
        job.results |= {"text": request.text[:500], "voiceId": request.voice_id}
    if clip.provider_ref:
        await ctx.journal.record(task=(provider.provider, clip.provider_ref))


def _made(job: Job, record: StageRecord, file: StoredFile) -> AudioMade:
    request = job.audio
    name = request.name or describe(request)[:80] or kind_of(request).value
    return AudioMade(
        asset_id=job.asset_id,
        subtype=kind_of(request),
        name=name,
        prompt=record.prompt or "",
        provider=record.provider or "",
        model=record.model or "",
        file=GeneratedFile(url=file.url, file_id=file.file_id, cdn_url=file.cdn_url, file_name=file.path),
        duration_seconds=float(job.results.get("durationSeconds", 0.0)),
        content_type=str(job.results.get("contentType", "audio/mpeg")),
        voice_id=request.voice_id if isinstance(request, SpeechRequest) else None,
        npc_id=request.npc_id if isinstance(request, SpeechRequest) else None,
    )


async def finish_audio(ctx: StageContext) -> None:
    job = ctx.job
    record = job.stage(AUDIO)
    made = _made(job, record, record.files[AUDIO_FILE])
    job.status, job.current_stage = PipelineState.COMPLETED, None
    job.completed_at, job.progress = datetime.now(UTC), 100
    async with ctx.journal.database.unit_of_work() as session:
        if not await jobs.save_job(session, job, lease_owner=ctx.journal.runner):
            raise LeaseLost(str(job.id))
        event = JobCompleted(
            job_id=str(job.id),
            owner_id=job.owner_id,
            kind=job.kind,
            completed_at=job.completed_at,
            status=job_status(job),
            audio=made,
        )
        await add_event(session, outbox, job_event_subject(str(job.id), "completed"), event)
