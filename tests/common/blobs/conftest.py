"""A NATS of the blob tests' own (their buckets' state is what they check), and helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import nats
import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext

from assetforge.common.blobs import JetStreamBlobStore, open_blob_store
from assetforge.common.devstack import EmbeddedNats


@pytest.fixture(scope="module")
def blob_nats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedNats]:
    server = EmbeddedNats(tmp_path_factory.mktemp("blob-nats")).start()
    yield server
    server.stop()


@pytest.fixture
async def blob_nc(blob_nats: EmbeddedNats) -> AsyncIterator[Client]:
    client = await nats.connect(blob_nats.url)
    yield client
    await client.close()


@pytest.fixture
def js(blob_nc: Client) -> JetStreamContext:
    return blob_nc.jetstream()


@pytest.fixture
async def store(js: JetStreamContext) -> JetStreamBlobStore:
    return await open_blob_store(js, replicas=1)
