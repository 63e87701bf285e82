"""Probes: liveness never touches a dependency; readiness follows NATS and the services."""

from __future__ import annotations

import time

import httpx
import nats
import pytest

from assetforge.common.devstack import EmbeddedNats, free_port
from tests.helpers import activity_count, create_asset
from tests.support import ready_is, running_stack, service_env, wait_until


async def test_live_answers_ok(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_reports_every_check_true_and_the_providers(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/health/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": True, "nats": True, "assets": True, "generation": True, "media": True},
        # The test stack runs GENERATION_PROVIDER=offline.
        "providers": dict.fromkeys(("chat", "image", "imageTo3D", "retexture", "rigging", "audio"), "offline"),
    }


async def test_legacy_health_summarises_the_services(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/health")
    assert response.status_code == 200
    assert response.json()["status"] == "healthy"
    assert response.json()["services"]["assets"] is True


async def test_each_service_serves_its_own_probes_and_metrics(stack: dict[str, object]) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        for name in ("assets", "generation", "media"):
            url = stack[name].url  # type: ignore[attr-defined]
            assert (await client.get(f"{url}/health/live")).json() == {"status": "ok"}
            ready = await client.get(f"{url}/health/ready")
            assert ready.status_code == 200
            assert ready.json()["checks"] == {"database": True, "nats": True}
            assert "nats_rpc_handler_duration_seconds" in (await client.get(f"{url}/metrics")).text


@pytest.mark.slow
async def test_readiness_follows_nats_down_and_back_and_the_bus_recovers(
    tmp_path_factory: pytest.TempPathFactory, own_database_url: str, owner: str
) -> None:
    """Stopping NATS makes readiness 503 within 5 s; when NATS returns, everything
    recovers by itself: readiness, request/reply and the durable event consumer.

    A NATS of its own (this test kills it), so a database of its own too."""
    port = free_port()
    store = tmp_path_factory.mktemp("flaky-nats")
    server = EmbeddedNats(store, port).start()
    try:
        async with (
            running_stack(service_env(server.url, own_database_url)) as services,
            httpx.AsyncClient(base_url=services["gateway"].url, timeout=10) as client,
        ):
            await wait_until(lambda: ready_is(client, 200))

            server.kill()
            stopped = time.monotonic()
            await wait_until(lambda: ready_is(client, 503), timeout=5)
            assert time.monotonic() - stopped < 5
            body = (await client.get("/api/health/ready")).json()
            assert body["status"] == "not_ready"
            assert body["checks"]["nats"] is False
            assert body["checks"]["database"] is True
            assert (await client.get("/api/health/live")).status_code == 200
            assert (await client.get("/api/assets")).status_code == 503

            server = EmbeddedNats(store, port).start()
            await wait_until(lambda: ready_is(client, 200), timeout=20)
            assert (await client.get("/api/assets")).status_code == 200

            # The durable consumer resumed too: a new event reaches the activity log.
            nc = await nats.connect(server.url)
            asset = await create_asset(nc, owner)
            await nc.close()
            await wait_until(lambda: activity_count(own_database_url, asset["id"]), timeout=15)
    finally:
        server.stop()


async def test_the_pod_probe_checks_only_the_gateways_own_dependencies(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": True, "nats": True}}
