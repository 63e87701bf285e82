"""Chat and images from OpenAI, directly or through the Vercel AI Gateway (which speaks
OpenAI's protocol under its own base URL and ``openai/``-prefixed model names).

Neither call starts work that outlives it, so both retry freely inside the call: a
repeated chat or image request costs tokens again, never a second asset.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from assetforge.generation.providers.base import ProviderError
from assetforge.generation.providers.http import HttpSettings, ProviderHttp

OPENAI_URL = "https://api.openai.com/v1"
AI_GATEWAY_URL = "https://ai-gateway.vercel.sh/v1"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_DISPLAY = {"openai": "OpenAI", "ai-gateway": "Vercel AI Gateway"}


class _OpenAIClient:
    def __init__(
        self,
        api_key: str,
        *,
        model: str,
        base_url: str = OPENAI_URL,
        provider: str = "openai",
        settings: HttpSettings | None = None,
    ) -> None:
        self.provider = provider
        self.model = model
        self._http = ProviderHttp(
            provider=provider,
            model=model,
            display=_DISPLAY.get(provider, provider),
            base_url=base_url,
            api_key=api_key,
            settings=settings or HttpSettings(),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    def _error(self, message: str, *, retryable: bool) -> ProviderError:
        return ProviderError(self.provider, message, retryable=retryable)


class OpenAIChat(_OpenAIClient):
    """``POST {base}/chat/completions``: a system and a user message, the answer's text."""

    async def complete(self, system: str, prompt: str) -> str:
        body = {
            "model": self.model,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": prompt}],
        }
        data = await self._http.send("POST", "/chat/completions", json=body)
        message = _first(data, "choices").get("message")
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, str) or not content.strip():
            # A refusal or a cut-off answer has no text; the next sample usually does.
            raise self._error(f"{self.model} answered no content", retryable=True)
        return content


class OpenAIImages(_OpenAIClient):
    """``POST {base}/images/generations``: one square PNG (gpt-image-1 always answers base64)."""

    def __init__(
        self,
        api_key: str,
        *,
        model: str,
        base_url: str = OPENAI_URL,
        provider: str = "openai",
        settings: HttpSettings | None = None,
        size: str = "1024x1024",
    ) -> None:
        super().__init__(api_key, model=model, base_url=base_url, provider=provider, settings=settings)
        self.size = size

    async def generate(self, prompt: str) -> bytes:
        body = {"model": self.model, "prompt": prompt, "size": self.size, "n": 1}
        data = await self._http.send("POST", "/images/generations", json=body)
        image = _first(data, "data")
        encoded = image.get("b64_json")
        if not isinstance(encoded, str) or not encoded:
            if image.get("url"):
                # A model that answers URLs (dall-e) is a configuration error, not bad luck.
                raise self._error(f"{self.model} answered a URL, not b64_json", retryable=False)
            raise self._error(f"{self.model} answered no image (no b64_json)", retryable=True)
        try:
            png = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise self._error(f"{self.model} answered b64_json that is not base64", retryable=True) from exc
        if not png.startswith(PNG_SIGNATURE):
            raise self._error(f"{self.model} answered an image that is not a PNG", retryable=True)
        return png


def _first(data: Any, key: str) -> dict[str, Any]:
    """``data[key][0]``: the one choice or image asked for, or {} when the answer has none."""
    items = data.get(key) if isinstance(data, dict) else None
    if isinstance(items, list) and items and isinstance(items[0], dict):
        return items[0]
    return {}


def openai_providers(
    *,
    ai_gateway_api_key: str | None,
    openai_api_key: str | None,
    settings: HttpSettings | None = None,
    ai_gateway_url: str = AI_GATEWAY_URL,
    openai_url: str = OPENAI_URL,
) -> tuple[OpenAIChat, OpenAIImages] | None:
    """Chat and images through the AI Gateway when its key is set, else OpenAI directly;
    None when neither key is set (the pipeline then uses its offline providers)."""
    if ai_gateway_api_key:
        key, url, provider, prefix = ai_gateway_api_key, ai_gateway_url, "ai-gateway", "openai/"
    elif openai_api_key:
        key, url, provider, prefix = openai_api_key, openai_url, "openai", ""
    else:
        return None
    chat = OpenAIChat(key, model=f"{prefix}gpt-4o", base_url=url, provider=provider, settings=settings)
    images = OpenAIImages(key, model=f"{prefix}gpt-image-1", base_url=url, provider=provider, settings=settings)
    return chat, images
