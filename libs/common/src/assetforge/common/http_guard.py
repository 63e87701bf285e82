"""uvicorn's httptools protocol with the limits it lacks.

uvicorn (0.54) bounds neither the size of a request head nor the time a client may
take to send it or its body under httptools: a body shorter than its Content-Length, a
head that never ends or a connection that sends nothing held its connection forever,
and a header of any size was buffered whole. This subclass adds, per connection:

* a head size limit: the request line and headers together; more is answered 431;
* a head timeout: a head must be complete this long after its first byte (for the
  first request, after the connection opened), else 408 (a silent close when the
  client never sent a byte, so nothing is answered that nobody asked);
* a body timeout: a body in progress may be silent this long, else 408 (or a bare
  close once a response has started); the app then receives ``http.disconnect``. Time
  the app itself spends not reading (uvicorn stops reading the socket once 64 KiB
  wait, and a client sending ``Expect: 100-continue`` waits to be asked) is not silence.

Cost: the common request, whose head and body arrive in one read, starts no timer and
makes no extra allocation; only a head or body left unfinished at the end of a read
arms one ``call_later`` timer, which is re-armed at most once per timeout period.
"""

from __future__ import annotations

import asyncio
import http
import socket
from typing import Any, ClassVar

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from assetforge.common.settings import HttpSettings

_HEAD_END = b"\r\n\r\n"


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """Pass a subclass made by :func:`guarded_protocol` as uvicorn's ``http=``."""

    limits: ClassVar[HttpSettings] = HttpSettings(host="127.0.0.1", port=0)

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        # Bytes of the head under way (reads that began outside a body, since the last
        # head ended), and the last bytes of the previous read when a head spans reads.
        self._head_bytes = 0
        self._tail = b""
        self._in_body = False
        self._body_seen = 0.0
        self._head_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # asyncio turns Nagle's algorithm off only for sockets made with proto=IPPROTO_TCP,
        # and serve.listen()'s are made with 0: every keep-alive response after the first
        # waited out the client's delayed ACK (~40 ms) between its head and its body.
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in {socket.AF_INET, socket.AF_INET6}:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # uvicorn's keep-alive timer starts only after a first response.
        self._head_timer = self.loop.call_later(self.limits.header_timeout_s, self._head_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self._cancel_timers()

    def data_received(self, data: bytes) -> None:
        if not self._in_body:
            if self._head_bytes + len(data) > self.limits.max_header_bytes and self._head_over_limit(data):
                cycle = self.cycle
                self._close(431 if cycle is None or cycle.response_complete else None)
                return
            self._head_bytes += len(data)
        super().data_received(data)
        if self._in_body:
            self._body_seen = self.loop.time()
            if self._body_timer is None:
                self._body_timer = self.loop.call_later(self.limits.body_timeout_s, self._body_stalled)
        elif self._head_under_way():
            # Rare: the head continues in a later read.
            self._tail = data[-3:]
            if self._head_timer is None:
                self._head_timer = self.loop.call_later(self.limits.header_timeout_s, self._head_timed_out)

    def _head_under_way(self) -> bool:
        # uvicorn gives each request a fresh scope when its first byte is parsed, and
        # sets its method once the head is complete (one less parser callback to wrap).
        scope: dict[str, Any] | None = self.scope  # type: ignore[assignment]
        return scope is not None and "method" not in scope

    def _head_over_limit(self, data: bytes) -> bool:
        """Whether the head under way, which may end inside ``data``, exceeds the limit.

        Only asked when this read takes the count over the limit: a read can also hold
        the body (an upload's first read) or further pipelined requests.
        """
        window = self._tail + data
        end = window.find(_HEAD_END)
        if end < 0:
            return True
        return self._head_bytes - len(self._tail) + end + len(_HEAD_END) > self.limits.max_header_bytes

    # httptools calls these as it parses.

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._head_bytes = 0
        self._tail = b""
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        # A WebSocket upgrade hands the transport to another protocol: no body follows.
        self._in_body = not (self.parser.should_upgrade() and self._should_upgrade())

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_body = False
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    # Timers.

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            # An earlier pipelined request is still being answered: close after it.
            cycle.keep_alive = False
        else:
            self._close(408 if self._head_under_way() else None)

    def _body_stalled(self) -> None:
        self._body_timer = None
        if not self._in_body or self.transport.is_closing():
            return
        now = self.loop.time()
        if self.flow.read_paused or self.cycle.waiting_for_100_continue:
            self._body_seen = now  # the app has not asked for more: the wait is not the client's
        quiet = now - self._body_seen
        if quiet < self.limits.body_timeout_s:
            self._body_timer = self.loop.call_later(self.limits.body_timeout_s - quiet, self._body_stalled)
        else:
            self._close(None if self.cycle.response_started else 408)

    def _close(self, status: int | None) -> None:
        """Close the connection, first answering ``status`` when given."""
        if status is not None:
            reason = http.HTTPStatus(status).phrase.encode()
            content = [STATUS_LINE[status]]
            for name, value in self.server_state.default_headers:
                content.extend([name, b": ", value, b"\r\n"])
            content.extend(
                [
                    b"content-type: text/plain; charset=utf-8\r\n",
                    b"content-length: %d\r\n" % len(reason),
                    b"connection: close\r\n\r\n",
                    reason,
                ]
            )
            self.transport.write(b"".join(content))
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            # What connection_lost will do, now: the app's response is not written
            # after ours, and a pending receive() returns http.disconnect.
            cycle.disconnected = True
            cycle.message_event.set()
        self._cancel_timers()
        self.transport.close()

    def _cancel_timers(self) -> None:
        for timer in (self._head_timer, self._body_timer):
            if timer is not None:
                timer.cancel()
        self._head_timer = self._body_timer = None


def guarded_protocol(limits: HttpSettings) -> type[GuardedHttpToolsProtocol]:
    """The protocol class to pass as uvicorn's ``http=``, enforcing ``limits``."""

    class Guarded(GuardedHttpToolsProtocol):
        pass

    Guarded.limits = limits
    return Guarded
