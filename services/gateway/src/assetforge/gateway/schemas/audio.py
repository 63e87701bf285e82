"""Request bodies of the audio routes where the original frontend's shape differs from
the generation service's: a voice line's settings may come as ``settings``, and batches
are wrapped by kind (``items``, ``effects``, ``tracks``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from assetforge.common.contracts.audio import (
    DEFAULT_VOICE_MODEL,
    MAX_BATCH,
    MAX_MUSIC_BATCH,
    MusicFields,
    SoundEffectFields,
    SpeechRequest,
    VoiceSettings,
)
from assetforge.common.contracts.jobs import JobPage
from assetforge.gateway.schemas import NO_NUL

Id = Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=NO_NUL)]


class VoiceBody(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=5000, pattern=NO_NUL)]
    voice_id: Id
    model_id: Id = DEFAULT_VOICE_MODEL
    voice_settings: VoiceSettings | None = None
    # The original frontend's name for ``voiceSettings``.
    settings: VoiceSettings | None = None
    npc_id: Id | None = None
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=NO_NUL)] | None = None

    def request(self) -> SpeechRequest:
        return SpeechRequest(
            text=self.text,
            voice_id=self.voice_id,
            model_id=self.model_id,
            voice_settings=self.voice_settings or self.settings,
            npc_id=self.npc_id,
            name=self.name,
        )


class VoiceBatch(msgspec.Struct, frozen=True):
    items: Annotated[list[VoiceBody], msgspec.Meta(min_length=1, max_length=MAX_BATCH)]


class EffectsBatch(msgspec.Struct, frozen=True):
    effects: Annotated[list[SoundEffectFields], msgspec.Meta(min_length=1, max_length=MAX_BATCH)]


class TracksBatch(msgspec.Struct, frozen=True):
    tracks: Annotated[list[MusicFields], msgspec.Meta(min_length=1, max_length=MAX_MUSIC_BATCH)]


class VoiceEstimateBody(msgspec.Struct, frozen=True, rename="camel"):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=5000, pattern=NO_NUL)]
    model_id: Id = DEFAULT_VOICE_MODEL


class MusicPlanBody(msgspec.Struct, frozen=True, rename="camel"):
    prompt: Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=NO_NUL)]
    music_length_ms: Annotated[int, msgspec.Meta(ge=10_000, le=300_000)] = 30_000


class SavedLine(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    file_url: str
    text: str
    voice_id: str
    created_at: datetime


class SavedLines(msgspec.Struct, frozen=True):
    """``GET /api/voice/saved``: the caller's voice lines, newest first (the original's shape)."""

    audio: list[SavedLine]


def saved_lines(page: JobPage) -> SavedLines:
    return SavedLines(
        audio=[
            SavedLine(
                id=str(job.results.get("assetId", job.id)),
                file_url=str(job.results.get("fileUrl", "")),
                text=str(job.results.get("text", "")),
                voice_id=str(job.results.get("voiceId", "")),
                created_at=job.created_at,
            )
            for job in page.jobs
            if job.results.get("fileUrl")
        ]
    )
