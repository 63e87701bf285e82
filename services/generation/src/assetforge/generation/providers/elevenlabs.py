"""ElevenLabs (https://elevenlabs.io/docs/api-reference) as an :class:`AudioProvider`:
text to speech, sound effects and music, each a ``POST`` that answers the finished audio;
the voice library, the models and composition plans; and the speech history, which is
how a voice line whose answer was lost is found again instead of paid for twice.

Speech, sound effects and music cost credits, so they go out with ``create=True``:
ProviderHttp sends them again only after a 429 (ElevenLabs refused; nothing was made) or
a failure before the request left. A read timeout, a dropped connection or a 5xx raises a
retryable ProviderError at once, and the job decides: for speech it asks ``find_speech``;
sound effects and music leave no record to ask. Listings and plans are free and retried.
"""

from __future__ import annotations

import math
from collections.abc import Set
from datetime import datetime
from typing import Any
from urllib.parse import quote

import msgspec

from assetforge.common.contracts.audio import (
    DEFAULT_VOICE_MODEL,
    CompositionPlan,
    CreateVoice,
    DesignVoice,
    MusicRequest,
    SoundEffectRequest,
    SpeechRequest,
    Voice,
    VoiceModel,
    VoicePreview,
    VoicePreviews,
    VoiceSettings,
)
from assetforge.generation.providers.audio import AudioClip
from assetforge.generation.providers.base import ProviderError
from assetforge.generation.providers.elevenlabs_http import (
    PCM_RATES,
    PROVIDER,
    ElevenLabsHttp,
    check_format,
    clip,
    looks_like_mp3,
)
from assetforge.generation.providers.http import HttpSettings

ELEVENLABS_URL = "https://api.elevenlabs.io"
DEFAULT_OUTPUT_FORMAT = "mp3_44100_128"
# find_speech reads at most this much history: a job asks soon after its call was lost.
PAGE_SIZE = 100
MAX_PAGES = 3


