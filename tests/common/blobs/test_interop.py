"""Objects stay in the Object Store's format: nats-py reads ours, we read nats-py's."""

from __future__ import annotations

import hashlib

from nats.js import JetStreamContext
from nats.js.api import ObjectMeta, StorageType, StreamConfig, StreamInfo
from nats.js.errors import NotFoundError

from assetforge.common.blobs import BUCKETS, IMAGES, JetStreamBlobStore, ensure_buckets
from assetforge.common.blobs import _meta as m
from assetforge.common.blobs.buckets import bucket_config
from tests.common.blobs.helpers import collect, pieces, random_bytes

CHUNK = 128 * 1024


async def test_nats_py_reads_what_we_write(store: JetStreamBlobStore, js: JetStreamContext) -> None:
    data = random_bytes(3 * CHUNK + 77)
    await store.put(IMAGES, pieces(data, 3333), name="interop/ours.png", content_type="image/png")
    obs = await js.object_store(IMAGES)
    result = await obs.get("interop/ours.png")  # checks the digest too
    assert result.data == data
    assert result.info.size == len(data)
    assert result.info.headers is not None
    assert result.info.headers["Content-Type"] == ["image/png"]
    assert result.info.digest == m.digest_field(hashlib.sha256(data).hexdigest())
    names = [info.name for info in await obs.list(ignore_deletes=True)]
    assert "interop/ours.png" in names


async def test_we_read_what_nats_py_writes(store: JetStreamBlobStore, js: JetStreamContext) -> None:
    data = random_bytes(2 * CHUNK + 5)
    obs = await js.object_store(IMAGES)
    await obs.put("interop/theirs.bin", data, meta=ObjectMeta(headers={"Content-Type": ["application/x-bin"]}))
    assert await collect(store.read(IMAGES, "interop/theirs.bin")) == data
    info = await store.stat(IMAGES, "interop/theirs.bin")
    assert info is not None
    assert (info.size, info.sha256, info.content_type) == (
        len(data),
        hashlib.sha256(data).hexdigest(),
        "application/x-bin",
    )
    await obs.delete("interop/theirs.bin")
    assert await store.stat(IMAGES, "interop/theirs.bin") is None


async def test_buckets_are_declared_idempotently_and_never_lose_replicas(js: JetStreamContext) -> None:
    await ensure_buckets(js, replicas=1)
    await ensure_buckets(js, replicas=1)
    info = await js.stream_info(m.stream_name(IMAGES))
    assert info.config.num_replicas == 1
    assert info.config.allow_rollup_hdrs
    assert info.config.allow_direct


class FakeJetStream:
    """Just what ``ensure_buckets`` asks of JetStream: buckets that exist with some
    replica count (a single test server cannot hold more than one replica)."""

    def __init__(self, replicas: int | None) -> None:
        self.replicas = replicas
        self.added: list[StreamConfig] = []
        self.updated: list[StreamConfig] = []

    async def stream_info(self, name: str) -> StreamInfo:
        if self.replicas is None:
            raise NotFoundError
        config = bucket_config(name.removeprefix("OBJ_"), self.replicas)
        return StreamInfo(config=config, state=None)  # type: ignore[arg-type]

    async def add_stream(self, config: StreamConfig) -> None:
        self.added.append(config)

    async def update_stream(self, config: StreamConfig) -> None:
        self.updated.append(config)


async def test_an_existing_bucket_is_raised_to_the_replicas_asked_never_lowered() -> None:
    higher = FakeJetStream(replicas=3)
    await ensure_buckets(higher, replicas=1)  # type: ignore[arg-type]
    assert higher.updated == []
    assert higher.added == []
    lower = FakeJetStream(replicas=1)
    await ensure_buckets(lower, replicas=3)  # type: ignore[arg-type]
    assert [c.num_replicas for c in lower.updated] == [3] * len(BUCKETS)
    missing = FakeJetStream(replicas=None)
    await ensure_buckets(missing, replicas=3)  # type: ignore[arg-type]
    assert sorted(c.name or "" for c in missing.added) == sorted(m.stream_name(b) for b in BUCKETS)
    assert all(c.num_replicas == 3 and c.storage == StorageType.FILE for c in missing.added)
