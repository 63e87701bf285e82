"""The generation service's bus API for audio: a voice line, a sound effect or a music
track is a *job* (contracts.jobs), submitted one at a time or in batches, run from the
same durable command as a pipeline, and told by ``evt.generation.job.<id>.*`` events.

Each request is tagged by ``kind`` (``voice``, ``sfx``, ``music``) so one batch, one job
row and one completed event can carry any of them. Field names and bounds are SPEC's
(Audio); the music composition plan keeps ElevenLabs' own snake_case shape, since
``POST /api/music/plan`` answers it and the caller sends it back unchanged.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import msgspec

AUDIO_SUBMIT = "generation.v1.audio.submit"
AUDIO_BATCH = "generation.v1.audio.batch"
AUDIO_ESTIMATE = "generation.v1.audio.estimate"
VOICE_LIBRARY = "generation.v1.voice.library"
VOICE_MODELS = "generation.v1.voice.models"
MUSIC_PLAN = "generation.v1.music.plan"
VOICE_DESIGN = "generation.v1.voice.design"
VOICE_CREATE = "generation.v1.voice.create"

MAX_BATCH = 20
MAX_MUSIC_BATCH = 10
DEFAULT_VOICE_MODEL = "eleven_multilingual_v2"
DEFAULT_MUSIC_LENGTH_MS = 30_000

_NO_NUL = r"^[^\u0000]*$"
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=_NO_NUL)]
Style = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=_NO_NUL)]
Unit = Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=_NO_NUL)]
MusicLength = Annotated[int, msgspec.Meta(ge=10_000, le=300_000)]


class AudioKind(StrEnum):
    VOICE = "voice"
    SFX = "sfx"
    MUSIC = "music"


class VoiceSettings(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    stability: Unit | None = None
    similarity_boost: Unit | None = None
    style: Unit | None = None
    speed: Annotated[float, msgspec.Meta(ge=0.7, le=1.2)] | None = None
    use_speaker_boost: bool | None = None


class SpeechRequest(msgspec.Struct, frozen=True, tag="voice", tag_field="kind", rename="camel", omit_defaults=True):
    """A voice line: ``text`` spoken by ``voiceId`` (``POST /v1/text-to-speech/{voice_id}``)."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=5000, pattern=_NO_NUL)]
    voice_id: Id
    model_id: Id = DEFAULT_VOICE_MODEL
    voice_settings: VoiceSettings | None = None
    # The NPC the line is for: the asset remembers it (content media lists it).
    npc_id: Id | None = None
    name: Name | None = None


class SoundEffectFields(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """A sound effect (``POST /v1/sound-generation``); no duration lets the provider choose.
    The HTTP body; :class:`SoundEffectRequest` is the same, tagged for the bus."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=1000, pattern=_NO_NUL)]
    duration_seconds: Annotated[float, msgspec.Meta(ge=0.5, le=30.0)] | None = None
    prompt_influence: Unit | None = None
    loop: bool = False
    name: Name | None = None


class MusicSection(msgspec.Struct, frozen=True, omit_defaults=True):
    """One section of a composition plan (ElevenLabs' field names)."""

    section_name: Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=_NO_NUL)]
    duration_ms: Annotated[int, msgspec.Meta(ge=3_000, le=120_000)]
    positive_local_styles: Annotated[list[Style], msgspec.Meta(max_length=50)] = msgspec.field(default_factory=list)
    negative_local_styles: Annotated[list[Style], msgspec.Meta(max_length=50)] = msgspec.field(default_factory=list)
    lines: Annotated[list[Annotated[str, msgspec.Meta(max_length=200)]], msgspec.Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )


class CompositionPlan(msgspec.Struct, frozen=True, omit_defaults=True):
    sections: Annotated[list[MusicSection], msgspec.Meta(min_length=1, max_length=30)]
    positive_global_styles: Annotated[list[Style], msgspec.Meta(max_length=50)] = msgspec.field(default_factory=list)
    negative_global_styles: Annotated[list[Style], msgspec.Meta(max_length=50)] = msgspec.field(default_factory=list)

    @property
    def length_ms(self) -> int:
        return sum(section.duration_ms for section in self.sections)


