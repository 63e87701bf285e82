"""HTTP plumbing the real providers share: one ``httpx.AsyncClient`` per provider with
every timeout set, answers and failures mapped to :class:`ProviderError`, and a short
in-call retry for what a retry can fix.

A call that creates a paid task is special: once the request may have reached the
provider, sending it again could pay twice. Such calls (``create=True``) are retried only
on 429 (the provider refused it, so nothing was started) and on failures that happen
before the request leaves (no connection, no free pooled connection). A read timeout, a
dropped connection or a 5xx surfaces as ``ProviderError(retryable=True)``, and the
pipeline asks the provider (``find_created``) before it creates again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json as jsonlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from assetforge.generation.providers.base import ProviderError

log = logging.getLogger(__name__)

# ``on_call(provider, model, status, seconds)``, once per HTTP attempt; status is "ok",
# the HTTP status ("429", "500"), "timeout" or "error". Feeds
# ``ai_api_calls_total{provider,model,status}`` and ``ai_api_latency_seconds{provider}``.
OnCall = Callable[[str, str, str, float], None]

# An API answer is JSON of a few MB at most (a base64 1024² PNG); more is not an answer.
MAX_API_ANSWER_BYTES = 64 * 1024 * 1024
# Codes with which a provider says "no credits" on a status other than 402: OpenAI
# answers 429 ``insufficient_quota``, which no amount of waiting fixes.
_NO_CREDIT_CODES = frozenset({"insufficient_quota", "insufficient_credits", "insufficient_funds"})


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """Timeouts and retry policy of one provider's client."""

    connect_s: float = 10.0
    # Per read, not per call: image generation can think for a minute before answering.
    read_s: float = 120.0
    write_s: float = 60.0
    pool_s: float = 10.0
    attempts: int = 3
    base_delay_s: float = 1.0
    # Longest wait between attempts; a Retry-After beyond it is left to the pipeline.
    max_delay_s: float = 30.0
    on_call: OnCall | None = None
    # Tests may route the client elsewhere; production leaves it unset.
    transport: httpx.AsyncBaseTransport | None = None

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")

    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect_s, read=self.read_s, write=self.write_s, pool=self.pool_s)


class _Failed(Exception):
    """One attempt's failure, with whether the request may have reached the provider."""

    def __init__(self, error: ProviderError, *, sent: bool) -> None:
        super().__init__(error.message)
        self.error = error
        self.sent = sent


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    headers: httpx.Headers
    content: bytes


