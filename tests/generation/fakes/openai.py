"""OpenAI (or the Vercel AI Gateway, which speaks the same protocol) on loopback:
``POST /v1/chat/completions`` and ``POST /v1/images/generations`` with a bearer key,
errors as ``{"error": {"message", "type", "code"}}``, scripted per test."""

from __future__ import annotations

import base64
import io
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar, Request, Response, post
from PIL import Image

_ERRORS = {
    402: ("Payment required: add credits to continue", "insufficient_funds"),
    429: ("Rate limit reached for requests", "rate_limit_exceeded"),
    500: ("The server had an error while processing your request", "server_error"),
}


def png(size: tuple[int, int] = (1024, 1024)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (70, 110, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class FakeOpenAI:
    api_key: str
    url: str = ""
    reply: str | None = "A sturdy oak barrel bound with iron hoops."
    # "png" (a real PNG), "missing" (no b64_json), "url" (a URL instead), "not-png".
    image_answer: str = "png"
    # Statuses (402, 429, 500) to answer the next calls, of either endpoint, in order.
    reject_next: list[int] = field(default_factory=list)
    retry_after: str = "1"
    # The code of a scripted 429: OpenAI says "no credits" as 429 insufficient_quota.
    rate_limit_code: str = "rate_limit_exceeded"
    chat_calls: int = 0
    image_calls: int = 0
    chat_bodies: list[dict[str, Any]] = field(default_factory=list)
    image_bodies: list[dict[str, Any]] = field(default_factory=list)
    authorizations: list[str | None] = field(default_factory=list)

    def app(self) -> Litestar:
        def refusal(request: Request[Any, Any, Any]) -> Response[Any] | None:
            self.authorizations.append(request.headers.get("authorization"))
            if request.headers.get("authorization") != f"Bearer {self.api_key}":
                return _error(401, "Incorrect API key provided", "invalid_api_key")
            if self.reject_next:
                status = self.reject_next.pop(0)
                message, code = _ERRORS.get(status, ("planned", "planned"))
                if status == 429:
                    code = self.rate_limit_code
                    return _error(status, message, code, {"Retry-After": self.retry_after})
                return _error(status, message, code)
            return None

        @post("/v1/chat/completions", status_code=200)
        async def chat(request: Request[Any, Any, Any]) -> Response[Any]:
            self.chat_calls += 1
            self.chat_bodies.append(await request.json())
            if (answer := refusal(request)) is not None:
                return answer
            body = self.chat_bodies[-1]
            return Response(
                {
                    "id": f"chatcmpl-{uuid.uuid4().hex}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body.get("model"),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": self.reply},
                            "finish_reason": "stop" if self.reply else "content_filter",
                        }
                    ],
                    "usage": {"prompt_tokens": 20, "completion_tokens": 10, "total_tokens": 30},
                }
            )

        @post("/v1/images/generations", status_code=200)
        async def images(request: Request[Any, Any, Any]) -> Response[Any]:
            self.image_calls += 1
            self.image_bodies.append(await request.json())
            if (answer := refusal(request)) is not None:
                return answer
            width, _, height = str(self.image_bodies[-1].get("size", "1024x1024")).partition("x")
            image: dict[str, Any] = {}
            if self.image_answer == "png":
                image["b64_json"] = base64.b64encode(png((int(width), int(height)))).decode()
            elif self.image_answer == "not-png":
                image["b64_json"] = base64.b64encode(b"GIF89a not a png").decode()
            elif self.image_answer == "url":
                image["url"] = f"{self.url}/images/1.png"
            return Response({"created": int(time.time()), "data": [image]})

        return Litestar([chat, images], openapi_config=None, logging_config=None)


def _error(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> Response[Any]:
    kind = "invalid_request_error" if status < 500 else "server_error"
    return Response({"error": {"message": message, "type": kind, "code": code}}, status_code=status, headers=headers)
