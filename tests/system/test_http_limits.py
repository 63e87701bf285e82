"""serve() itself, in a real gateway process (uvloop, httptools, its own sockets): the
HTTP limits hold and METRICS_PORT moves the metrics off the public port."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from assetforge.common.devstack import EmbeddedNats, free_port
from tests.support import ServiceProcess, service_env, wait_until

pytestmark = pytest.mark.slow

TIMEOUT = 1.0
SLACK = 2.0


@dataclass
class Gateway:
    process: ServiceProcess
    port: int
    metrics_port: int


@pytest.fixture(scope="module")
async def gateway(
    nats_server: EmbeddedNats, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Gateway]:
    port, metrics_port = free_port(), free_port()
    environ = {
        **service_env(nats_server.url, database_url),
        "AUTH_MODE": "dev",
        "DEV_AUTH_DIR": str(tmp_path_factory.mktemp("dev-auth")),
        "PORT": str(port),
        "METRICS_PORT": str(metrics_port),
        "HTTP_HEADER_TIMEOUT_S": str(TIMEOUT),
        "HTTP_BODY_TIMEOUT_S": str(TIMEOUT),
        "HTTP_MAX_HEADER_BYTES": "8192",
    }
    log = Path(tmp_path_factory.mktemp("gateway")) / "gateway.log"
    process = ServiceProcess("gateway", environ, log).start()

    async def live() -> bool:
        try:
            async with httpx.AsyncClient(timeout=1) as client:
                return (await client.get(f"http://127.0.0.1:{port}/api/health/live")).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        await wait_until(live, timeout=30, interval=0.2)
        yield Gateway(process, port, metrics_port)
    finally:
        process.terminate()
    assert "Traceback" not in process.output(), process.output()


async def _reply_until_closed(port: int, request: bytes, timeout: float) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    try:
        return await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()


async def test_the_metrics_port_serves_metrics_and_the_public_port_does_not(gateway: Gateway) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        private = await client.get(f"http://127.0.0.1:{gateway.metrics_port}/metrics")
        public = await client.get(f"http://127.0.0.1:{gateway.port}/metrics")
    assert private.status_code == 200
    assert public.status_code == 404
    assert public.json()["error"] == "NOT_FOUND"


async def test_a_stalled_request_head_is_answered_408(gateway: Gateway) -> None:
    started = time.monotonic()
    reply = await _reply_until_closed(gateway.port, b"GET /api/health/live HTTP/1.1\r\nHost: t", TIMEOUT + SLACK)
    assert reply.startswith(b"HTTP/1.1 408 "), reply
    assert time.monotonic() - started >= TIMEOUT * 0.9


async def test_a_stalled_body_is_cut_off(gateway: Gateway) -> None:
    # The edge answers 401 without reading the body; uvicorn alone would then keep the
    # connection until its 5 s keep-alive timeout, and for ever if a byte trickled in.
    request = b"POST /api/users/settings HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n" + b"{" * 10
    started = time.monotonic()
    reply = await _reply_until_closed(gateway.port, request, TIMEOUT + SLACK)
    assert reply.startswith(b"HTTP/1.1 401 "), reply
    assert time.monotonic() - started < TIMEOUT + SLACK


async def test_an_oversized_head_is_answered_431(gateway: Gateway) -> None:
    head = b"GET /api/health/live HTTP/1.1\r\nHost: t\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n"
    reply = await _reply_until_closed(gateway.port, head, SLACK)
    assert reply.startswith(b"HTTP/1.1 431 "), reply
