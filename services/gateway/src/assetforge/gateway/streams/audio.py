"""How an audio request is answered: the job is queued by the generation service; unless
the caller asked ``Prefer: respond-async``, the gateway waits for the job's end (its
terminal event, read from JetStream; no polling) up to ``AUDIO_SYNC_WAIT_S`` and answers
what the original server answered: the audio bytes for a sound effect or a track, JSON
with the audio in base64 for a voice line. A job that takes longer answers 202 with its
id, whose progress streams from ``/api/generation/jobs/{id}/events``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import msgspec

from assetforge.common.blobs import GDD_ASSETS, BlobStore
from assetforge.common.contracts.jobs import JobAccepted, JobStatus
from assetforge.common.contracts.pipelines import PipelineState
from assetforge.common.errors import Conflict, ExternalServiceError
from assetforge.gateway.streams.hub import StreamHub
from assetforge.gateway.streams.pipelines import job_outcome

PREFER_ASYNC = "respond-async"
_PREFIX = "/gdd-assets/"


class _Ended(msgspec.Struct):
    status: JobStatus


_accepted = msgspec.json.Decoder(JobAccepted)
_ended = msgspec.json.Decoder(_Ended)


def wants_async(prefer: str | None) -> bool:
    """``Prefer: respond-async`` (RFC 7240), among other preferences or alone."""
    return prefer is not None and any(
        part.split("=", 1)[0].strip().lower() == PREFER_ASYNC for part in prefer.split(",")
    )


@dataclass(frozen=True, slots=True)
class Made:
    """A finished audio job's file."""

    data: bytes
    content_type: str
    asset_id: str
    file_url: str
    seconds: float


def accepted_job(reply: bytes) -> JobAccepted:
    return _accepted.decode(reply)


async def wait_for_audio(hub: StreamHub, store: BlobStore, job_id: str, wait_s: float) -> Made | None:
    """The job's audio once it has ended well; None if it is still running after
    ``wait_s``; an error naming what went wrong if it failed or was cancelled."""
    if wait_s <= 0:
        return None
    outcome = await job_outcome(hub, job_id, wait_s)
    if outcome is None:
        return None
    status = _ended.decode(outcome).status
    if status.status == PipelineState.FAILED:
        raise ExternalServiceError(status.error or "the audio could not be made")
    if status.status != PipelineState.COMPLETED:
        raise Conflict(f"the job was {status.status.value}")
    return await _read(store, status.results)


async def _read(store: BlobStore, results: dict[str, Any]) -> Made:
    url = str(results.get("fileUrl", ""))
    if not url.startswith(_PREFIX):
        raise ExternalServiceError("the job finished without a file")
    data = b"".join([chunk async for chunk in store.read(GDD_ASSETS, url.removeprefix(_PREFIX))])
    return Made(
        data=data,
        content_type=str(results.get("contentType", "audio/mpeg")),
        asset_id=str(results.get("assetId", "")),
        file_url=url,
        seconds=float(results.get("durationSeconds", 0.0)),
    )


class VoiceLine(msgspec.Struct, frozen=True, rename="camel"):
    """What the original server answered for a voice line."""

    success: bool
    audio_data: str
    asset_id: str
    file_url: str
    duration_seconds: float


def voice_reply(made: Made) -> VoiceLine:
    return VoiceLine(
        success=True,
        audio_data=base64.b64encode(made.data).decode(),
        asset_id=made.asset_id,
        file_url=made.file_url,
        duration_seconds=made.seconds,
    )