class MusicFields(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """A music track from a prompt or a composition plan (``POST /v1/music``). The HTTP
    body; :class:`MusicRequest` is the same, tagged for the bus."""

    prompt: Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=_NO_NUL)] | None = None
    composition_plan: CompositionPlan | None = None
    music_length_ms: MusicLength = DEFAULT_MUSIC_LENGTH_MS
    force_instrumental: bool = False
    name: Name | None = None

    @property
    def length_ms(self) -> int:
        """The track's length: the plan's sections when there is a plan."""
        return self.composition_plan.length_ms if self.composition_plan else self.music_length_ms


class SoundEffectRequest(SoundEffectFields, frozen=True, tag="sfx", tag_field="kind"):
    pass


class MusicRequest(MusicFields, frozen=True, tag="music", tag_field="kind"):
    pass


AudioRequest = SpeechRequest | SoundEffectRequest | MusicRequest


def tagged(fields: SoundEffectFields | MusicFields) -> SoundEffectRequest | MusicRequest:
    """The bus request of an HTTP body."""
    if isinstance(fields, MusicFields):
        return MusicRequest(**msgspec.structs.asdict(fields))
    return SoundEffectRequest(**msgspec.structs.asdict(fields))


def kind_of(request: AudioRequest) -> AudioKind:
    if isinstance(request, SpeechRequest):
        return AudioKind.VOICE
    if isinstance(request, MusicRequest):
        return AudioKind.MUSIC
    return AudioKind.SFX


def describe(request: AudioRequest) -> str:
    """What the request asks for, in words: the asset's prompt."""
    if isinstance(request, MusicRequest):
        if request.prompt:
            return request.prompt
        plan = request.composition_plan
        styles = plan.positive_global_styles if plan else []
        return ", ".join(styles) or "music"
    return request.text


class SubmitAudio(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    request: AudioRequest
    idempotency_key: Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=_NO_NUL)] | None = None


class SubmitAudioBatch(msgspec.Struct, frozen=True, rename="camel"):
    items: Annotated[list[AudioRequest], msgspec.Meta(min_length=1, max_length=MAX_BATCH)]


class EstimateAudio(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    request: AudioRequest


class AudioEstimate(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    kind: AudioKind
    estimated_credits: int
    characters: int | None = None
    seconds: float | None = None


class ListVoices(msgspec.Struct, frozen=True):
    """The voice library or the models: nothing to ask but the question."""


class Voice(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    voice_id: str
    name: str
    category: str | None = None
    labels: dict[str, str] = msgspec.field(default_factory=dict)
    preview_url: str | None = None


class VoiceLibrary(msgspec.Struct, frozen=True, rename="camel"):
    voices: list[Voice]


class VoiceModel(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    model_id: str
    name: str
    languages: list[str] = msgspec.field(default_factory=list)


class VoiceModels(msgspec.Struct, frozen=True, rename="camel"):
    models: list[VoiceModel]


class PlanMusic(msgspec.Struct, frozen=True, rename="camel"):
    prompt: Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=_NO_NUL)]
    music_length_ms: MusicLength = DEFAULT_MUSIC_LENGTH_MS


class DesignVoice(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """Previews of a new voice described in words (ElevenLabs' voice design); ``text`` is
    what the previews say (made up when absent)."""

    voice_description: Annotated[str, msgspec.Meta(min_length=20, max_length=1000, pattern=_NO_NUL)]
    text: Annotated[str, msgspec.Meta(min_length=100, max_length=1000, pattern=_NO_NUL)] | None = None


class VoicePreview(msgspec.Struct, frozen=True, rename="camel"):
    generated_voice_id: str
    audio_base64: str
    media_type: str
    duration_secs: float


class VoicePreviews(msgspec.Struct, frozen=True, rename="camel"):
    previews: list[VoicePreview]
    text: str


class CreateVoice(msgspec.Struct, frozen=True, rename="camel"):
    """Keep a designed preview as a voice of the account's library."""

    voice_name: Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=_NO_NUL)]
    voice_description: Annotated[str, msgspec.Meta(min_length=20, max_length=1000, pattern=_NO_NUL)]
    generated_voice_id: Id


class VoiceCreated(msgspec.Struct, frozen=True):
    voice: Voice
