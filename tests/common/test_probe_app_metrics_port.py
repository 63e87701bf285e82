"""A back-end service's probe app with a metrics port: probes on both ports, metrics and
the bus API document on the metrics port only."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest

from assetforge.common.devstack import free_port
from assetforge.common.http import probe_app
from assetforge.common.serve import listen, server_config
from tests.support import ENTRIES, ServedApp, _QuietServer, wait_until


@pytest.fixture(scope="module")
async def served(environ: dict[str, str]) -> AsyncIterator[tuple[str, str]]:
    entry = ENTRIES["assets"]
    settings = entry.load_settings({**environ, "METRICS_PORT": str(free_port())})
    assert settings.http.metrics_port is not None
    runtime = entry.create_runtime(settings)
    app = probe_app(runtime, lambda: {"asyncapi": "3.0.0"}, metrics_port=settings.http.metrics_port)
    http = dataclasses.replace(settings.http, host="127.0.0.1", port=0)
    server = _QuietServer(server_config(app, http))
    sockets = listen(http)
    public = f"http://127.0.0.1:{sockets[0].getsockname()[1]}"
    running = ServedApp(public, server, asyncio.create_task(server.serve(sockets=sockets)))

    async def started() -> bool:
        return server.started

    await wait_until(started)
    yield public, f"http://127.0.0.1:{settings.http.metrics_port}"
    await running.stop()


async def test_probes_answer_on_both_ports(served: tuple[str, str]) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        for base in served:
            assert (await client.get(f"{base}/health/live")).status_code == 200
            assert (await client.get(f"{base}/health/ready")).status_code == 200


async def test_metrics_and_bus_docs_answer_on_the_metrics_port_only(served: tuple[str, str]) -> None:
    public, metrics = served
    async with httpx.AsyncClient(timeout=5) as client:
        for path in ("/metrics", "/docs/asyncapi"):
            assert (await client.get(f"{metrics}{path}")).status_code == 200, path
            assert (await client.get(f"{public}{path}")).status_code == 404, path
