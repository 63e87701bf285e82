"""Slow and oversized requests cannot hold the server: a real uvicorn server, built by
serve()'s own ``server_config`` and ``listen`` with short limits set through the
settings, spoken to over raw sockets."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from assetforge.common.serve import listen, server_config
from assetforge.common.settings import Env, get_http_settings
from tests.support import wait_until

HEADER_TIMEOUT = 1.0
BODY_TIMEOUT = 1.0
MAX_HEADER_BYTES = 8192
# Scheduling on a busy two-core machine, not the guard's precision.
SLACK = 2.0
LIMITS = {
    "HTTP_HEADER_TIMEOUT_S": str(HEADER_TIMEOUT),
    "HTTP_BODY_TIMEOUT_S": str(BODY_TIMEOUT),
    "HTTP_MAX_HEADER_BYTES": str(MAX_HEADER_BYTES),
}


@dataclass
class Echo:
    """Reads the whole body and answers its length; ``/slow`` first sleeps."""

    disconnects: int = 0
    bodies: list[int] = field(default_factory=list)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["path"] == "/slow":
            await asyncio.sleep(HEADER_TIMEOUT + BODY_TIMEOUT + 0.5)
        received = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.disconnects += 1
                return
            received += len(message["body"])
            if not message.get("more_body"):
                break
        self.bodies.append(received)
        body = str(received).encode()
        headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@dataclass
class Served:
    app: Echo
    port: int
    url: str
    server: uvicorn.Server


class _QuietServer(uvicorn.Server):
    """No signal handlers: the test process keeps its own."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@pytest.fixture(scope="module")
async def served() -> AsyncIterator[Served]:
    env = Env({"NODE_ENV": "test", **LIMITS})
    http = get_http_settings(env, "HTTP_PORT", 0)
    env.check()
    app = Echo()
    server = _QuietServer(server_config(app, http, graceful_timeout=1))
    task = asyncio.create_task(server.serve(sockets=listen(http)))
    await wait_until(lambda: _started(server, task))
    port = server.servers[0].sockets[0].getsockname()[1]
    yield Served(app, port, f"http://127.0.0.1:{port}", server)
    server.should_exit = True
    await asyncio.wait_for(task, timeout=10)


async def _started(server: uvicorn.Server, task: asyncio.Task[None]) -> bool:
    if task.done():
        task.result()
    return server.started


async def _connect(served: Served) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", served.port)


async def _until_closed(reader: asyncio.StreamReader, timeout: float) -> bytes:
    """Everything the server sends until it closes; fails if it does not within ``timeout``."""
    try:
        return await asyncio.wait_for(reader.read(), timeout)
    except ConnectionResetError:
        return b""


STALLED_BODY = b"POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n" + b"x" * 10


async def test_a_body_shorter_than_its_content_length_is_answered_408(served: Served) -> None:
    disconnects = served.app.disconnects
    reader, writer = await _connect(served)
    writer.write(STALLED_BODY)
    started = time.monotonic()
    reply = await _until_closed(reader, BODY_TIMEOUT + SLACK)
    elapsed = time.monotonic() - started
    writer.close()
    assert reply.startswith(b"HTTP/1.1 408 "), reply
    assert b"connection: close" in reply.lower()
    assert elapsed >= BODY_TIMEOUT * 0.9, "closed before the body timeout"

    async def app_saw_the_disconnect() -> bool:
        return served.app.disconnects > disconnects

    await wait_until(app_saw_the_disconnect, timeout=2)


async def test_fifty_stalled_bodies_are_all_closed_while_normal_requests_are_answered(served: Served) -> None:
    connections = [await _connect(served) for _ in range(50)]
    for _, writer in connections:
        writer.write(STALLED_BODY)
    async with httpx.AsyncClient(base_url=served.url, timeout=1) as client:
        reply = await client.post("/upload", content=b"y" * 1000)
    assert reply.status_code == 200
    assert reply.text == "1000"
    replies = await asyncio.gather(*(_until_closed(reader, BODY_TIMEOUT + SLACK) for reader, _ in connections))
    for _, writer in connections:
        writer.close()
    assert all(reply.startswith(b"HTTP/1.1 408 ") for reply in replies)


async def test_a_body_that_keeps_arriving_is_not_cut_off(served: Served) -> None:
    reader, writer = await _connect(served)
    writer.write(b"POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 6\r\n\r\n")
    # Three times the body timeout in all, but never silent for as long as one.
    for _ in range(6):
        await asyncio.sleep(BODY_TIMEOUT / 2)
        writer.write(b"z")
    reply = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n6"), SLACK)
    writer.close()
    assert reply.startswith(b"HTTP/1.1 200 ")


