"""The media tests' stores and services: the session stack's media service (no CDN), and
one of their own beside a fake CDN, with short temporary-image lives and sweeps."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from nats.aio.client import Client

from assetforge.common.blobs import JetStreamBlobStore, open_blob_store
from tests.media.fake_cdn import FakeCdn
from tests.media.support import OwnMedia, own_media
from tests.support import RunningService, serve_asgi

CDN_KEY = "cdn-test-key"


@pytest.fixture
async def store(nc: Client) -> JetStreamBlobStore:
    """The session stack's blob store, as the gateway reaches it."""
    return await open_blob_store(nc.jetstream())


@pytest.fixture
def media(stack: dict[str, RunningService]) -> RunningService:
    return stack["media"]


@pytest.fixture(scope="session")
async def fake_cdn() -> AsyncIterator[FakeCdn]:
    cdn = FakeCdn(api_key=CDN_KEY)
    served = await serve_asgi(cdn.app())
    cdn.url = served.url
    yield cdn
    await served.stop()


@pytest.fixture(scope="session")
async def cdn_media(
    tmp_path_factory: pytest.TempPathFactory, postgres_server_url: str, fake_cdn: FakeCdn
) -> AsyncIterator[OwnMedia]:
    environ = {
        "CDN_URL": fake_cdn.url,
        "CDN_API_KEY": CDN_KEY,
        "CDN_MAX_ATTEMPTS": "3",
        "IMAGE_SERVER_URL": "https://images.example",
        "TEMP_IMAGE_TTL_S": "1",
        "MEDIA_SWEEP_INTERVAL_S": "0.2",
    }
    async with own_media(tmp_path_factory.mktemp("cdn-nats"), postgres_server_url, **environ) as running:
        yield running