class ElevenLabsAudio:
    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = ELEVENLABS_URL,
        settings: HttpSettings | None = None,
        output_format: str = DEFAULT_OUTPUT_FORMAT,
    ) -> None:
        check_format(output_format)
        self.provider = PROVIDER
        self.model = DEFAULT_VOICE_MODEL
        self.output_format = output_format
        self._pcm_rate = PCM_RATES.get(output_format)
        self._http = ElevenLabsHttp(
            api_key=api_key, base_url=base_url, model=self.model, settings=settings or HttpSettings()
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def speech(self, request: SpeechRequest) -> AudioClip:
        """``POST /v1/text-to-speech/{voice_id}``; the clip's ref is its history item id."""
        body: dict[str, Any] = {"text": request.text, "model_id": request.model_id}
        voice_settings = _voice_settings(request.voice_settings)
        if voice_settings:
            body["voice_settings"] = voice_settings
        path = f"/v1/text-to-speech/{quote(request.voice_id, safe='')}"
        return await self._make(path, body, "text-to-speech")

    async def sound_effect(self, request: SoundEffectRequest) -> AudioClip:
        """``POST /v1/sound-generation``; no duration lets ElevenLabs choose one."""
        body: dict[str, Any] = {"text": request.text}
        if request.duration_seconds is not None:
            body["duration_seconds"] = request.duration_seconds
        if request.prompt_influence is not None:
            body["prompt_influence"] = request.prompt_influence
        if request.loop:
            body["loop"] = True
        return await self._make("/v1/sound-generation", body, "sound generation")

    async def music(self, request: MusicRequest) -> AudioClip:
        """``POST /v1/music`` from a composition plan (sent alone: ElevenLabs takes a plan
        or a prompt, never both) or from a prompt and a length."""
        body: dict[str, Any]
        if request.composition_plan is not None:
            body = {"composition_plan": plan_body(request.composition_plan)}
        elif request.prompt:
            body = {
                "prompt": request.prompt,
                "music_length_ms": request.music_length_ms,
                "force_instrumental": request.force_instrumental,
            }
        else:
            raise ProviderError(self.provider, "a music request needs a prompt or a composition plan", retryable=False)
        return await self._make("/v1/music", body, "music")

    async def plan_music(self, prompt: str, length_ms: int) -> CompositionPlan:
        """``POST /v1/music/plan`` (free): the plan, checked against CompositionPlan."""
        body = {"prompt": prompt, "music_length_ms": length_ms}
        data = await self._http.send("POST", "/v1/music/plan", json=body)
        try:
            return msgspec.convert(data, CompositionPlan)
        except msgspec.ValidationError as exc:
            message = f"ElevenLabs answered a composition plan that does not fit: {exc}"
            raise ProviderError(self.provider, message, retryable=False) from exc

    async def voices(self) -> list[Voice]:
        """``GET /v1/voices``: every voice this account can use."""
        data = await self._http.send("GET", "/v1/voices")
        found = data.get("voices") if isinstance(data, dict) else None
        if not isinstance(found, list):
            raise ProviderError(self.provider, "the voice list has no voices array", retryable=True)
        return [voice for item in found if (voice := _voice(item)) is not None]

    async def models(self) -> list[VoiceModel]:
        """``GET /v1/models`` (a bare array): the models that can do text to speech."""
        data = await self._http.send("GET", "/v1/models")
        if not isinstance(data, list):
            raise ProviderError(self.provider, "the model list is not an array", retryable=True)
        return [model for item in data if (model := _model(item)) is not None]

    async def design_voice(self, request: DesignVoice) -> VoicePreviews:
        """``POST /v1/text-to-voice/design`` (it costs credits: sent once)."""
        body: dict[str, Any] = {"voice_description": request.voice_description}
        body |= {"text": request.text} if request.text else {"auto_generate_text": True}
        data = await self._http.send("POST", "/v1/text-to-voice/design", json=body, create=True)
        try:
            previews = [
                VoicePreview(
                    generated_voice_id=item["generated_voice_id"],
                    audio_base64=item["audio_base_64"],
                    media_type=item.get("media_type") or "audio/mpeg",
                    duration_secs=float(item.get("duration_secs") or 0.0),
                )
                for item in data["previews"]
            ]
            return VoicePreviews(previews=previews, text=str(data.get("text") or request.text or ""))
        except (KeyError, TypeError, ValueError) as exc:
            raise ProviderError(
                self.provider, f"the voice design answer does not fit: {exc!r}", retryable=False
            ) from exc

    async def create_voice(self, request: CreateVoice) -> Voice:
        """``POST /v1/text-to-voice``: the preview kept as a voice."""
        body = {
            "voice_name": request.voice_name,
            "voice_description": request.voice_description,
            "generated_voice_id": request.generated_voice_id,
        }
        voice = _voice(await self._http.send("POST", "/v1/text-to-voice", json=body, create=True))
        if voice is None:
            raise ProviderError(self.provider, "the created voice has no voice_id or name", retryable=False)
        return voice

    async def find_speech(self, request: SpeechRequest, since: datetime, exclude: Set[str]) -> AudioClip | None:
        """The oldest text-to-speech history item made at or after ``since`` (in whole
        seconds, rounded down) with ``request``'s voice, model and exact text, whose id is
        not in ``exclude``, with its audio (``GET /v1/history/{id}/audio``). None when
        there is none in the first ``MAX_PAGES`` pages of ``PAGE_SIZE``.

        Left open: another identical line made on this account in the window and not yet
        in ``exclude`` is indistinguishable; being older, it wins."""
        after = math.floor(since.timestamp())
        params: dict[str, str | int] = {
            "page_size": PAGE_SIZE,
            "voice_id": request.voice_id,
            "model_id": request.model_id,
            "date_after_unix": after,
            "source": "TTS",
            "sort_direction": "asc",
        }
        for _ in range(MAX_PAGES):
            data = await self._http.send("GET", "/v1/history", params=params)
            items = data.get("history") if isinstance(data, dict) else None
            if not isinstance(items, list):
                # Not "nothing made": reading it as empty could make the job pay twice.
                raise ProviderError(self.provider, "the history answer has no history array", retryable=True)
            for item in items:
                ref = _matching(item, request, after, exclude)
                if ref is not None:
                    return await self._history_audio(ref)
            last = data.get("last_history_item_id")
            if not data.get("has_more") or not isinstance(last, str) or not last:
                return None
            params["start_after_history_item_id"] = last
        return None

    async def _history_audio(self, ref: str) -> AudioClip:
        path = f"/v1/history/{quote(ref, safe='')}/audio"
        headers, data = await self._http.audio("GET", path)
        # History keeps MP3 whatever format the line was asked in; PCM is wrapped.
        pcm_rate = None if looks_like_mp3(data) else self._pcm_rate
        found = clip(headers, data, pcm_rate=pcm_rate, what="the history audio")
        return AudioClip(found.data, found.content_type, ref)

    async def _make(self, path: str, body: dict[str, Any], what: str) -> AudioClip:
        params = {"output_format": self.output_format}
        headers, data = await self._http.audio("POST", path, json=body, params=params, create=True)
        return clip(headers, data, pcm_rate=self._pcm_rate, what=what)


def plan_body(plan: CompositionPlan) -> dict[str, Any]:
    """The plan in ElevenLabs' shape, every field present (empty style and line lists
    included, which CompositionPlan's omit_defaults would leave out)."""
    return {
        "positive_global_styles": list(plan.positive_global_styles),
        "negative_global_styles": list(plan.negative_global_styles),
        "sections": [
            {
                "section_name": section.section_name,
                "positive_local_styles": list(section.positive_local_styles),
                "negative_local_styles": list(section.negative_local_styles),
                "duration_ms": section.duration_ms,
                "lines": list(section.lines),
            }
            for section in plan.sections
        ],
    }


def _voice_settings(settings: VoiceSettings | None) -> dict[str, Any]:
    """The given settings under their snake_case names (the Struct renames to camelCase)."""
    if settings is None:
        return {}
    return {name: value for name, value in msgspec.structs.asdict(settings).items() if value is not None}


def _matching(item: Any, request: SpeechRequest, after: int, exclude: Set[str]) -> str | None:
    if not isinstance(item, dict):
        return None
    ref = item.get("history_item_id")
    if not isinstance(ref, str) or not ref or ref in exclude or item.get("text") != request.text:
        return None
    # The query filters these; an answer that ignored a filter must not match all the same.
    for key, want in (("voice_id", request.voice_id), ("model_id", request.model_id)):
        if item.get(key) not in (None, want):
            return None
    made = item.get("date_unix")
    if isinstance(made, int | float) and made < after:
        return None
    return None if item.get("state") == "deleted" else ref


def _voice(item: Any) -> Voice | None:
    if not isinstance(item, dict):
        return None
    voice_id, name = item.get("voice_id"), item.get("name")
    if not isinstance(voice_id, str) or not voice_id or not isinstance(name, str):
        return None
    labels = item.get("labels")
    category, preview = item.get("category"), item.get("preview_url")
    return Voice(
        voice_id=voice_id,
        name=name,
        category=category if isinstance(category, str) else None,
        labels={k: v for k, v in labels.items() if isinstance(v, str)} if isinstance(labels, dict) else {},
        preview_url=preview if isinstance(preview, str) and preview else None,
    )


def _model(item: Any) -> VoiceModel | None:
    if not isinstance(item, dict) or item.get("can_do_text_to_speech") is not True:
        return None
    model_id, name = item.get("model_id"), item.get("name")
    if not isinstance(model_id, str) or not model_id or not isinstance(name, str):
        return None
    languages = item.get("languages")
    listed = languages if isinstance(languages, list) else []
    names = [lang["name"] for lang in listed if isinstance(lang, dict) and isinstance(lang.get("name"), str)]
    return VoiceModel(model_id=model_id, name=name, languages=names)
