"""The HTTP side of the ElevenLabs client: :class:`ProviderHttp` as ElevenLabs needs it,
and the audio formats its calls answer.

ElevenLabs differs from the providers http.py was written for in three ways, each handled
here on top of ProviderHttp's own attempts, timeouts and retry rules, not beside them:

- the key goes in ``xi-api-key``, not ``Authorization: Bearer``;
- paid calls answer audio bytes whose headers matter (``history-item-id``), not JSON;
- errors are ``{"detail": {"status", "message"}}``, or FastAPI's validation list
  ``{"detail": [{"loc", "msg", "type"}]}``, and "no credits" may come as 401
  ``quota_exceeded`` as well as 402 ``payment_required``.

The subclass uses ProviderHttp's private attempt/retry methods and overrides its
``_refusal``; http.py offers no public hook for any of the three.
"""

from __future__ import annotations

import io
import json as jsonlib
import wave
from collections.abc import Mapping
from typing import Any

import httpx

from assetforge.generation.providers.audio import MPEG, WAV, AudioClip
from assetforge.generation.providers.base import ProviderError
from assetforge.generation.providers.http import HttpSettings, ProviderHttp, _Answer

PROVIDER = "elevenlabs"
DISPLAY = "ElevenLabs"
# The output formats ElevenLabs documents that this client can hand on: MP3 as it comes,
# raw PCM (s16le, mono) wrapped in a WAV header. μ-law, a-law and Opus are left out.
MP3_FORMATS = frozenset(
    {"mp3_22050_32", "mp3_24000_48", "mp3_44100_32", "mp3_44100_64", "mp3_44100_96", "mp3_44100_128", "mp3_44100_192"}
)
PCM_RATES = {f"pcm_{rate}": rate for rate in (8000, 16000, 22050, 24000, 32000, 44100, 48000)}
# ``detail.status`` values with which ElevenLabs says the account cannot pay for the call.
NO_CREDITS = frozenset({"quota_exceeded", "payment_required", "insufficient_credits"})
# The first element of a validation error's ``loc`` says where the field was, not which.
_PLACES = frozenset({"body", "query", "path", "header"})


class ElevenLabsHttp(ProviderHttp):
    def __init__(self, *, api_key: str, base_url: str, model: str, settings: HttpSettings) -> None:
        super().__init__(
            provider=PROVIDER, model=model, display=DISPLAY, base_url=base_url, api_key=api_key, settings=settings
        )
        self._auth = {"xi-api-key": api_key}

    async def audio(
        self,
        method: str,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, str | int] | None = None,
        create: bool = False,
    ) -> tuple[httpx.Headers, bytes]:
        """Like ``send``, but the answer's headers and raw bytes."""

        async def attempt() -> _Answer:
            return await self._attempt(method, path, json=json, params=params, headers=self._auth)

        answer = await self._retrying(attempt, create=create)
        return answer.headers, answer.content

    def _refusal(self, answer: _Answer, *, download: bool) -> ProviderError:
        # The base decides what may be retried and reads Retry-After; the words are ours.
        base = super()._refusal(answer, download=download)
        status = answer.status
        message, code = error_detail(answer.content)
        said = message or f"HTTP {status}"
        tag = f"{status} {code}" if code else str(status)
        retryable = False
        if status == 402 or code in NO_CREDITS:
            text = f"ElevenLabs credits are exhausted ({tag}): {said}"
        elif base.retryable:
            retryable = True
            text = f"ElevenLabs {'rate limited the call' if status == 429 else 'failed'} ({tag}): {said}"
        elif status == 401:
            text = f"the ElevenLabs API key was refused ({tag}): {said}"
        else:
            text = f"ElevenLabs refused the request ({tag}): {said}"
        return ProviderError(PROVIDER, text, retryable=retryable, status=status, retry_after_s=base.retry_after_s)


def error_detail(content: bytes) -> tuple[str | None, str | None]:
    """The readable message and the ``detail.status`` code of an ElevenLabs error body."""
    try:
        data = jsonlib.loads(content)
    except ValueError:
        text = content.decode("utf-8", "replace").strip()
        return (text[:300] or None), None
    detail = data.get("detail") if isinstance(data, dict) else data
    message: Any = None
    code: Any = None
    if isinstance(detail, dict):
        message, code = detail.get("message"), detail.get("status")
    elif isinstance(detail, list):
        message = "; ".join(_problem(item) for item in detail[:5]) or None
    elif isinstance(data, dict):
        message = detail if isinstance(detail, str) else data.get("message")
    return (str(message)[:300] if message else None), (str(code).lower() if code else None)


def _problem(item: Any) -> str:
    """``duration_seconds: Input should be less than or equal to 30`` from one entry."""
    if not isinstance(item, dict):
        return str(item)
    loc = item.get("loc")
    parts = [str(part) for part in loc] if isinstance(loc, list) else []
    if parts and parts[0] in _PLACES:
        parts = parts[1:]
    msg = str(item.get("msg") or item.get("type") or "invalid")
    return f"{'.'.join(parts)}: {msg}" if parts else msg


def check_format(output_format: str) -> None:
    if output_format not in MP3_FORMATS and output_format not in PCM_RATES:
        known = ", ".join(sorted(MP3_FORMATS | PCM_RATES.keys()))
        raise ValueError(f"unknown ElevenLabs output format {output_format!r}; one of {known}")


def clip(headers: httpx.Headers, data: bytes, *, pcm_rate: int | None, what: str) -> AudioClip:
    """The audio of a 200 answer: MP3 as it came, or (``pcm_rate`` given) raw PCM in a WAV.
    A body that is empty or not audio is a non-retryable error: the call was answered, so
    a second one could pay again for the same nothing."""
    kind = headers.get("content-type", "").split(";")[0].strip().lower()
    ref = headers.get("history-item-id") or None
    textual = kind.startswith("text/") or kind.endswith("json")
    if pcm_rate is None and not textual and looks_like_mp3(data):
        return AudioClip(data, MPEG, ref)
    if pcm_rate is not None and not textual and len(data) >= 2:
        return AudioClip(data if data.startswith(b"RIFF") else wav(data, pcm_rate), WAV, ref)
    shown = "MP3" if pcm_rate is None else "PCM"
    message = f"{what} answered {len(data)} bytes of {kind or 'untyped content'}, not {shown} audio"
    raise ProviderError(PROVIDER, message, retryable=False)


def looks_like_mp3(data: bytes) -> bool:
    """An ID3 tag or a valid MPEG audio frame header at the start."""
    if data.startswith(b"ID3"):
        return True
    if len(data) < 4 or data[0] != 0xFF or data[1] & 0xE0 != 0xE0:
        return False
    version, layer = (data[1] >> 3) & 3, (data[1] >> 1) & 3
    bitrate, rate = data[2] >> 4, (data[2] >> 2) & 3
    return version != 1 and layer != 0 and bitrate not in (0, 15) and rate != 3


def wav(pcm: bytes, rate: int) -> bytes:
    """Raw 16-bit little-endian mono PCM as a WAV file (a trailing odd byte is dropped)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm[: len(pcm) - len(pcm) % 2])
    return buffer.getvalue()
