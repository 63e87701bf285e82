"""One request's headers as the edge reads them, and its way out: refused at the edge
or forwarded to the app, measured either way."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Protocol

import msgspec

from assetforge.common.contracts.errors import HTTP_STATUS, ErrorCode
from assetforge.common.observability.context import request_id_var
from assetforge.gateway.catalog_cache import Kept
from assetforge.gateway.edge.security_headers import NO_STORE
from assetforge.gateway.schemas.errors import ErrorBody

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Header = tuple[bytes, bytes]

UNMATCHED = "unmatched"
REFUSED = "refused"
_JSON = (b"content-type", b"application/json")
_encoder = msgspec.json.Encoder()
_NOT_IN_304 = frozenset({b"content-type", b"link", b"x-next-cursor"})


class Edge(Protocol):
    """What an exchange needs of the middleware that made it."""

    app: Any

    def allow(self, scope: Scope, headers: list[Header]) -> list[Header]: ...

    def observe(  # noqa: PLR0917 - one observation's figures
        self, scope: Scope, route: str, status: int, seconds: float, received: int, sent: int
    ) -> None: ...


class Answered(Exception):
    """The edge has answered the request itself (a refusal); ``status`` is what it sent."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class RequestHeaders:
    """The few request headers the edge reads, found in one pass."""

    __slots__ = ("authorization", "content_length", "if_none_match", "origin", "preflight", "request_id")

    def __init__(self, raw: list[tuple[bytes, bytes]]) -> None:
        self.request_id: str | None = None
        self.origin: str | None = None
        self.authorization: str | None = None
        self.content_length = 0
        self.preflight = False
        self.if_none_match: str | None = None
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
            elif name == b"if-none-match":
                self.if_none_match = value.decode("latin-1")


class Exchange:
    """One request's way out: refused at the edge, or forwarded to the app."""

    __slots__ = ("_edge", "_extra", "_scope", "_send", "_started")

    def __init__(self, edge: Edge, scope: Scope, send: Send, extra: list[Header], started: float) -> None:
        self._edge = edge
        self._scope = scope
        self._send = send
        self._extra = extra
        self._started = started

    def add_header(self, header: Header) -> None:
        self._extra.append(header)

    async def refuse(self, code: ErrorCode, message: str, *, retry_after: int | None = None) -> int:
        # The Retry-After header comes with the limiter's headers; the body says it too.
        body = ErrorBody(error=code, message=message, request_id=request_id_var.get() or "", retry_after=retry_after)
        headers = [*self._extra, _JSON]
        payload = _encoder.encode(body)
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

    async def replay(self, kept: Kept, if_none_match: str | None) -> int:
        """A reply kept by the catalog cache, sent again (or its 304)."""
        if kept.unchanged_for(if_none_match):
            status, body = 304, b""
            headers = [header for header in kept.headers if header[0] not in _NOT_IN_304]
        else:
            status, body = 200, kept.body
            headers = [*kept.headers, (b"content-length", str(len(body)).encode())]
        await self._send({"type": "http.response.start", "status": status, "headers": [*headers, *self._extra]})
        await self._send({"type": "http.response.body", "body": body})
        self._edge.observe(self._scope, kept.route, status, time.perf_counter() - self._started, 0, len(body))
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