class ProviderHttp:
    """The client of one provider. ``display`` names the provider in messages people read."""

    def __init__(
        self, *, provider: str, model: str, display: str, base_url: str, api_key: str, settings: HttpSettings
    ) -> None:
        self.provider = provider
        self.model = model
        self.display = display
        self.settings = settings
        self._auth = {"Authorization": f"Bearer {api_key}"}
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=settings.timeout(),
            transport=settings.transport,
            follow_redirects=True,
            headers={"user-agent": "asset-forge-generation"},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(
        self,
        method: str,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, str | int] | None = None,
        create: bool = False,
    ) -> Any:
        """Call the API (``path`` under the base URL, with the key); the decoded JSON
        answer, None for an empty one. ``create=True`` for a call that starts paid work."""

        async def attempt() -> _Answer:
            return await self._attempt(method, path, json=json, params=params, headers=self._auth)

        answer = await self._retrying(attempt, create=create)
        if not answer.content.strip():
            return None
        try:
            return jsonlib.loads(answer.content)
        except ValueError as exc:
            # Retryable: for a create, the task may exist, and find_created can tell.
            message = f"{self.display} answered {method} {path} with something that is not JSON"
            raise ProviderError(self.provider, message, retryable=True) from exc

    async def download(self, url: str, *, max_bytes: int) -> bytes:
        """GET an absolute URL without the API key (results live on other hosts, behind
        signed URLs), following redirects, refusing more than ``max_bytes``."""
        if not url.startswith(("https://", "http://")):
            raise ProviderError(self.provider, f"cannot download {url[:100]!r}: not an http(s) URL", retryable=False)

        async def attempt() -> _Answer:
            return await self._attempt("GET", url, headers=None, max_bytes=max_bytes, download=True)

        return (await self._retrying(attempt, create=False)).content

    async def _retrying(self, attempt: Callable[[], Awaitable[_Answer]], *, create: bool) -> _Answer:
        attempts = self.settings.attempts
        for number in range(1, attempts + 1):
            try:
                return await attempt()
            except _Failed as failed:
                error = failed.error
                delay = self._delay(number, error.retry_after_s)
                if number == attempts or not _may_retry(failed, create=create) or delay is None:
                    raise error from failed.__cause__
                log.info("%s: %s; attempt %d of %d in %.2fs", self.provider, error.message, number + 1, attempts, delay)
                await asyncio.sleep(delay)
        raise AssertionError("the loop returns or raises")

    def _delay(self, number: int, retry_after_s: float | None) -> float | None:
        """How long to wait before attempt ``number + 1``; None when the provider asks for
        longer than this call may wait (the error carries its Retry-After for the pipeline)."""
        settings = self.settings
        # Jitter spreads retries of many workers; it is not a secret.
        if retry_after_s is not None:
            if retry_after_s > settings.max_delay_s:
                return None
            return retry_after_s + random.uniform(0, settings.base_delay_s / 10)  # noqa: S311
        backoff = min(settings.max_delay_s, settings.base_delay_s * 2.0 ** (number - 1))
        return backoff * random.uniform(0.5, 1.0)  # noqa: S311

    async def _attempt(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, str | int] | None = None,
        max_bytes: int = MAX_API_ANSWER_BYTES,
        download: bool = False,
    ) -> _Answer:
        started = time.monotonic()
        status = "error"
        try:
            try:
                async with self._client.stream(method, url, json=json, params=params, headers=headers) as response:
                    content = await self._read(response, max_bytes)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                # Raised before a byte of the request left: safe to send again, even a create.
                status = "timeout" if isinstance(exc, httpx.TimeoutException) else "error"
                message = f"could not reach {self.display} ({type(exc).__name__}: {exc})"
                raise _Failed(ProviderError(self.provider, message, retryable=True), sent=False) from exc
            except httpx.TimeoutException as exc:
                status = "timeout"
                message = f"{self.display} did not answer in time ({type(exc).__name__})"
                raise _Failed(ProviderError(self.provider, message, retryable=True), sent=True) from exc
            except httpx.TransportError as exc:
                message = f"the connection to {self.display} failed ({type(exc).__name__}: {exc})"
                raise _Failed(ProviderError(self.provider, message, retryable=True), sent=True) from exc
            except httpx.HTTPError as exc:  # too many redirects, an undecodable body
                message = f"{self.display} answered unusably ({type(exc).__name__}: {exc})"
                raise _Failed(ProviderError(self.provider, message, retryable=False), sent=True) from exc
            answer = _Answer(response.status_code, response.headers, content)
            status = "ok" if 200 <= answer.status < 300 else str(answer.status)
            if status != "ok":
                raise _Failed(self._refusal(answer, download=download), sent=True)
            return answer
        finally:
            self._count(status, time.monotonic() - started)

    async def _read(self, response: httpx.Response, max_bytes: int) -> bytes:
        message = f"{self.display} sent more than {max_bytes} bytes for {response.url}"
        too_large = ProviderError(self.provider, message, retryable=False)
        with contextlib.suppress(ValueError):
            if int(response.headers.get("content-length", "0")) > max_bytes:
                raise _Failed(too_large, sent=True)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise _Failed(too_large, sent=True)
            chunks.append(chunk)
        return b"".join(chunks)

    def _refusal(self, answer: _Answer, *, download: bool) -> ProviderError:
        status, (message, code) = answer.status, _error_fields(answer.content)
        detail, name = message or f"HTTP {status}", self.display
        retryable, retry_after = False, None
        if status == 402 or code in _NO_CREDIT_CODES:
            text = f"{name} has no credits left ({status} payment required): {detail}"
        elif status in (408, 429) or status >= 500:
            retryable, retry_after = True, _retry_after_s(answer.headers.get("retry-after"))
            text = f"{name} {'rate limited the call' if status == 429 else 'failed'} ({status}): {detail}"
        elif status in (401, 403) and download:
            # A signed result URL answers 403 once it expires: poll again for a fresh one.
            text = f"the download was refused ({status}); the URL may have expired"
        elif status in (401, 403):
            text = f"{name} refused the API key ({status}): {detail}"
        else:
            text = f"{name} refused the request ({status}): {detail}"
        return ProviderError(self.provider, text, retryable=retryable, status=status, retry_after_s=retry_after)

    def _count(self, status: str, seconds: float) -> None:
        hook = self.settings.on_call
        if hook is None:
            return
        try:
            hook(self.provider, self.model, status, seconds)
        except Exception:  # a metrics hook must never fail the call it counts
            log.warning("the on_call hook failed", exc_info=True)


def _may_retry(failed: _Failed, *, create: bool) -> bool:
    if not failed.error.retryable:
        return False
    if not create:
        return True
    # A 429 was refused before any work started; an unsent request cannot have paid.
    return failed.error.status == 429 or not failed.sent


def _error_fields(content: bytes) -> tuple[str | None, str | None]:
    """The message and code of an error body: OpenAI's ``{"error": {"message", "code"}}``,
    Meshy's ``{"message": ...}``, or the start of whatever text came back."""
    try:
        data = jsonlib.loads(content)
    except ValueError:
        text = content.decode("utf-8", "replace").strip()
        return (text[:300] or None), None
    if not isinstance(data, dict):
        return str(data)[:300], None
    error = data.get("error")
    message: Any = error if isinstance(error, str) else None
    code: Any = None
    if isinstance(error, dict):
        message, code = error.get("message"), error.get("code") or error.get("type")
    message = message or data.get("message")
    code = code or data.get("error_code") or data.get("code")
    return (str(message)[:300] if message else None), (str(code).lower() if code else None)


def _retry_after_s(value: str | None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date."""
    if not value:
        return None
    with contextlib.suppress(ValueError):
        return max(0.0, float(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
