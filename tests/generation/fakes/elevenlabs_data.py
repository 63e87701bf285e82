"""What the fake ElevenLabs answers with: real audio (an MP3 made with lameenc, or raw
PCM), its voice library, its models, composition plans, and errors in its two shapes
(``{"detail": {"status", "message"}}`` and FastAPI's validation list)."""

from __future__ import annotations

import functools
import json
import math
import time
import uuid
from typing import Any

import lameenc  # type: ignore[import-not-found]
import numpy as np
from litestar import Response

# What ElevenLabs takes for ``output_format`` (the fake makes MP3 and PCM only).
MP3_FORMATS = {"mp3_22050_32", "mp3_24000_48", "mp3_44100_32", "mp3_44100_64", "mp3_44100_96", "mp3_44100_128"}
MP3_FORMATS |= {"mp3_44100_192"}
PCM_FORMATS = {f"pcm_{rate}" for rate in (8000, 16000, 22050, 24000, 32000, 44100, 48000)}
CHARS_PER_SECOND = 14.0
# The ``detail`` of an error the fake is told to answer, by status.
ERRORS = {
    401: ("invalid_api_key", "Invalid API key"),
    402: ("payment_required", "You have run out of credits. Upgrade your plan or buy more credits to continue."),
    429: ("too_many_concurrent_requests", "Too many concurrent requests for your subscription."),
    500: ("internal_error", "An internal error occurred."),
    503: ("system_busy", "Our system is experiencing heavy traffic, please try again later."),
}
_PREVIEW = "https://storage.googleapis.com/eleven-public-prod/premade/voices/{}/preview.mp3"


def _voice(voice_id: str, name: str, gender: str, accent: str, description: str, use_case: str) -> dict[str, Any]:
    return {
        "voice_id": voice_id,
        "name": name,
        "samples": None,
        "category": "premade",
        "fine_tuning": {"is_allowed_to_fine_tune": True, "state": {}, "verification_failures": []},
        "labels": {
            "accent": accent,
            "description": description,
            "age": "young",
            "gender": gender,
            "use_case": use_case,
        },
        "description": None,
        "preview_url": _PREVIEW.format(voice_id),
        "available_for_tiers": [],
        "settings": None,
        "sharing": None,
        "high_quality_base_model_ids": ["eleven_turbo_v2", "eleven_multilingual_v2", "eleven_turbo_v2_5"],
        "verified_languages": [],
        "is_owner": False,
        "is_legacy": False,
    }


VOICES = [
    _voice("21m00Tcm4TlvDq8ikWAM", "Rachel", "female", "american", "calm", "narration"),
    _voice("JBFqnCBsd6RMkjVDRZzb", "George", "male", "british", "warm", "narration"),
    _voice("N2lVS1w4EtoT3dr4eOWO", "Callum", "male", "transatlantic", "intense", "characters"),
]
VOICE_IDS = {voice["voice_id"] for voice in VOICES}
_LANGUAGES = {"en": "English", "de": "German", "fr": "French", "ja": "Japanese", "es": "Spanish"}


def _model(model_id: str, name: str, languages: str, *, tts: bool = True) -> dict[str, Any]:
    return {
        "model_id": model_id,
        "name": name,
        "can_be_finetuned": True,
        "can_do_text_to_speech": tts,
        "can_do_voice_conversion": not tts,
        "can_use_style": True,
        "can_use_speaker_boost": True,
        "serves_pro_voices": False,
        "token_cost_factor": 1.0,
        "description": f"{name}, as the fake serves it",
        "requires_alpha_access": False,
        "max_characters_request_free_user": 2500,
        "max_characters_request_subscribed_user": 10000,
        "maximum_text_length_per_request": 10000,
        "languages": [{"language_id": code, "name": _LANGUAGES[code]} for code in languages.split()],
        "model_rates": {"character_cost_multiplier": 1.0},
        "concurrency_group": "standard",
    }


MODELS = [
    _model("eleven_multilingual_v2", "Eleven Multilingual v2", "en de fr ja es"),
    _model("eleven_flash_v2_5", "Eleven Flash v2.5", "en de ja"),
    _model("eleven_multilingual_sts_v2", "Eleven Multilingual v2 (speech to speech)", "en de", tts=False),
]
TTS_MODELS = {model["model_id"] for model in MODELS if model["can_do_text_to_speech"]}


@functools.cache
def sine(output_format: str, seconds: float) -> bytes:
    """``seconds`` of a 440 Hz sine, mono: MP3 for ``mp3_<rate>_<kbps>``, else s16le PCM."""
    parts = output_format.split("_")
    rate = int(parts[1])
    t = np.arange(round(rate * seconds)) / rate
    pcm = (np.sin(2 * np.pi * 440.0 * t) * 0.3 * 32767).astype("<i2").tobytes()
    if parts[0] == "pcm":
        return pcm
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(int(parts[2]))
    encoder.set_in_sample_rate(rate)
    encoder.set_channels(1)
    encoder.set_quality(7)
    return bytes(encoder.encode(pcm) + encoder.flush())


