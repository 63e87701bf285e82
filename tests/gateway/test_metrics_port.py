"""METRICS_PORT moves /metrics and /docs/asyncapi off the public port of the gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from assetforge.common.devstack import free_port
from tests.support import RunningService, start_service


@dataclass
class Ports:
    public: str
    metrics: str


@pytest.fixture(scope="module")
async def gateway_with_metrics_port(environ: dict[str, str]) -> AsyncIterator[Ports]:
    port = free_port()
    gateway: RunningService = await start_service("gateway", {**environ, "METRICS_PORT": str(port)})
    yield Ports(gateway.url, f"http://127.0.0.1:{port}")
    await gateway.stop()


async def test_metrics_and_bus_docs_answer_on_the_metrics_port(gateway_with_metrics_port: Ports) -> None:
    async with httpx.AsyncClient(base_url=gateway_with_metrics_port.metrics, timeout=5) as client:
        metrics = await client.get("/metrics")
        docs = await client.get("/docs/asyncapi")
    assert metrics.status_code == 200
    assert "http_request_duration" in metrics.text or "# TYPE" in metrics.text
    assert docs.status_code == 200
    assert "asyncapi" in docs.json()


@pytest.mark.parametrize("path", ["/metrics", "/docs/asyncapi"])
async def test_they_are_unknown_routes_on_the_public_port(gateway_with_metrics_port: Ports, path: str) -> None:
    async with httpx.AsyncClient(base_url=gateway_with_metrics_port.public, timeout=5) as client:
        reply = await client.get(path)
        unknown = await client.get("/no-such-route")
    assert reply.status_code == 404
    body = reply.json()
    assert body["error"] == "NOT_FOUND"
    assert body["message"] == unknown.json()["message"], "indistinguishable from an unknown route"
    assert body["requestId"] == reply.headers["x-request-id"]


async def test_probes_and_the_api_stay_on_the_public_port(gateway_with_metrics_port: Ports) -> None:
    async with httpx.AsyncClient(base_url=gateway_with_metrics_port.public, timeout=5) as client:
        assert (await client.get("/api/health/live")).status_code == 200
        assert (await client.get("/health/ready")).status_code == 200
        assert (await client.get("/api/users/me")).status_code == 401


async def test_without_a_metrics_port_metrics_stay_on_the_public_port(gateway: httpx.AsyncClient) -> None:
    assert (await gateway.get("/metrics")).status_code == 200
    assert (await gateway.get("/docs/asyncapi")).status_code == 200
