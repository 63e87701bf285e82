"""A put that fails leaves nothing; a reader that goes away leaves no consumer; a
crashed put is swept."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from nats.js import JetStreamContext

from assetforge.common.blobs import MEDIA, BlobNotFound, BlobTooLarge, JetStreamBlobStore
from assetforge.common.blobs import _meta as m
from tests.common.blobs.helpers import chunk_count, collect, meta_of, pieces, random_bytes

CHUNK = 128 * 1024


async def staging_nuids(store: JetStreamBlobStore) -> set[str]:
    return {meta.nuid async for meta in store._objects.metas(MEDIA) if meta.staging}


async def test_max_size_exceeded_leaves_nothing(store: JetStreamBlobStore, js: JetStreamContext) -> None:
    before = await staging_nuids(store)
    name = f"big/{uuid.uuid4().hex}"
    with pytest.raises(BlobTooLarge):
        await store.put(MEDIA, pieces(random_bytes(5 * CHUNK), 10_000), name=name, max_size=3 * CHUNK)
    assert await staging_nuids(store) == before
    assert [info async for info in store.list(MEDIA, "big/", include_staging=True)] == []
    assert await meta_of(js, name) is None


class ClientWentAway(Exception):
    pass


async def test_a_source_that_raises_leaves_nothing(store: JetStreamBlobStore, js: JetStreamContext) -> None:
    seen: list[str] = []

    async def source() -> AsyncIterator[bytes]:
        yield random_bytes(3 * CHUNK)
        # The put has published chunks by now, under a marker naming its nuid.
        seen.extend([meta.nuid async for meta in store._objects.metas(MEDIA) if meta.writing])
        raise ClientWentAway

    with pytest.raises(ClientWentAway):
        await store.put(MEDIA, source())
    assert seen
    for nuid in seen:
        assert await chunk_count(js, nuid) == 0
        assert await meta_of(js, m.staging_name(nuid)) is None


async def test_a_reader_closed_early_deletes_its_consumer(store: JetStreamBlobStore, js: JetStreamContext) -> None:
    name = f"early/{uuid.uuid4().hex}"
    await store.put(MEDIA, pieces(random_bytes(300 * CHUNK), CHUNK), name=name)
    reader = store.read(MEDIA, name)
    first = await anext(reader)
    assert len(first) == CHUNK
    assert len(await js.consumers_info(m.stream_name(MEDIA))) == 1
    await reader.aclose()
    assert await js.consumers_info(m.stream_name(MEDIA)) == []


async def test_a_crashed_put_is_swept(store: JetStreamBlobStore, js: JetStreamContext) -> None:
    # What a process that died mid-put leaves: its marker and some chunks.
    nuid = uuid.uuid4().hex
    marker = m.Meta(bucket=MEDIA, name=m.staging_name(nuid), nuid=nuid, headers={m.STATE: [m.WRITING]})
    await js.publish(m.meta_subject(MEDIA, marker.name), marker.encode(), headers=dict(m.ROLLUP))
    for _ in range(3):
        await js.publish(m.chunk_subject(MEDIA, nuid), random_bytes(CHUNK))
    staged = await store.put(MEDIA, pieces(b"left staged", 4))
    fresh = await store.put(MEDIA, pieces(b"just staged", 4))

    assert await store.sweep_staging(MEDIA, older_than_s=3600) == 0
    # Only what is older than the cutoff goes: everything, with a cutoff in the future.
    assert await store.sweep_staging(MEDIA, older_than_s=-60) >= 3
    assert await chunk_count(js, nuid) == 0
    assert await meta_of(js, marker.name) is None
    assert await store.stat(MEDIA, staged.name) is None
    assert await store.stat(MEDIA, fresh.name) is None


async def test_the_sweep_keeps_chunks_a_final_name_points_at(store: JetStreamBlobStore, js: JetStreamContext) -> None:
    # A promotion that died after publishing the final meta, before dropping the staged one.
    staged = await store.put(MEDIA, pieces(random_bytes(CHUNK + 1), 1000))
    meta = await meta_of(js, staged.name)
    assert meta is not None
    final = m.Meta(**{**{f: getattr(meta, f) for f in meta.__slots__}, "name": f"kept/{uuid.uuid4().hex}"})
    await js.publish(m.meta_subject(MEDIA, final.name), final.encode(), headers=dict(m.ROLLUP))
    await store.sweep_staging(MEDIA, older_than_s=-60)
    assert await meta_of(js, staged.name) is None
    assert await chunk_count(js, meta.nuid) == 2
    assert len(await collect(store.read(MEDIA, final.name))) == CHUNK + 1


async def test_a_put_in_progress_is_no_object_yet(store: JetStreamBlobStore, js: JetStreamContext) -> None:
    nuid = uuid.uuid4().hex
    marker = m.Meta(bucket=MEDIA, name=m.staging_name(nuid), nuid=nuid, headers={m.STATE: [m.WRITING]})
    await js.publish(m.meta_subject(MEDIA, marker.name), marker.encode(), headers=dict(m.ROLLUP))
    await js.publish(m.chunk_subject(MEDIA, nuid), b"partial")
    assert await store.stat(MEDIA, marker.name) is None
    assert not await store.delete(MEDIA, marker.name)
    assert await chunk_count(js, nuid) == 1
    with pytest.raises(BlobNotFound):
        await store.promote(MEDIA, marker.name, "final")
    with pytest.raises(ValueError, match="staging"):
        await store.put(MEDIA, pieces(b"x", 1), name=marker.name)
    await store.sweep_staging(MEDIA, older_than_s=-60)
