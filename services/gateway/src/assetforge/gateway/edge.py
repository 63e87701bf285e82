"""The outermost ASGI layer, around Litestar, for every HTTP request (including the
ones no route matches, which Litestar's own middleware never sees):

request id -> body size -> CORS (and preflight) -> authentication -> CSRF -> rate
limit -> the app; and on every response the request id, security headers, CORS and
rate-limit headers, ``Cache-Control: no-store`` for authenticated API responses, and
HTTP metrics labelled by route template.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import msgspec
from opentelemetry.trace import SpanKind, StatusCode

from assetforge.common.contracts.errors import HTTP_STATUS, ErrorCode
from assetforge.common.errors import Unauthorized
from assetforge.common.observability.context import accept_request_id, request_id_var
from assetforge.common.observability.tracing import extract_context, tracer, tracing_enabled
from assetforge.gateway.auth.authenticator import Authenticator
from assetforge.gateway.auth.cache import Identity
from assetforge.gateway.client_address import Network
from assetforge.gateway.cors import UNSAFE_METHODS, CorsPolicy
from assetforge.gateway.metrics import HttpMetrics
from assetforge.gateway.ratelimit import RateLimiter, bucket_for, client_key
from assetforge.gateway.security_headers import NO_STORE

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Header = tuple[bytes, bytes]

IDENTITY = "af.identity"
UNMATCHED = "unmatched"
REFUSED = "refused"
# Anything else a client sends is one label, so metrics cannot be flooded with series.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_JSON = (b"content-type", b"application/json")
_BEARER_CHALLENGE = (b"www-authenticate", b'Bearer realm="asset-forge"')


def identity_of(scope: Any) -> Identity | None:
    """The caller the edge authenticated for this request, if any."""
    identity: Identity | None = scope.get(IDENTITY)
    return identity


@dataclass(frozen=True, slots=True)
class EdgePolicy:
    cors: CorsPolicy
    security_headers: tuple[Header, ...]
    max_body_bytes: int
    trusted_proxies: tuple[Network, ...]
    # The `Allow` value of each route template (every method it answers).
    allowed_methods: Mapping[str, bytes]


class EdgeMiddleware:
    def __init__(
        self,
        app: Any,
        metrics: HttpMetrics,
        policy: EdgePolicy,
        authenticator: Authenticator,
        limiter: RateLimiter | None,
    ) -> None:
        self.app = app
        self._metrics = metrics
        self._policy = policy
        self._authenticator = authenticator
        self._limiter = limiter
        self._observers: dict[tuple[str, str, int], tuple[Any, Any, Any, Any]] = {}
        self._traced = tracing_enabled()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif self._traced:
            await self._traced_call(scope, receive, send)
        else:
            await self._handle(scope, receive, send)

    async def _traced_call(self, scope: Scope, receive: Receive, send: Send) -> None:
        carrier = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        with tracer().start_as_current_span(
            f"{scope['method']} {scope['path']}",
            context=extract_context(carrier),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": scope["method"], "url.path": scope["path"]},
        ) as span:
            status = await self._handle(scope, receive, send)
            route = scope.get("path_template") or UNMATCHED
            span.update_name(f"{scope['method']} {route}")
            span.set_attribute("http.route", route)
            span.set_attribute("http.response.status_code", status)
            if status >= 500:
                span.set_status(StatusCode.ERROR)

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> int:  # noqa: PLR0911 - one exit per refusal
        started = time.perf_counter()
        request = _RequestHeaders(scope["headers"])
        request_id = accept_request_id(request.request_id)
        request_id_var.set(request_id)
        extra: list[Header] = [(b"x-request-id", request_id.encode()), *self._policy.security_headers]
        method: str = scope["method"]
        exchange = _Exchange(self, scope, send, extra, started)

        if request.content_length > self._policy.max_body_bytes:
            limit = self._policy.max_body_bytes // (1024 * 1024)
            return await exchange.refuse(ErrorCode.PAYLOAD_TOO_LARGE, f"the request body exceeds {limit} MB")

        origin = request.origin
        origin_allowed = origin is not None and self._policy.cors.allows(origin)
        if origin is not None:
            if method == "OPTIONS" and request.preflight:
                if not origin_allowed:
                    return await exchange.refuse(ErrorCode.FORBIDDEN, "this origin may not call the API")
                extra.extend(self._policy.cors.preflight_headers(origin))
                return await exchange.empty(204)
            if origin_allowed:
                extra.extend(self._policy.cors.response_headers(origin))

        try:
            identity = await self._authenticator.authenticate(request.authorization)
        except Unauthorized as error:
            extra.append(_BEARER_CHALLENGE)
            return await exchange.refuse(ErrorCode.UNAUTHORIZED, error.message)
        scope[IDENTITY] = identity

        # CSRF: a browser never sends an API key on its own, so only those writes pass.
        cross_site_write = origin is not None and not origin_allowed and method in UNSAFE_METHODS
        if cross_site_write and (identity is None or identity.api_key_id is None):
            return await exchange.refuse(ErrorCode.FORBIDDEN, "cross-origin request refused")

        bucket = bucket_for(method, scope["path"])
        if bucket is not None and self._limiter is not None:
            principal_id = identity.principal.user_id if identity else None
            key = client_key(scope.get("client"), scope["headers"], principal_id, self._policy.trusted_proxies)
            decision = await self._limiter.check(bucket, key)
            extra.extend(self._limiter.headers(decision))
            if not decision.allowed:
                return await exchange.refuse(
                    ErrorCode.RATE_LIMIT_EXCEEDED,
                    f"too many requests; retry in {decision.retry_after_s} s",
                    retry_after=decision.retry_after_s,
                )

        return await exchange.forward(receive, no_store=identity is not None)

    def allow(self, scope: Scope, headers: list[Header]) -> list[Header]:
        """Litestar 2 answers OPTIONS on a path served by several handlers with the methods
        of the first one registered only (fixed in Litestar 3): state them all."""
        allow = self._policy.allowed_methods.get(scope.get("path_template") or "")
        if allow is None:
            return headers
        return [*(header for header in headers if header[0].lower() != b"allow"), (b"allow", allow)]

    def observe(  # noqa: PLR0917 - one observation's figures
        self, scope: Scope, route: str, status: int, seconds: float, received: int, sent: int
    ) -> None:
        method = scope["method"] if scope["method"] in _METHODS else "OTHER"
        key = (method, route, status)
        observers = self._observers.get(key)
        if observers is None:
            labels = (method, route, str(status))
            m = self._metrics
            observers = self._observers[key] = (
                m.duration.labels(*labels),
                m.requests.labels(*labels),
                m.request_size.labels(*labels),
                m.response_size.labels(*labels),
            )
        duration, count, request_size, response_size = observers
        duration.observe(seconds)
        count.inc()
        request_size.observe(received)
        response_size.observe(sent)


class _RequestHeaders:
    """The few request headers the edge reads, found in one pass."""

    __slots__ = ("authorization", "content_length", "origin", "preflight", "request_id")

    def __init__(self, raw: list[tuple[bytes, bytes]]) -> None:
        self.request_id: str | None = None
        self.origin: str | None = None
        self.authorization: str | None = None
        self.content_length = 0
        self.preflight = False
        for name, value in raw:
            if name == b"x-request-id":
                self.request_id = value.decode("latin-1")
            elif name == b"origin":
                self.origin = value.decode("latin-1")
            elif name == b"authorization":
                self.authorization = value.decode("latin-1")
            elif name == b"content-length":
                self.content_length = int(value) if value.isdigit() else 0
            elif name == b"access-control-request-method":
                self.preflight = True


class _Exchange:
    """One request's way out: refused at the edge, or forwarded to the app."""

    __slots__ = ("_edge", "_extra", "_scope", "_send", "_started")

    def __init__(self, edge: EdgeMiddleware, scope: Scope, send: Send, extra: list[Header], started: float) -> None:
        self._edge = edge
        self._scope = scope
        self._send = send
        self._extra = extra
        self._started = started

    async def refuse(self, code: ErrorCode, message: str, *, retry_after: int | None = None) -> int:
        body: dict[str, Any] = {"error": code.value, "message": message, "requestId": request_id_var.get() or ""}
        headers = [*self._extra, _JSON]
        if retry_after is not None:
            # The Retry-After header comes with the limiter's headers.
            body["retryAfter"] = retry_after
        payload = msgspec.json.encode(body)
        status = HTTP_STATUS[code]
        await self._send({"type": "http.response.start", "status": status, "headers": headers})
        await self._send({"type": "http.response.body", "body": payload})
        self._edge.observe(self._scope, REFUSED, status, time.perf_counter() - self._started, 0, len(payload))
        return status

    async def empty(self, status: int) -> int:
        await self._send({"type": "http.response.start", "status": status, "headers": self._extra})
        await self._send({"type": "http.response.body", "body": b""})
        self._edge.observe(self._scope, REFUSED, status, time.perf_counter() - self._started, 0, 0)
        return status

    async def forward(self, receive: Receive, *, no_store: bool) -> int:
        status = 500
        received = 0
        sent = 0
        extra = self._extra
        options = self._scope["method"] == "OPTIONS"

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
            return message

        async def stamping_send(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", ()), *extra]
                if options:
                    headers = self._edge.allow(self._scope, headers)
                if no_store and not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append(NO_STORE)
                message["headers"] = headers
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await self._send(message)

        try:
            await self._edge.app(self._scope, counting_receive, stamping_send)
        finally:
            route = self._scope.get("path_template") or UNMATCHED
            self._edge.observe(self._scope, route, status, time.perf_counter() - self._started, received, sent)
        return status