async def test_an_app_slow_to_read_a_large_body_is_not_cut_off(served: Served) -> None:
    # The app sleeps before reading: uvicorn stops reading the socket, so no body
    # arrives for longer than the body timeout, through no fault of the client.
    async with httpx.AsyncClient(base_url=served.url, timeout=10) as client:
        reply = await client.post("/slow", content=b"b" * (1024 * 1024))
    assert reply.status_code == 200
    assert reply.text == str(1024 * 1024)


async def test_a_slow_response_to_a_complete_request_is_not_cut_off(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.url, timeout=10) as client:
        reply = await client.get("/slow")
    assert reply.status_code == 200


async def test_a_request_head_just_over_the_limit_is_answered_431(served: Served) -> None:
    reader, writer = await _connect(served)
    head = b"GET / HTTP/1.1\r\nHost: test\r\n" + b"".join(b"X-%d: %s\r\n" % (i, b"v" * 90) for i in range(100))
    assert MAX_HEADER_BYTES < len(head) < 2 * MAX_HEADER_BYTES
    writer.write(head)
    reply = await _until_closed(reader, SLACK)
    writer.close()
    assert reply.startswith(b"HTTP/1.1 431 "), reply


async def test_a_request_head_under_the_limit_is_served(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.url, timeout=2) as client:
        reply = await client.get("/", headers={"x-large": "v" * (MAX_HEADER_BYTES - 200)})
    assert reply.status_code == 200


def _resident_bytes() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096


async def _send_until_closed(served: Served, head: bytes, chunk: bytes, size: int) -> None:
    """Send ``head``, then ``size`` bytes in ``chunk``s, until the server closes."""
    reader, writer = await _connect(served)
    try:
        writer.write(head)
        for _ in range(size // len(chunk)):
            writer.write(chunk)
            await writer.drain()
        # All of it fit in socket buffers: the server must still close.
        await reader.read()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def test_a_header_of_several_megabytes_is_refused_without_being_buffered(served: Served) -> None:
    size = 16 * 1024 * 1024
    before = _resident_bytes()
    head = b"GET / HTTP/1.1\r\nHost: test\r\nX-Huge: "
    await asyncio.wait_for(_send_until_closed(served, head, b"a" * 65536, size), BODY_TIMEOUT + SLACK)
    grown = _resident_bytes() - before
    assert grown < size // 4, f"the process grew by {grown} bytes"


async def test_a_request_head_that_stalls_is_answered_408(served: Served) -> None:
    reader, writer = await _connect(served)
    writer.write(b"GET / HTTP/1.1\r\nHost: test\r\nX-Partial: ")
    started = time.monotonic()
    reply = await _until_closed(reader, HEADER_TIMEOUT + SLACK)
    elapsed = time.monotonic() - started
    writer.close()
    assert reply.startswith(b"HTTP/1.1 408 "), reply
    assert elapsed >= HEADER_TIMEOUT * 0.9, "closed before the header timeout"


async def test_a_connection_that_never_sends_a_byte_is_closed(served: Served) -> None:
    reader, writer = await _connect(served)
    reply = await _until_closed(reader, HEADER_TIMEOUT + SLACK)
    writer.close()
    assert reply == b"", "nothing was asked, so nothing is answered"


async def test_a_kept_alive_connection_serves_requests_after_the_header_timeout(served: Served) -> None:
    # uvicorn's keep-alive timeout (5 s) governs idle connections, not the head's.
    async with httpx.AsyncClient(base_url=served.url, timeout=2) as client:
        assert (await client.post("/", content=b"1")).status_code == 200
        await asyncio.sleep(HEADER_TIMEOUT + 0.5)
        assert (await client.post("/", content=b"22")).text == "2"


async def test_pipelined_requests_in_one_packet_are_all_answered(served: Served) -> None:
    reader, writer = await _connect(served)
    request = b"POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc"
    writer.write(request * 3 + b"GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
    reply = await _until_closed(reader, SLACK)
    writer.close()
    assert reply.count(b"HTTP/1.1 200 ") == 4


async def test_responses_are_not_held_back_by_nagles_algorithm(served: Served) -> None:
    """A head and a body written apart must leave at once: with Nagle's algorithm on, every
    keep-alive response after the first waited for the client's delayed ACK (~40 ms)."""
    async with httpx.AsyncClient(base_url=served.url) as client:
        assert (await client.get("/")).status_code == 200
        sockets = [c.transport.get_extra_info("socket") for c in served.server.server_state.connections]
        assert sockets
        assert all(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for s in sockets)
