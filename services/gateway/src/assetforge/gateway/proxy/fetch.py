"""Fetching one remote image for the browser: the URL checked, each host (the first and
every redirect's) resolved once and every address it has checked before the connection
(connect.py), the answer checked to be an image of a type we serve by its first bytes,
and the rest streamed within the size cap and the deadline."""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

import httpcore

from assetforge.common.errors import BadRequest, ExternalServiceError, GatewayTimeout, ValidationFailed
from assetforge.gateway.proxy.addresses import FIELD, Allowed, IPAddress, Target, check_addresses, parse_url
from assetforge.gateway.proxy.connect import NoSuchHost, PinnedBackend, Resolver, pinned, resolve
from assetforge.gateway.proxy.sniff import KINDS, SNIFF_BYTES, sniff
from assetforge.gateway.settings import ImageProxySettings

log = logging.getLogger(__name__)

CACHE_CONTROL = "public, max-age=31536000, immutable"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Nothing of the caller's (cookies, credentials, address) goes upstream. Identity encoding:
# the bytes checked are the image's, and a browser could not read a compressed one anyway.
_REQUEST_HEADERS = [
    (b"User-Agent", b"asset-forge-image-proxy"),
    (b"Accept", b"image/avif,image/webp,image/png,image/*;q=0.8"),
    (b"Accept-Encoding", b"identity"),
]
# Network failures, as httpcore and the resolver raise them.
_UNREACHABLE = (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol, OSError)


class ImageCutOff(Exception):
    """The body failed after the answer began; the client's connection is dropped, so a
    truncated image is never taken (and cached) for a whole one."""


def _header(response: httpcore.Response, name: bytes) -> str | None:
    return next((value.decode("latin-1") for key, value in response.headers if key.lower() == name), None)


@dataclass(frozen=True, slots=True)
class _Upstream:
    response: httpcore.Response
    deadline: float
    max_bytes: int


