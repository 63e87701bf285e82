"""A catalog to measure: the whole stack started and public assets seeded through the
real bus (``assets.v1.asset.create``), then the background work they cause let settle."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import msgspec
import nats
from harness import Harness, Process, migrate, open_database, say, service_env, start_nats, start_services, wait_for
from nats.aio.client import Client
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from assetforge.common.contracts import headers
from assetforge.common.contracts.assets import ASSET_CREATE, AssetType
from assetforge.common.db import Database
from assetforge.common.settings import Env, get_database_settings

SEED_CONCURRENCY = 32


def seed_body(index: int) -> bytes:
    kinds = list(AssetType)
    kind = kinds[index % len(kinds)].value
    return msgspec.json.encode(
        {
            "name": f"Bench {kind} {index:05d}",
            "type": kind,
            "visibility": "public",
            "description": f"Seeded by the benchmark: {kind} number {index}, to give the catalog realistic pages.",
            "tags": ["bench", kind, f"batch-{index // 100}"],
        }
    )


async def create_asset(client: Client, index: int) -> None:
    reply = await client.request(
        ASSET_CREATE,
        seed_body(index),
        timeout=10,
        headers={headers.USER_ID: "bench-user", headers.REQUEST_ID: f"seed-{index}"},
    )
    if (reply.headers or {}).get(headers.STATUS) == headers.STATUS_ERROR:
        raise RuntimeError(f"seeding asset {index} failed: {reply.data.decode(errors='replace')}")


async def seed(nats_url: str, count: int) -> None:
    client = await nats.connect(nats_url)
    indices = iter(range(count))

    async def worker() -> None:
        for index in indices:
            await create_asset(client, index)

    try:
        await asyncio.gather(*(worker() for _ in range(min(SEED_CONCURRENCY, count))))
    finally:
        await client.close()


async def wait_settled(env: dict[str, str], count: int, timeout: float = 60.0) -> bool:
    """Wait until the creation events are relayed and recorded by the gateway, so that
    this background work is over before anything is measured."""
    database = Database(get_database_settings(Env(env)), "bench-harness")
    outbox = text("SELECT count(*) FROM assets.outbox")
    recorded = text("SELECT count(*) FROM gateway.activity_log WHERE action = 'asset.created'")
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            async with database.read_only() as session:
                if await session.scalar(outbox) == 0 and (await session.scalar(recorded) or 0) >= count:
                    return True
            await asyncio.sleep(0.5)
    except SQLAlchemyError as error:
        say(f"could not check the event backlog ({error.__class__.__name__}); going on")
    finally:
        await database.dispose()
    return False


# --- the stack -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stack:
    nats_url: str
    database: str
    env: dict[str, str]
    gateway_url: str
    services: list[Process]


def start_stack(harness: Harness, database_server_url: str | None, extra_env: dict[str, str] | None = None) -> Stack:
    """NATS, PostgreSQL, migrations and the four services, up to the gateway's readiness."""
    nats_server = start_nats(harness)
    database_url, database = open_database(harness, database_server_url)
    env = {**service_env(nats_server.url, database_url), **(extra_env or {})}
    migrate(harness, env)
    gateway_url, services = start_services(harness, env)
    wait_for(f"{gateway_url}/api/health/ready", services)
    say(f"gateway ready at {gateway_url}")
    return Stack(nats_server.url, database, env, gateway_url, services)


def seed_catalog(stack: Stack, count: int) -> tuple[float, bool]:
    """Seed ``count`` public assets; return the seconds it took and whether the events settled."""
    started = time.perf_counter()
    asyncio.run(seed(stack.nats_url, count))
    seconds = time.perf_counter() - started
    say(f"seeded {count} public assets through the bus in {seconds:.1f}s")
    settled = asyncio.run(wait_settled(stack.env, count))
    if not settled:
        say("the asset-created events were not all recorded within 60s; measuring anyway")
    return seconds, settled
