"""Probes under load: a burst of them must not exhaust PostgreSQL, and a busy pool must
not make a healthy service "not ready"."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from assetforge.common.db import Database, to_async_url
from tests.support import ENTRIES, RunningService, wait_until

SERVICES = ("gateway", "assets", "generation", "media")
BURST = 300
BACKENDS = text("SELECT application_name, count(*) FROM pg_stat_activity WHERE datname = current_database() GROUP BY 1")


class Backends:
    """Samples this database's backends per application name, on a connection of its own."""

    def __init__(self) -> None:
        self.peak = 0
        self.names: set[str] = set()
        self.samples = 0

    def record(self, counts: Counter[str]) -> None:
        self.samples += 1
        self.names.update(counts)
        self.peak = max(self.peak, sum(counts[name] for name in SERVICES))


@contextlib.asynccontextmanager
async def sampling(database_url: str) -> AsyncIterator[Backends]:
    backends = Backends()
    engine = create_async_engine(to_async_url(database_url), poolclass=NullPool, isolation_level="AUTOCOMMIT")

    async def sample() -> None:
        async with engine.connect() as connection:
            while True:
                rows = (await connection.execute(BACKENDS)).all()
                backends.record(Counter({str(name): int(count) for name, count in rows}))
                await asyncio.sleep(0.01)

    task = asyncio.create_task(sample())
    try:
        await asyncio.sleep(0.05)
        yield backends
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await engine.dispose()


async def test_a_burst_of_probes_stays_within_the_pools(
    stack: dict[str, RunningService], environ: dict[str, str], database_url: str
) -> None:
    pools = sum(ENTRIES[name].load_settings(environ).database.pool_size for name in SERVICES)
    gateway = stack["gateway"].url
    urls = [f"{gateway}/api/health", f"{gateway}/api/health/ready"] + [
        f"{stack[name].url}/health/ready" for name in ("assets", "generation", "media")
    ]
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    async with sampling(database_url) as backends, httpx.AsyncClient(timeout=30, limits=limits) as client:
        answers = await asyncio.gather(*(client.get(urls[i % len(urls)]) for i in range(BURST)))
        await asyncio.sleep(0.1)  # the backends of the last requests, if any, still show
    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == {200: BURST}
    assert backends.samples > 1
    assert not {name for name in backends.names if name.endswith("-probe")}
    assert backends.peak <= pools


async def _hold(database: Database, held: asyncio.Event, release: asyncio.Event) -> None:
    async with database.unit_of_work() as session:
        await session.execute(text("SELECT 1"))
        held.set()
        await release.wait()


@contextlib.asynccontextmanager
async def every_connection_held(database: Database, size: int) -> AsyncIterator[list[asyncio.Event]]:
    """All ``size`` slots in open units of work; the last query succeeded just before.

    Yields one release event per holder."""
    async with database.unit_of_work() as session:
        await session.execute(text("SELECT 1"))
    releases = [asyncio.Event() for _ in range(size)]
    helds = [asyncio.Event() for _ in range(size)]
    tasks = [asyncio.create_task(_hold(database, h, r)) for h, r in zip(helds, releases, strict=True)]
    try:
        await asyncio.wait_for(asyncio.gather(*(h.wait() for h in helds)), timeout=5)
        yield releases
    finally:
        for release in releases:
            release.set()
        await asyncio.gather(*tasks)


async def test_a_saturated_pool_answers_readiness_within_its_timeout(
    stack: dict[str, RunningService], environ: dict[str, str]
) -> None:
    service = stack["assets"]
    database = service.runtime.database
    size = ENTRIES["assets"].load_settings(environ).database.pool_size
    async with every_connection_held(database, size) as releases, httpx.AsyncClient(timeout=5) as client:
        # A query succeeded a moment ago: ready, without waiting for a connection.
        started = time.monotonic()
        assert await database.ping(timeout=0.5)
        assert time.monotonic() - started < 0.1
        response = await client.get(f"{service.url}/health/ready")
        assert response.status_code == 200
        assert response.json()["checks"]["database"] is True

        # Nothing has succeeded for over a second and every connection is taken: the probe
        # waits for the next success, never longer than its timeout.
        await asyncio.sleep(1.2)
        started = time.monotonic()
        assert not await database.ping(timeout=0.3)
        assert 0.25 < time.monotonic() - started < 0.6
        started = time.monotonic()
        response = await client.get(f"{service.url}/health/ready")
        assert time.monotonic() - started < 1.5
        assert response.json()["checks"]["database"] is False

        # A unit of work finishing while the probe waits answers it.
        probe = asyncio.create_task(database.ping(timeout=2.0))
        await asyncio.sleep(0.1)
        releases[0].set()
        started = time.monotonic()
        assert await probe
        assert time.monotonic() - started < 0.5

    # The failure above is remembered for a moment; ready again once it has passed.
    async with httpx.AsyncClient(base_url=service.url, timeout=5) as client:
        await wait_until(lambda: ready(client), timeout=3)


async def ready(client: httpx.AsyncClient) -> bool:
    return (await client.get("/health/ready")).status_code == 200


async def test_draining_turns_readiness_false_at_once(stack: dict[str, RunningService]) -> None:
    service = stack["media"]
    async with httpx.AsyncClient(base_url=service.url, timeout=5) as client:
        assert (await client.get("/health/ready")).status_code == 200
        service.runtime.draining = True
        try:
            response = await client.get("/health/ready")
            assert response.status_code == 503
            assert response.json()["status"] == "not_ready"
        finally:
            service.runtime.draining = False
        assert (await client.get("/health/ready")).status_code == 200
