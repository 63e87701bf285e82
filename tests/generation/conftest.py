"""A stack of its own for pipelines that call real provider clients: its own NATS and
database, the assets, generation and media services, with Meshy and OpenAI replaced by
fakes on loopback that speak their protocols."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client

from assetforge.common.db import migrations
from assetforge.common.devstack import EmbeddedNats, drop_database, ensure_database
from assetforge.generation.providers.elevenlabs import ElevenLabsAudio
from tests.generation.elevenlabs_support import KEY as ELEVENLABS_TEST_KEY
from tests.generation.fakes.elevenlabs import FakeElevenLabs, clients, serving
from tests.generation.fakes.meshy import FakeMeshy
from tests.generation.fakes.openai import FakeOpenAI
from tests.support import ENTRIES, RunningService, running_stack, serve_asgi, service_env

MESHY_KEY = "msy-test-key"
OPENAI_KEY = "sk-test-key"


@dataclass
class ProviderStack:
    nc: Client
    nats_url: str
    database_url: str
    environ: dict[str, str]
    meshy: FakeMeshy
    openai: FakeOpenAI
    services: dict[str, RunningService]


def provider_env(nats_url: str, database_url: str, meshy: FakeMeshy, openai: FakeOpenAI) -> dict[str, str]:
    return service_env(
        nats_url,
        database_url,
        GENERATION_PROVIDER="auto",
        MESHY_API_KEY=MESHY_KEY,
        MESHY_BASE_URL=f"{meshy.url}/openapi",
        OPENAI_API_KEY=OPENAI_KEY,
        OPENAI_BASE_URL=f"{openai.url}/v1",
        GENERATION_POLL_INITIAL_S="0.02",
        GENERATION_POLL_MAX_S="0.05",
        GENERATION_ACK_WAIT_S="3",
    )


@pytest.fixture(scope="module")
async def fake_meshy() -> AsyncIterator[FakeMeshy]:
    fake = FakeMeshy(api_key=MESHY_KEY, retry_after="0")
    served = await serve_asgi(fake.app())
    fake.url = served.url
    yield fake
    if fake.hold_create is not None:
        fake.hold_create.set()
    await served.stop()


@pytest.fixture(scope="module")
async def fake_openai() -> AsyncIterator[FakeOpenAI]:
    fake = FakeOpenAI(api_key=OPENAI_KEY)
    served = await serve_asgi(fake.app())
    fake.url = served.url
    yield fake
    await served.stop()


@pytest.fixture(scope="module")
async def provider_stack(
    tmp_path_factory: pytest.TempPathFactory,
    postgres_server_url: str,
    fake_meshy: FakeMeshy,
    fake_openai: FakeOpenAI,
) -> AsyncIterator[ProviderStack]:
    async with own_provider_stack(
        tmp_path_factory.mktemp("providers-nats"), postgres_server_url, fake_meshy, fake_openai
    ) as stack:
        yield stack


@contextlib.asynccontextmanager
async def own_provider_stack(
    data_dir: Path, postgres_server_url: str, fake_meshy: FakeMeshy, fake_openai: FakeOpenAI, **extra: str
) -> AsyncIterator[ProviderStack]:
    server = EmbeddedNats(data_dir).start()
    name = f"af_gen_{uuid.uuid4().hex[:10]}"
    url = await ensure_database(postgres_server_url, name)
    try:
        for entry in ENTRIES.values():
            await asyncio.to_thread(migrations.upgrade, entry.migrations, url)
        environ = {**provider_env(server.url, url, fake_meshy, fake_openai), **extra}
        async with running_stack(environ, names=("assets", "generation", "media")) as services:
            nc = await nats.connect(server.url)
            try:
                yield ProviderStack(nc, server.url, url, environ, fake_meshy, fake_openai, services)
            finally:
                await nc.close()
    finally:
        server.stop()
        await drop_database(postgres_server_url, name)


@pytest.fixture
async def fake() -> AsyncIterator[FakeElevenLabs]:
    """A fake ElevenLabs on loopback, expecting ``elevenlabs_support.KEY``."""
    async with serving(ELEVENLABS_TEST_KEY) as running:
        yield running


@pytest.fixture
async def client(fake: FakeElevenLabs) -> AsyncIterator[Callable[..., ElevenLabsAudio]]:
    """Makes real ElevenLabs clients of ``fake``."""
    async with clients(fake) as make:
        yield make
