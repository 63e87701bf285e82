"""Real service processes: SIGTERM drains without losing acknowledged work, and a crash
(SIGKILL) loses nothing and applies nothing twice."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import msgspec
import nats
import pytest
from nats.errors import NoRespondersError

from assetforge.common.contracts import assets as contract
from assetforge.common.contracts import headers as h
from assetforge.common.devstack import EmbeddedNats, free_port
from assetforge.common.ids import new_id
from tests.helpers import asset_created, scalar
from tests.support import ServiceProcess, service_env, wait_until

pytestmark = pytest.mark.slow


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A NATS of this test's own, so no in-process service shares its consumers (and,
    with ``own_database_url``, no other relay drains its outbox)."""
    server = EmbeddedNats(tmp_path / "nats").start()
    yield server
    server.stop()


async def _live(url: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=1) as client:
            return (await client.get(url)).status_code == 200
    except httpx.HTTPError:
        return False


async def _applied(database_url: str, ids: list[str]) -> int:
    count = await scalar(
        database_url,
        "SELECT count(DISTINCT entity_id) FROM gateway.activity_log WHERE entity_id = ANY(:ids)",
        ids=ids,
    )
    return int(count)


async def _entries(database_url: str, ids: list[str]) -> int:
    count = await scalar(database_url, "SELECT count(*) FROM gateway.activity_log WHERE entity_id = ANY(:ids)", ids=ids)
    return int(count)


def _start_gateway(environ: dict[str, str], log: Path) -> tuple[ServiceProcess, str]:
    port = free_port()
    process = ServiceProcess("gateway", {**environ, "PORT": str(port)}, log).start()
    return process, f"http://127.0.0.1:{port}/api/health/live"


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
async def test_events_are_applied_exactly_once_across_a_stop(
    own_nats: EmbeddedNats, own_database_url: str, tmp_path: Path, stop_signal: signal.Signals
) -> None:
    environ = service_env(own_nats.url, own_database_url)
    log = tmp_path / "gateway.log"
    first, live = _start_gateway(environ, log)
    await wait_until(lambda: _live(live), timeout=30)

    nc = await nats.connect(own_nats.url)
    js = nc.jetstream()
    ids = [new_id() for _ in range(400)]
    for asset_id in ids:
        event = asset_created(asset_id, "did:privy:shutdown")
        await js.publish(
            contract.asset_event_subject(asset_id, "created"),
            msgspec.json.encode(event),
            headers={h.MSG_ID: f"shutdown-{asset_id}"},
        )
    await nc.close()

    await wait_until(lambda: _at_least(_applied(own_database_url, ids), 40), timeout=30)
    assert first.process is not None
    first.process.send_signal(stop_signal)
    status = first.process.wait(30)
    if stop_signal is signal.SIGTERM:
        # uvicorn re-raises the signal once shutdown is complete, so the process reports it.
        assert status == -signal.SIGTERM, first.output()[-3000:]
        assert "gateway stopped" in first.output()
    assert await _applied(own_database_url, ids) < len(ids), "stopped too late to prove anything"

    second, live = _start_gateway(environ, log)
    try:
        await wait_until(lambda: _at_least(_applied(own_database_url, ids), len(ids)), timeout=60)
    finally:
        second.terminate()
    assert await _entries(own_database_url, ids) == len(ids)  # none twice


async def _at_least(count: object, expected: int) -> bool:
    return await count >= expected  # type: ignore[operator, no-any-return]


async def test_sigterm_answers_accepted_requests_and_flushes_the_outbox(
    own_nats: EmbeddedNats, own_database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    service = ServiceProcess(
        "assets", {**service_env(own_nats.url, own_database_url), "HTTP_PORT": str(port)}, tmp_path / "assets.log"
    ).start()
    await wait_until(lambda: _live(f"http://127.0.0.1:{port}/health/live"), timeout=30)
    nc = await nats.connect(own_nats.url)
    owner = f"did:privy:drain-{new_id()[-8:]}"

    async def create(i: int) -> str | None:
        body = msgspec.json.encode({"name": f"drain {i}", "type": "prop", "visibility": "public"})
        try:
            reply = await nc.request(contract.ASSET_CREATE, body, timeout=10, headers={h.USER_ID: owner})
        except NoRespondersError:
            return None  # arrived after the service stopped listening: refused, not lost
        assert not reply.headers, reply.data
        return str(msgspec.json.decode(reply.data)["id"])

    requests = [asyncio.create_task(create(i)) for i in range(80)]
    await asyncio.sleep(0.05)
    assert service.process is not None
    service.process.send_signal(signal.SIGTERM)
    created = [asset_id for asset_id in await asyncio.gather(*requests) if asset_id]
    # uvicorn re-raises the signal once shutdown is complete, so the process reports it.
    assert service.process.wait(30) == -signal.SIGTERM, service.output()[-3000:]
    assert "assets stopped" in service.output()

    assert created, "SIGTERM came before any request was accepted"
    stored = await scalar(own_database_url, "SELECT count(*) FROM assets.assets WHERE owner_id = :o", o=owner)
    assert stored == len(created)
    unsent = await scalar(
        own_database_url,
        "SELECT count(*) FROM assets.outbox WHERE convert_from(payload, 'UTF8')::jsonb ->> 'ownerId' = :o",
        o=owner,
    )
    assert unsent == 0
    stream = await nc.jetstream().stream_info("EVENTS")
    await nc.close()
    assert stream.state.messages >= len(created)
