"""ElevenLabs' voice design on the fake: ``POST /v1/text-to-voice/design``
``{voice_description (20-1000), text? (100-1000) | auto_generate_text}`` → three previews
``{generated_voice_id, audio_base_64, media_type, duration_secs}`` and ``text``;
``POST /v1/text-to-voice`` ``{voice_name, voice_description, generated_voice_id}`` → the
voice, which then speaks like any other. Each call is one paid call (``made``)."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from litestar import Response, post
from litestar.handlers import HTTPRouteHandler

from tests.generation.fakes.elevenlabs_data import CHARS_PER_SECOND, bounded, invalid, refusal, sine

AUTO_TEXT = "The fake made up this line so that every preview of the voice has something to say, " * 2


def voice_routes(made: list[str], generated: dict[str, str], voices: list[dict[str, Any]]) -> list[HTTPRouteHandler]:
    """The two routes; ``generated`` maps preview ids to descriptions, ``voices`` gets each kept voice."""

    @post("/v1/text-to-voice/design", status_code=200)
    async def design(data: dict[str, Any]) -> Response[Any]:
        if (problem := _length(data, "voice_description", 20, 1000)) is not None:
            return problem
        text = data.get("text")
        if text is None and not data.get("auto_generate_text"):
            return invalid(["body", "text"], "Field required unless auto_generate_text is true", None, "missing")
        if text is not None and (problem := _length(data, "text", 100, 1000)) is not None:
            return problem
        said = str(text or AUTO_TEXT)
        made.append("/v1/text-to-voice/design")
        audio = base64.b64encode(sine("mp3_44100_128", len(said) / CHARS_PER_SECOND)).decode()
        previews = []
        for _ in range(3):
            voice_id = uuid.uuid4().hex[:20]
            generated[voice_id] = str(data["voice_description"])
            previews.append(
                {"generated_voice_id": voice_id, "audio_base_64": audio, "media_type": "audio/mpeg",
                 "duration_secs": round(len(said) / CHARS_PER_SECOND, 2), "language": "en"}
            )  # fmt: skip
        return Response({"previews": previews, "text": said})

    @post("/v1/text-to-voice", status_code=200)
    async def create(data: dict[str, Any]) -> Response[Any]:
        generated_id = data.get("generated_voice_id")
        if not isinstance(generated_id, str) or generated_id not in generated:
            return refusal(404, "voice_not_found", f"No preview {generated_id}.")
        made.append("/v1/text-to-voice")
        voice = {"voice_id": generated_id, "name": data.get("voice_name"), "category": "generated", "labels": {}}
        voices.append(voice)
        return Response(voice)

    return [design, create]


def _length(data: dict[str, Any], name: str, low: int, high: int) -> Response[Any] | None:
    value = data.get(name)
    if not isinstance(value, str):
        return invalid(["body", name], "Field required", value, "missing")
    length = len(value)
    return bounded({name: length}, name, low, high)
