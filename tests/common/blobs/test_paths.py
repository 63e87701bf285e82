"""The read paths (direct get, consumer from a sequence, fallback) and cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import uuid
from collections.abc import AsyncIterator

import pytest
from nats.js import JetStreamContext

from assetforge.common.blobs import MEDIA, ByteRange, JetStreamBlobStore, _writer
from assetforge.common.blobs import _meta as m
from tests.common.blobs.helpers import chunk_count, collect, meta_of, pieces, random_bytes

CHUNK = 128 * 1024


async def test_ranges_of_a_large_object_start_at_their_chunk(store: JetStreamBlobStore, js: JetStreamContext) -> None:
    data = random_bytes(40 * CHUNK + 9)
    name = f"large/{uuid.uuid4().hex}"
    await store.put(MEDIA, pieces(data, 100_000), name=name)
    meta = await meta_of(js, name)
    assert meta is not None
    assert m.chunk_seq(m.header(meta.headers, m.SEQS), 0) is not None
    for start, end in [(3 * CHUNK + 1, 30 * CHUNK), (39 * CHUNK, 40 * CHUNK + 8), (0, 20 * CHUNK - 1)]:
        assert await collect(store.read(MEDIA, name, ByteRange(start, end))) == data[start : end + 1]
    assert await js.consumers_info(m.stream_name(MEDIA)) == []


async def test_puts_side_by_side_interleave_chunks_and_ranges_still_land(store: JetStreamBlobStore) -> None:
    blobs = [random_bytes(20 * CHUNK + i) for i in range(4)]
    infos = await asyncio.gather(
        *(store.put(MEDIA, pieces(data, 50_000), name=f"side/{uuid.uuid4().hex}") for data in blobs)
    )
    for info, data in zip(infos, blobs, strict=True):
        window = ByteRange(5 * CHUNK + 3, 17 * CHUNK)
        assert await collect(store.read(MEDIA, info.name, window)) == data[window.start : window.end + 1]
        assert await collect(store.read(MEDIA, info.name)) == data


async def test_a_short_direct_get_falls_back_to_a_consumer(store: JetStreamBlobStore, js: JetStreamContext) -> None:
    data = random_bytes(2 * CHUNK + 1)
    name = f"fallback/{uuid.uuid4().hex}"
    await store.put(MEDIA, pieces(data, CHUNK), name=name)
    meta = await meta_of(js, name)
    assert meta is not None
    meta.chunks += 1  # as a replica behind the leader would answer: fewer than expected
    await js.publish(m.meta_subject(MEDIA, name), meta.encode(), headers=dict(m.ROLLUP))
    assert await collect(store.read(MEDIA, name)) == data


async def test_a_cancelled_reader_deletes_its_consumer(store: JetStreamBlobStore, js: JetStreamContext) -> None:
    """The caller's task is cancelled while it holds the reader (an HTTP response whose
    client went away): closing the reader, as ``aclosing`` does, removes the consumer."""
    name = f"cancel/{uuid.uuid4().hex}"
    await store.put(MEDIA, pieces(random_bytes(200 * CHUNK), CHUNK), name=name)
    started = asyncio.Event()

    async def slow_reader() -> None:
        async with contextlib.aclosing(store.read(MEDIA, name)) as reader:
            async for _ in reader:
                started.set()
                await asyncio.sleep(10)

    task = asyncio.create_task(slow_reader())
    await started.wait()
    assert len(await js.consumers_info(m.stream_name(MEDIA))) == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await js.consumers_info(m.stream_name(MEDIA)) == []


async def test_an_abandoned_reader_deletes_its_consumer_once_collected(
    store: JetStreamBlobStore, js: JetStreamContext
) -> None:
    name = f"abandon/{uuid.uuid4().hex}"
    await store.put(MEDIA, pieces(random_bytes(100 * CHUNK), CHUNK), name=name)
    reader = store.read(MEDIA, name)
    await anext(reader)
    assert len(await js.consumers_info(m.stream_name(MEDIA))) == 1
    del reader  # asyncio closes a collected async generator in a task of its own
    gc.collect()
    for _ in range(50):
        if not await js.consumers_info(m.stream_name(MEDIA)):
            break
        await asyncio.sleep(0.02)
    assert await js.consumers_info(m.stream_name(MEDIA)) == []


async def test_a_cancelled_put_leaves_nothing(store: JetStreamBlobStore, js: JetStreamContext) -> None:
    markers: list[str] = []
    stalled = asyncio.Event()

    async def stalling() -> AsyncIterator[bytes]:
        yield random_bytes(4 * CHUNK)
        markers.extend([meta.nuid async for meta in store._objects.metas(MEDIA) if meta.writing])
        stalled.set()
        await asyncio.sleep(60)
        yield b"never"

    task = asyncio.create_task(store.put(MEDIA, stalling()))
    await stalled.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert markers
    for nuid in markers:
        assert await chunk_count(js, nuid) == 0
        assert await meta_of(js, m.staging_name(nuid)) is None


async def test_a_long_put_refreshes_its_marker(
    store: JetStreamBlobStore, js: JetStreamContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_writer, "REFRESH_S", 0.0)
    seqs: list[int] = []

    async def watched() -> AsyncIterator[bytes]:
        for _ in range(3):
            yield random_bytes(1000)
            markers = [meta async for meta in store._objects.metas(MEDIA) if meta.writing]
            seqs.extend(meta.seq for meta in markers)
            await asyncio.sleep(0.01)

    info = await store.put(MEDIA, watched())
    assert len(set(seqs)) == 3  # republished: a newer sequence each time
    assert info.size == 3000
    assert await store.stat(MEDIA, info.name) is not None
