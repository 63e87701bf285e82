"""The outermost ASGI layer, around Litestar, for every HTTP request (including the
ones no route matches, which Litestar's own middleware never sees):

request id -> body size -> CORS (and preflight) -> authentication -> CSRF -> rate
limit -> the catalog cache (anonymous reads kept in memory) -> the app; and on every
response the request id, security headers, CORS and rate-limit headers,
``Cache-Control: no-store`` for authenticated API responses, and HTTP metrics labelled
by route template.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.trace import SpanKind, StatusCode

from assetforge.common.contracts.errors import ErrorCode
from assetforge.common.errors import Unauthorized
from assetforge.common.observability.context import accept_request_id, request_id_var
from assetforge.common.observability.tracing import extract_context, tracer, tracing_enabled
from assetforge.gateway.auth.authenticator import Authenticator
from assetforge.gateway.auth.cache import IDENTITY, Identity
from assetforge.gateway.auth.query_token import QueryTokenRoutes
from assetforge.gateway.catalog_cache import CatalogCache
from assetforge.gateway.edge.client_address import client_key
from assetforge.gateway.edge.cors import UNSAFE_METHODS, CorsPolicy
from assetforge.gateway.edge.exchange import (
    UNMATCHED,
    Answered,
    Exchange,
    Header,
    Receive,
    RequestHeaders,
    Scope,
    Send,
)
from assetforge.gateway.edge.metrics import HttpMetrics
from assetforge.gateway.ratelimit import (
    AUTH_FAILURES,
    BucketRules,
    Decision,
    RateLimiter,
    rate_limit_headers,
)
from assetforge.gateway.settings import Network

# Anything else a client sends is one label, so metrics cannot be flooded with series.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_BEARER_CHALLENGE = (b"www-authenticate", b'Bearer realm="asset-forge"')


@dataclass(frozen=True, slots=True)
class EdgePolicy:
    cors: CorsPolicy
    security_headers: tuple[Header, ...]
    max_body_bytes: int
    trusted_proxies: tuple[Network, ...]
    # The `Allow` value of each route template (every method it answers).
    allowed_methods: Mapping[str, bytes]
    # Which bucket each route counts against, as the routes declare it.
    buckets: BucketRules
    # The routes that take ``?access_token=`` (event streams), taken out of the query here.
    query_tokens: QueryTokenRoutes = field(default_factory=QueryTokenRoutes)


class EdgeMiddleware:
    def __init__(
        self,
        app: Any,
        metrics: HttpMetrics,
        policy: EdgePolicy,
        authenticator: Authenticator,
        limiter: RateLimiter | None,
        *,
        catalog: CatalogCache | None = None,
    ) -> None:
        self.app = app
        self._catalog = catalog
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
        request = RequestHeaders(scope["headers"])
        # First, so that nothing after this (the app, its logs, traces) sees it in the query.
        query_token = self._policy.query_tokens.take(scope)
        authorization = request.authorization
        if authorization is None and query_token is not None:
            authorization = f"Bearer {query_token}"
        request_id = accept_request_id(request.request_id)
        request_id_var.set(request_id)
        extra: list[Header] = [(b"x-request-id", request_id.encode()), *self._policy.security_headers]
        method: str = scope["method"]
        exchange = Exchange(self, scope, send, extra, started)

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
            identity = await self._authenticate(scope, authorization, exchange)
        except Answered as answered:
            return answered.status
        scope[IDENTITY] = identity

        # CSRF: a browser never sends an API key on its own, so only those writes pass.
        cross_site_write = origin is not None and not origin_allowed and method in UNSAFE_METHODS
        if cross_site_write and (identity is None or identity.api_key_id is None):
            return await exchange.refuse(ErrorCode.FORBIDDEN, "cross-origin request refused")

        bucket = self._policy.buckets.bucket_for(method, scope["path"])
        limiter = self._limiter
        if bucket is not None and limiter is not None:
            principal_id = identity.principal.user_id if identity else None
            key = client_key(scope.get("client"), scope["headers"], principal_id, self._policy.trusted_proxies)
            decision = await limiter.check(bucket, key)
            if not decision.allowed:
                return await self._too_many(exchange, decision, "too many requests")
            extra.extend(rate_limit_headers(decision))

        if identity is None and method == "GET" and self._catalog is not None:
            kept = self._catalog.lookup(scope["path"], scope["query_string"])
            if kept is not None:
                return await exchange.replay(kept, request.if_none_match)
        return await exchange.forward(receive, no_store=identity is not None)

    async def _authenticate(self, scope: Scope, authorization: str | None, exchange: Exchange) -> Identity | None:
        """The caller, or :class:`Answered` once a 401 or 429 has been sent.

        Failed sign-ins count per address; once over their limit, only a credential this
        replica has already verified gets through (a guess never is one). That check is a
        local lookup, made only while some address is over: no cost for anyone else.
        """
        limiter = self._limiter
        if authorization is not None and limiter is not None and limiter.refusals_pending(AUTH_FAILURES):
            locked = limiter.refusing(AUTH_FAILURES, self._address(scope))
            if locked is not None and self._authenticator.cached(authorization) is None:
                raise Answered(await self._too_many(exchange, locked, "too many failed sign-ins"))
        try:
            return await self._authenticator.authenticate(authorization)
        except Unauthorized as error:
            if limiter is not None:
                failures = await limiter.check(AUTH_FAILURES, self._address(scope))
                if not failures.allowed:
                    raise Answered(await self._too_many(exchange, failures, "too many failed sign-ins")) from error
            exchange.add_header(_BEARER_CHALLENGE)
            raise Answered(await exchange.refuse(ErrorCode.UNAUTHORIZED, error.message)) from error

    def _address(self, scope: Scope) -> str:
        return client_key(scope.get("client"), scope["headers"], None, self._policy.trusted_proxies)

    async def _too_many(self, exchange: Exchange, decision: Decision, reason: str) -> int:
        for header in rate_limit_headers(decision):
            exchange.add_header(header)
        return await exchange.refuse(
            ErrorCode.RATE_LIMIT_EXCEEDED,
            f"{reason}; retry in {decision.retry_after_s} s",
            retry_after=decision.retry_after_s,
        )

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
