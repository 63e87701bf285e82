"""The outermost ASGI layer: request ids and HTTP metrics for every request,
including the ones no route matched (Litestar's own middleware never sees those)."""

from __future__ import annotations

import time
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send
from opentelemetry.trace import SpanKind, StatusCode

from assetforge.common.observability.context import accept_request_id, request_id_var
from assetforge.common.observability.tracing import extract_context, tracer, tracing_enabled
from assetforge.gateway.metrics import HttpMetrics

_REQUEST_ID = b"x-request-id"
UNMATCHED = "unmatched"
# Anything else a client sends is one label, so metrics cannot be flooded with series.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class EdgeMiddleware:
    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self._metrics = metrics
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

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> int:
        started = time.perf_counter()
        sent_id = None
        for name, value in scope["headers"]:
            if name == _REQUEST_ID:
                sent_id = value.decode("latin-1")
                break
        request_id = accept_request_id(sent_id)
        request_id_var.set(request_id)
        id_header = (_REQUEST_ID, request_id.encode())
        status = 500
        received = 0
        response_bytes = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
            return message

        async def stamping_send(message: Message) -> None:
            nonlocal status, response_bytes
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), id_header]
            elif message["type"] == "http.response.body":
                response_bytes += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, stamping_send)
        finally:
            self._observe(scope, status, time.perf_counter() - started, received, response_bytes)
        return status

    def _observe(self, scope: Scope, status: int, seconds: float, received: int, sent: int) -> None:
        route = scope.get("path_template") or UNMATCHED
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
