"""The CDN's upload API, as the mirror speaks it.

``POST {CDN_URL}/api/upload`` with ``X-API-Key``, a multipart body with a ``directory``
field and a ``files`` part named ``{assetId}/{fileName}``; the CDN then serves the file
at ``{CDN_URL}/{directory}/{assetId}/{fileName}``. The body is streamed from the blob
store as the CDN reads it, never held whole.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

log = logging.getLogger(__name__)

# Per network operation; the whole upload is bounded by the upload timeout on top.
_TIMEOUTS = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)
# Readiness reuses the last upload's outcome, or a probe's, for this long: at most one
# request to the CDN per process and period on behalf of probes, never one per probe.
HEALTH_REUSE_S = 60.0
_PROBE_TIMEOUT_S = 0.8  # inside the readiness check's own timeout (1 s)
_UNSAFE_IN_NAME = set('"\\\r\n')


class CdnRejected(Exception):
    """The CDN refused the file (a 4xx other than 408 and 429): retrying will not help."""


class CdnUnavailable(Exception):
    """The CDN failed (5xx, 408, 429), timed out or could not be reached: try again later."""


@dataclass(frozen=True, slots=True)
class CdnTarget:
    """Where a file goes on the CDN: ``{directory}/{asset_id}/{file_name}``."""

    directory: str
    asset_id: str
    file_name: str

    @property
    def upload_name(self) -> str:
        return f"{self.asset_id}/{self.file_name}"


class CdnClient:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        upload_timeout_s: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._upload_timeout_s = upload_timeout_s
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        # The last thing learnt about the CDN: (reachable, when, on the monotonic clock).
        self._last: tuple[bool, float] | None = None

    async def open(self) -> None:
        self._client = httpx.AsyncClient(timeout=_TIMEOUTS, transport=self._transport, follow_redirects=False)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def public_url(self, target: CdnTarget) -> str:
        return f"{self.base_url}/{target.directory}/{target.upload_name}"

    async def upload(self, target: CdnTarget, *, size: int, content_type: str, chunks: AsyncIterator[bytes]) -> str:
        """Upload ``size`` bytes from ``chunks``; returns the file's CDN URL. Raises
        :class:`CdnRejected` or :class:`CdnUnavailable`; errors of ``chunks`` pass through."""
        client = self._require_client()
        if _UNSAFE_IN_NAME & set(target.directory + target.upload_name):
            raise CdnRejected(f"{target.upload_name!r} cannot be named in a multipart header")
        boundary = secrets.token_hex(16)
        # The directory comes before the file: a CDN that writes parts as they arrive
        # must know where the file goes when it reaches it.
        head = (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="directory"\r\n\r\n'
            f"{target.directory}\r\n"
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="files"; filename="{target.upload_name}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()

        async def body() -> AsyncIterator[bytes]:
            yield head
            async for chunk in chunks:
                yield chunk
            yield tail

        headers = {
            "X-API-Key": self._api_key,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            # Known in advance, so the CDN gets a length rather than a chunked body.
            "Content-Length": str(len(head) + size + len(tail)),
        }
        try:
            async with asyncio.timeout(self._upload_timeout_s):
                response = await client.post(f"{self.base_url}/api/upload", content=body(), headers=headers)
        except (httpx.TimeoutException, TimeoutError) as exc:
            raise self._unavailable(f"upload timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise self._unavailable(f"could not reach the CDN: {type(exc).__name__}: {exc}") from exc
        status = response.status_code
        if status in (408, 429) or status >= 500:
            raise self._unavailable(f"the CDN answered {status}")
        self._last = (True, time.monotonic())
        if not 200 <= status < 300:
            raise CdnRejected(f"the CDN refused the file: {status} {response.text[:300]}")
        return self.public_url(target)

    @property
    def last_outcome(self) -> bool | None:
        """Whether the CDN answered the last upload or probe; None before either."""
        return None if self._last is None else self._last[0]

    async def reachable(self) -> bool:
        """Readiness: the last upload's outcome, or a HEAD on the CDN, reused for
        ``HEALTH_REUSE_S``. Any answer below 500 means the CDN is there."""
        now = time.monotonic()
        if self._last is not None and now - self._last[1] < HEALTH_REUSE_S:
            return self._last[0]
        try:
            response = await self._require_client().head(self.base_url, timeout=_PROBE_TIMEOUT_S)
            reachable = response.status_code < 500
        except httpx.HTTPError as exc:
            log.warning("the CDN at %s does not answer: %s", self.base_url, type(exc).__name__)
            reachable = False
        self._last = (reachable, now)
        return reachable

    def _unavailable(self, reason: str) -> CdnUnavailable:
        self._last = (False, time.monotonic())
        return CdnUnavailable(reason)

    def _require_client(self) -> httpx.AsyncClient:
        if self._client is None:
            raise RuntimeError("the CDN client is not open")
        return self._client
