"""Promotion renames without copying, deduplicates and replaces."""

from __future__ import annotations

import asyncio
import hashlib
import uuid

import pytest
from nats.js import JetStreamContext

from assetforge.common.blobs import MEDIA, BlobNotFound, JetStreamBlobStore
from tests.common.blobs.helpers import chunk_count, collect, meta_of, pieces, random_bytes

CHUNK = 128 * 1024


async def test_promote_moves_no_bytes(store: JetStreamBlobStore, js: JetStreamContext) -> None:
    data = random_bytes(2 * CHUNK + 3)
    staged = await store.put(MEDIA, pieces(data, 9999), content_type="audio/ogg")
    before = await meta_of(js, staged.name)
    assert before is not None
    name = hashlib.sha256(data).hexdigest()
    info = await store.promote(MEDIA, staged.name, name)
    after = await meta_of(js, name)
    assert after is not None
    assert after.nuid == before.nuid  # the chunk subject is the same: nothing was copied
    assert await chunk_count(js, after.nuid) == 3
    assert (info.name, info.size, info.sha256, info.content_type) == (name, len(data), name, "audio/ogg")
    assert await store.stat(MEDIA, staged.name) is None
    assert await meta_of(js, staged.name) is None
    assert await collect(store.read(MEDIA, name)) == data
    with pytest.raises(BlobNotFound):
        await store.promote(MEDIA, staged.name, name)


async def test_promoting_the_same_bytes_again_keeps_the_first(store: JetStreamBlobStore, js: JetStreamContext) -> None:
    data = random_bytes(CHUNK + 1)
    name = hashlib.sha256(data).hexdigest()
    first = await store.put(MEDIA, pieces(data, 4096))
    second = await store.put(MEDIA, pieces(data, 1000))
    kept = await meta_of(js, first.name)
    dropped = await meta_of(js, second.name)
    assert kept is not None
    assert dropped is not None
    await store.promote(MEDIA, first.name, name)
    await store.promote(MEDIA, second.name, name)
    final = await meta_of(js, name)
    assert final is not None
    assert final.nuid == kept.nuid
    assert await chunk_count(js, dropped.nuid) == 0
    assert await meta_of(js, second.name) is None
    assert await collect(store.read(MEDIA, name)) == data


async def test_concurrent_promotes_of_the_same_bytes_end_with_one_object(
    store: JetStreamBlobStore, js: JetStreamContext
) -> None:
    data = random_bytes(3 * CHUNK)
    name = f"race/{uuid.uuid4().hex}"
    staged = [await store.put(MEDIA, pieces(data, CHUNK)) for _ in range(6)]
    nuids = [meta.nuid for s in staged if (meta := await meta_of(js, s.name)) is not None]
    await asyncio.gather(*(store.promote(MEDIA, s.name, name) for s in staged))
    final = await meta_of(js, name)
    assert final is not None
    assert final.nuid in nuids
    counts = [await chunk_count(js, nuid) for nuid in nuids]
    assert sorted(counts) == [0] * 5 + [3]
    assert await collect(store.read(MEDIA, name)) == data


async def test_promote_replaces_other_bytes(store: JetStreamBlobStore, js: JetStreamContext) -> None:
    name = f"gdd/{uuid.uuid4().hex}/metadata.json"
    old = await store.put(MEDIA, pieces(b"old" * 100_000, 1 << 16), name=name)
    old_meta = await meta_of(js, name)
    assert old_meta is not None
    staged = await store.put(MEDIA, pieces(b"new", 3))
    info = await store.promote(MEDIA, staged.name, name)
    assert info.sha256 != old.sha256
    assert await collect(store.read(MEDIA, name)) == b"new"
    assert await chunk_count(js, old_meta.nuid) == 0


async def test_a_named_put_over_the_same_bytes_deduplicates(store: JetStreamBlobStore, js: JetStreamContext) -> None:
    name = f"dedupe/{uuid.uuid4().hex}"
    await store.put(MEDIA, pieces(b"same", 2), name=name)
    first = await meta_of(js, name)
    await store.put(MEDIA, pieces(b"same", 1), name=name)
    second = await meta_of(js, name)
    assert first is not None
    assert second is not None
    assert second.seq == first.seq


async def test_delete_and_list(store: JetStreamBlobStore, js: JetStreamContext) -> None:
    prefix = f"list/{uuid.uuid4().hex}/"
    for i in range(3):
        await store.put(MEDIA, pieces(bytes([i]) * (i + 1), 1), name=f"{prefix}{i}")
    staged = await store.put(MEDIA, pieces(b"x", 1))
    names = sorted([info.name async for info in store.list(MEDIA, prefix)])
    assert names == [f"{prefix}0", f"{prefix}1", f"{prefix}2"]
    assert staged.name not in [info.name async for info in store.list(MEDIA)]
    assert staged.name in [info.name async for info in store.list(MEDIA, include_staging=True)]
    meta = await meta_of(js, f"{prefix}1")
    assert meta is not None
    assert await store.delete(MEDIA, f"{prefix}1")
    assert not await store.delete(MEDIA, f"{prefix}1")
    tombstone = await meta_of(js, f"{prefix}1")
    assert tombstone is not None
    assert tombstone.deleted
    assert await chunk_count(js, meta.nuid) == 0
    assert await store.stat(MEDIA, f"{prefix}1") is None
    assert sorted([info.name async for info in store.list(MEDIA, prefix)]) == [f"{prefix}0", f"{prefix}2"]
    assert await store.delete(MEDIA, staged.name)
    assert await meta_of(js, staged.name) is None
