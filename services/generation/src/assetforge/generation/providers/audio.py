"""What an audio job asks of its provider: one interface, as ElevenLabs serves it.

Unlike Meshy's tasks, every call answers the finished audio in its response, so there is
no task id to commit before the work is done. What keeps a voice line from being paid
twice after a crash mid-call is the provider's history: ``find_speech`` asks it for a
line this account made since the call began (ElevenLabs keeps text-to-speech in
``/v1/history``). Sound effects and music have no such record; docs/audio.md says what
the job does when it cannot know whether its call was made.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from assetforge.common.contracts.audio import (
    CompositionPlan,
    CreateVoice,
    DesignVoice,
    MusicRequest,
    SoundEffectRequest,
    SpeechRequest,
    Voice,
    VoiceModel,
    VoicePreviews,
)

MPEG = "audio/mpeg"
WAV = "audio/wav"


@dataclass(frozen=True, slots=True)
class AudioClip:
    """Audio a provider made: the bytes, their type, and the provider's own id of the
    item when it gives one (ElevenLabs' ``history-item-id`` header)."""

    data: bytes
    content_type: str
    provider_ref: str | None = None


class AudioProvider(Protocol):
    provider: str
    model: str

    async def speech(self, request: SpeechRequest) -> AudioClip:
        """``request.text`` spoken in ``request.voice_id``. Raises ProviderError."""
        ...

    async def sound_effect(self, request: SoundEffectRequest) -> AudioClip: ...

    async def music(self, request: MusicRequest) -> AudioClip: ...

    async def plan_music(self, prompt: str, length_ms: int) -> CompositionPlan:
        """A composition plan for ``prompt`` (sections, styles, durations); costs nothing."""
        ...

    async def voices(self) -> list[Voice]: ...

    async def models(self) -> list[VoiceModel]: ...

    async def design_voice(self, request: DesignVoice) -> VoicePreviews:
        """Previews of a voice made from its description (each speaking ``text``)."""
        ...

    async def create_voice(self, request: CreateVoice) -> Voice:
        """Keep one of the previews as a voice of the library."""
        ...

    async def find_speech(self, request: SpeechRequest, since: datetime, exclude: Set[str]) -> AudioClip | None:
        """A voice line this account made at or after ``since`` with ``request``'s text,
        voice and model, whose ref is not in ``exclude``, with its audio; None when there
        is none or the provider keeps no such record."""
        ...