def plan_for(prompt: str, length_ms: int) -> dict[str, Any]:
    """A plan as ElevenLabs answers one: equal sections of at most a minute."""
    count = max(2, math.ceil(length_ms / 60_000))
    names = ["Intro", "Verse", "Chorus", "Bridge", "Verse 2"]
    each = length_ms // count
    styles = [word.strip() for word in prompt.split(",") if word.strip()][:5] or ["instrumental"]
    sections = [
        {
            "section_name": "Outro" if i == count - 1 else names[i % len(names)],
            "positive_local_styles": ["rising"] if i == 0 else ["steady"],
            "negative_local_styles": [],
            "duration_ms": each if i < count - 1 else length_ms - each * (count - 1),
            "lines": [],
        }
        for i in range(count)
    ]
    return {"positive_global_styles": styles, "negative_global_styles": ["vocals"], "sections": sections}


def refusal(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response({"detail": {"status": code, "message": message}}, status_code=status, headers=headers)


def invalid(loc: list[str | int], msg: str, value: Any, kind: str = "value_error") -> Response[Any]:
    """A 422 as FastAPI (and so ElevenLabs) words one."""
    problem = {"type": kind, "loc": loc, "msg": msg, "input": value}
    return Response({"detail": [problem]}, status_code=422)


def bounded(body: dict[str, Any], name: str, low: float, high: float, *, where: str = "body") -> Response[Any] | None:
    """A 422 if ``body[name]`` is set and not a number in [low, high]."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        return invalid([where, name], "Input should be a valid number", value, "float_parsing")
    if value < low:
        return invalid([where, name], f"Input should be greater than or equal to {low:g}", value, "greater_than_equal")
    if value > high:
        return invalid([where, name], f"Input should be less than or equal to {high:g}", value, "less_than_equal")
    return None


def text_problem(body: dict[str, Any], name: str) -> Response[Any] | None:
    value = body.get(name)
    if not isinstance(value, str):
        return invalid(["body", name], "Field required", value, "missing")
    if not value.strip():
        return invalid(["body", name], "String should have at least 1 character", value, "string_too_short")
    return None


def plan_problem(plan: Any) -> Response[Any] | None:
    """A 422 for a composition plan ElevenLabs would refuse: every field is required."""
    found = _plan_fault(plan)
    if found is None:
        return None
    loc, msg, value = found
    return invalid(["body", "composition_plan", *loc], msg, value)


def _plan_fault(plan: Any) -> tuple[list[str | int], str, Any] | None:
    if not isinstance(plan, dict):
        return [], "Input should be a valid dictionary", plan
    for key in ("positive_global_styles", "negative_global_styles", "sections"):
        if not isinstance(plan.get(key), list):
            return [key], "Field required", plan.get(key)
    if not plan["sections"]:
        return ["sections"], "List should have at least 1 item", []
    for i, section in enumerate(plan["sections"]):
        if (fault := _section_fault(section)) is not None:
            return ["sections", i, *fault[0]], fault[1], fault[2]
    return None


def _section_fault(section: Any) -> tuple[list[str | int], str, Any] | None:
    if not isinstance(section, dict):
        return [], "Input should be a valid dictionary", section
    for key in ("section_name", "positive_local_styles", "negative_local_styles", "duration_ms", "lines"):
        if key not in section:
            return [key], "Field required", None
    if (problem := bounded(section, "duration_ms", 3000, 120_000)) is not None:
        return ["duration_ms"], problem_message(problem), section["duration_ms"]
    return None


def problem_message(response: Response[Any]) -> str:
    content: Any = response.content
    return str(content["detail"][0]["msg"])


def history_item(text: str, voice_id: str, model_id: str, date_unix: int) -> dict[str, Any]:
    """A text-to-speech line as ``GET /v1/history`` lists it."""
    return {
        "history_item_id": uuid.uuid4().hex[:20],
        "request_id": uuid.uuid4().hex,
        "voice_id": voice_id,
        "model_id": model_id,
        "voice_name": next((v["name"] for v in VOICES if v["voice_id"] == voice_id), "Unknown"),
        "voice_category": "premade",
        "text": text,
        "date_unix": date_unix,
        "character_count_change_from": 0,
        "character_count_change_to": len(text),
        "content_type": "audio/mpeg",
        "state": "created",
        "settings": {},
        "feedback": None,
        "share_link_id": None,
        "source": "TTS",
    }


def history_page(
    items: list[dict[str, Any]], size: int, start_after: str | None, *, newest_first: bool
) -> dict[str, Any]:
    """One page of ``items`` (oldest first as made) as ``GET /v1/history`` answers it."""
    ordered = [item for _, item in sorted(enumerate(items), key=lambda p: (p[1]["date_unix"], p[0]))]
    if newest_first:
        ordered.reverse()
    ids = [item["history_item_id"] for item in ordered]
    start = ids.index(start_after) + 1 if start_after in ids else 0
    page = ordered[start : start + size]
    return {
        "history": page,
        "has_more": start + len(page) < len(ordered),
        "last_history_item_id": page[-1]["history_item_id"] if page else None,
        "scanned_until": int(time.time()),
    }


def parsed(raw: bytes) -> Any:
    """A request body as sent: its JSON, its text if it is not JSON, None if empty."""
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode("utf-8", "replace")