class ProxiedImage:
    """An image on its way to the client: its type and headers, then its bytes."""

    def __init__(
        self,
        *,
        media_type: str,
        url: str,
        length: int | None,
        head: bytes,
        rest: AsyncIterator[bytes],
        upstream: _Upstream,
    ) -> None:
        self.media_type = media_type
        self.headers = {"Cache-Control": CACHE_CONTROL, "X-Proxied-From": url}
        if length is not None:
            self.headers["Content-Length"] = str(length)
        self._url = url
        self._head = head
        self._rest = rest
        self._upstream = upstream

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body: the bytes already read, then the rest as it arrives, within the cap
        and the deadline; the upstream response is closed however it ends."""
        received = len(self._head)
        upstream = self._upstream
        try:
            yield self._head
            while True:
                try:
                    async with asyncio.timeout_at(upstream.deadline):
                        chunk = await anext(self._rest, None)
                except (TimeoutError, httpcore.TimeoutException):
                    raise self._cut(received, "it did not arrive in time") from None
                except _UNREACHABLE as error:
                    raise self._cut(received, f"the connection failed ({type(error).__name__})") from None
                if chunk is None:
                    return
                received += len(chunk)
                if received > upstream.max_bytes:
                    raise self._cut(received, f"it is larger than {upstream.max_bytes // (1024 * 1024)} MB")
                yield chunk
        finally:
            await upstream.response.aclose()

    def _cut(self, received: int, why: str) -> ImageCutOff:
        log.warning("image proxy dropped %s after %d bytes: %s", self._url, received, why)
        return ImageCutOff(f"{self._url}: {why}")


class ImageProxy:
    """Fetches images from public addresses (and those ``settings`` allows) for the browser.
    ``resolver``, ``connector`` (the network backend under the pins) and ``ssl_context``
    are for tests to observe or replace what the proxy asks of the network."""

    def __init__(
        self,
        settings: ImageProxySettings,
        *,
        resolver: Resolver = resolve,
        connector: httpcore.AsyncNetworkBackend | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._settings = settings
        self._allowed = Allowed(settings.allow_networks, settings.allow_hosts)
        self._resolver = resolver
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or httpcore.default_ssl_context(),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=30.0,
            network_backend=PinnedBackend(connector or httpcore.AnyIOBackend()),
        )

    async def aclose(self) -> None:
        await self._pool.aclose()

    async def fetch(self, url: str) -> ProxiedImage:
        """The image at ``url``, its first bytes read and checked; the rest streams."""
        first = parse_url(url)
        timeout = self._settings.timeout_s
        deadline = asyncio.get_running_loop().time() + timeout
        try:
            async with asyncio.timeout_at(deadline):
                response = await self._follow(first, deadline)
                return await self._open(first, _Upstream(response, deadline, self._settings.max_bytes))
        except (TimeoutError, httpcore.TimeoutException):
            raise GatewayTimeout(f"the image did not arrive within {timeout:g} s") from None
        except _UNREACHABLE as error:
            raise ExternalServiceError(f"the image host could not be reached ({type(error).__name__})") from None

    async def _follow(self, target: Target, deadline: float) -> httpcore.Response:
        redirects = 0
        while True:
            addresses = await self._addresses(target, redirected=redirects > 0)
            response = await self._send(target, addresses, deadline)
            if response.status not in _REDIRECTS:
                return response
            location = _header(response, b"location")
            await response.aclose()
            if location is None:
                raise ExternalServiceError(f"the image host answered {response.status} without a Location")
            if redirects == self._settings.max_redirects:
                raise ExternalServiceError(f"the image host redirected more than {redirects} times")
            redirects += 1
            try:
                target = parse_url(urljoin(target.url, location))
            except BadRequest as error:
                raise ExternalServiceError(f"the image host redirected to an unusable URL: {error.message}") from None

    async def _addresses(self, target: Target, *, redirected: bool) -> tuple[IPAddress, ...]:
        found: Sequence[IPAddress] = []
        if target.address is not None:
            found = [target.address]
        else:
            try:
                found = await self._resolver(target.host, target.port)
            except NoSuchHost:
                found = []
        if not found:
            if redirected:
                raise ExternalServiceError(f"the image host redirected to {target.host}, which does not resolve")
            raise ValidationFailed.of(FIELD, f"names a host that does not resolve: {target.host}")
        return check_addresses(target.host, found, self._allowed, redirected=redirected)

    async def _send(self, target: Target, addresses: tuple[IPAddress, ...], deadline: float) -> httpcore.Response:
        remaining = max(deadline - asyncio.get_running_loop().time(), 0.001)
        request = httpcore.Request(
            b"GET",
            httpcore.URL(
                scheme=target.scheme.encode(),
                host=target.host.encode(),
                port=target.port,
                target=target.target.encode(),
            ),
            headers=[(b"Host", target.authority.encode()), *_REQUEST_HEADERS],
            extensions={"timeout": dict.fromkeys(("connect", "read", "write", "pool"), remaining)},
        )
        with pinned(target.host, target.port, addresses):
            return await self._pool.handle_async_request(request)

    async def _open(self, first: Target, upstream: _Upstream) -> ProxiedImage:
        """Check the answer and its first bytes; the response is closed if they fail."""
        response = upstream.response
        try:
            length = _check_head(response, upstream.max_bytes)
            rest = response.aiter_stream()
            head, media_type = await _sniffed(rest)
        except BaseException:
            await response.aclose()
            raise
        return ProxiedImage(
            media_type=media_type, url=first.url, length=length, head=head, rest=rest, upstream=upstream
        )


def _check_head(response: httpcore.Response, max_bytes: int) -> int | None:
    """The declared length, once status, type, encoding and length are acceptable."""
    if response.status != 200:
        raise ExternalServiceError(f"the image host answered {response.status}")
    media = (_header(response, b"content-type") or "").partition(";")[0].strip().lower()
    if not media.startswith("image/"):
        raise ExternalServiceError(f"the image host answered {media or 'no content type'}, not an image")
    if media == "image/svg+xml":
        raise ExternalServiceError("SVG images are not proxied: they can carry script")
    encoding = (_header(response, b"content-encoding") or "identity").strip().lower()
    if encoding != "identity":
        raise ExternalServiceError(f"the image host sent a {encoding}-encoded body")
    declared = _header(response, b"content-length")
    length = int(declared) if declared is not None and declared.strip().isdigit() else None
    if length is not None and length > max_bytes:
        raise ExternalServiceError(f"the image is larger than {max_bytes // (1024 * 1024)} MB")
    return length


async def _sniffed(rest: AsyncIterator[bytes]) -> tuple[bytes, str]:
    """The body's first bytes and the image type they show (else the answer is refused)."""
    head = b""
    while len(head) < SNIFF_BYTES:
        chunk = await anext(rest, None)
        if chunk is None:
            break
        head += chunk
    media_type = sniff(head)
    if media_type is None:
        raise ExternalServiceError(f"the body is not a {KINDS} image")
    return head, media_type
