"""Round trips through the JetStream blob store: sizes around the chunk size, odd
pieces, measured size and digest, ranges and corruption."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from nats.js import JetStreamContext

from assetforge.common.blobs import MEDIA, BlobCorrupt, BlobNotFound, ByteRange, JetStreamBlobStore
from assetforge.common.blobs import _meta as m
from tests.common.blobs.helpers import collect, meta_of, pieces, random_bytes

CHUNK = 128 * 1024


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * 1024 * 1024 + 17])
async def test_round_trip(store: JetStreamBlobStore, size: int) -> None:
    data = random_bytes(size)
    name = f"round/{uuid.uuid4().hex}"
    info = await store.put(MEDIA, pieces(data, 65_537), name=name, content_type="image/png")
    assert (info.name, info.size, info.sha256) == (name, size, hashlib.sha256(data).hexdigest())
    assert info.content_type == "image/png"
    assert await collect(store.read(MEDIA, name)) == data
    stat = await store.stat(MEDIA, name)
    assert stat is not None
    assert (stat.size, stat.sha256, stat.content_type) == (size, info.sha256, "image/png")


@pytest.mark.parametrize("piece", [1, 7, 1000, 131_071, 131_073, 3 * CHUNK + 5])
async def test_pieces_of_any_size_make_whole_chunks(
    store: JetStreamBlobStore, js: JetStreamContext, piece: int
) -> None:
    data = random_bytes(2 * CHUNK + 12_345 if piece < 1000 else 4 * CHUNK + 3)
    name = f"odd/{uuid.uuid4().hex}"
    await store.put(MEDIA, pieces(data, piece), name=name)
    meta = await meta_of(js, name)
    assert meta is not None
    assert meta.chunks == -(-len(data) // CHUNK)
    assert await collect(store.read(MEDIA, name)) == data


async def test_a_staged_put_gets_a_staging_name(store: JetStreamBlobStore) -> None:
    info = await store.put(MEDIA, pieces(b"hello", 2))
    assert info.name.startswith(".staging/")
    assert await collect(store.read(MEDIA, info.name)) == b"hello"


async def test_missing_objects(store: JetStreamBlobStore) -> None:
    assert await store.stat(MEDIA, "nope") is None
    with pytest.raises(BlobNotFound):
        await collect(store.read(MEDIA, "nope"))
    assert not await store.delete(MEDIA, "nope")


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (0, 0),
        (0, CHUNK - 1),  # exactly the first chunk
        (CHUNK, 2 * CHUNK - 1),  # exactly the second
        (CHUNK - 1, CHUNK),  # across a boundary
        (1000, 2000),  # inside one chunk
        (2 * CHUNK + 5, 3 * CHUNK + 99),  # inside the last, short chunk
        (5, 10**9),  # end past the object: clamped
    ],
)
async def test_ranges(store: JetStreamBlobStore, start: int, end: int) -> None:
    data = random_bytes(3 * CHUNK + 100)
    name = f"range/{uuid.uuid4().hex}"
    await store.put(MEDIA, pieces(data, 50_000), name=name)
    got = await collect(store.read(MEDIA, name, ByteRange(start, end)))
    assert got == data[start : end + 1]


async def test_a_range_past_the_end_is_refused(store: JetStreamBlobStore) -> None:
    await store.put(MEDIA, pieces(b"abc", 3), name="range/short")
    with pytest.raises(ValueError, match="outside"):
        await collect(store.read(MEDIA, "range/short", ByteRange(3, 5)))


async def test_a_range_of_an_object_without_sequence_index_reads_from_the_start(
    store: JetStreamBlobStore, js: JetStreamContext
) -> None:
    data = random_bytes(3 * CHUNK)
    os = await js.object_store(MEDIA)
    await os.put("range/foreign", data)
    got = await collect(store.read(MEDIA, "range/foreign", ByteRange(CHUNK + 10, 2 * CHUNK + 10)))
    assert got == data[CHUNK + 10 : 2 * CHUNK + 11]


async def test_a_wrong_digest_is_detected(store: JetStreamBlobStore, js: JetStreamContext) -> None:
    data = random_bytes(CHUNK + 10)
    name = f"corrupt/{uuid.uuid4().hex}"
    await store.put(MEDIA, pieces(data, 4096), name=name)
    meta = await meta_of(js, name)
    assert meta is not None
    meta.sha256 = hashlib.sha256(b"other bytes").hexdigest()
    await js.publish(m.meta_subject(MEDIA, name), meta.encode(), headers=dict(m.ROLLUP))
    with pytest.raises(BlobCorrupt, match="digest"):
        await collect(store.read(MEDIA, name))


async def test_missing_chunks_are_detected(store: JetStreamBlobStore, js: JetStreamContext) -> None:
    data = random_bytes(2 * CHUNK)
    name = f"corrupt/{uuid.uuid4().hex}"
    await store.put(MEDIA, pieces(data, CHUNK), name=name)
    meta = await meta_of(js, name)
    assert meta is not None
    meta.size += 1
    await js.publish(m.meta_subject(MEDIA, name), meta.encode(), headers=dict(m.ROLLUP))
    with pytest.raises(BlobCorrupt, match="bytes of"):
        await collect(store.read(MEDIA, name))
