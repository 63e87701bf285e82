"""Streaming an object's chunks back, whole (checked) or a byte range of it."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncGenerator

from nats.js import JetStreamContext

from assetforge.common.blobs import _direct
from assetforge.common.blobs import _meta as m
from assetforge.common.blobs._consume import consume
from assetforge.common.blobs.store import BlobCorrupt, ByteRange


async def read_whole(js: JetStreamContext, meta: m.Meta) -> AsyncGenerator[bytes, None]:
    """Every chunk, in order; :class:`BlobCorrupt` after the last one when the bytes do
    not add up to the meta's size and digest (or as soon as they pass the size)."""
    digest = hashlib.sha256()
    size = 0
    if meta.size > 0:
        chunks = _chunks(js, meta, start_seq=None, count=meta.chunks or None)
        async with contextlib.aclosing(chunks):
            async for chunk in chunks:
                size += len(chunk)
                if size > meta.size:
                    raise BlobCorrupt(f"{meta.bucket}/{meta.name}: more bytes than its {meta.size}")
                digest.update(chunk)
                yield chunk
    if size != meta.size:
        raise BlobCorrupt(f"{meta.bucket}/{meta.name}: {size} bytes of {meta.size}")
    # A meta without a digest (not one of ours) can only be checked for size.
    if meta.sha256 and digest.hexdigest() != meta.sha256:
        raise BlobCorrupt(f"{meta.bucket}/{meta.name}: digest mismatch")


async def read_range(js: JetStreamContext, meta: m.Meta, byte_range: ByteRange) -> AsyncGenerator[bytes, None]:
    """The bytes of ``byte_range`` (its end clamped to the object's last byte).

    Objects this store wrote carry the stream sequence of every chunk and have chunks of
    exactly ``chunk_size`` bytes, so the consumer starts at the first chunk the range
    needs and stops after the last one. Other objects (written by nats-py or the CLI,
    whose chunks may be short) are read from their first chunk, dropping bytes before
    the range: that costs reading ``start`` bytes more."""
    if byte_range.start < 0 or byte_range.end < byte_range.start or byte_range.start >= meta.size:
        raise ValueError(f"range {byte_range.start}-{byte_range.end} outside 0-{meta.size - 1}")
    end = min(byte_range.end, meta.size - 1)
    offset, start_seq = 0, None
    first = byte_range.start // meta.chunk_size
    seq = m.chunk_seq(m.header(meta.headers, m.SEQS), first)
    if seq is not None:
        offset, start_seq = first * meta.chunk_size, seq
    count = None if start_seq is None else end // meta.chunk_size - first + 1
    chunks = _chunks(js, meta, start_seq=start_seq, count=count)
    async with contextlib.aclosing(chunks):
        async for data in chunks:
            low, offset = offset, offset + len(data)
            if offset <= byte_range.start:
                continue
            yield data[max(0, byte_range.start - low) : end + 1 - low]
            if offset > end:
                return
    raise BlobCorrupt(f"{meta.bucket}/{meta.name}: ended at byte {offset} of {meta.size}")


async def _chunks(
    js: JetStreamContext, meta: m.Meta, *, start_seq: int | None, count: int | None
) -> AsyncGenerator[bytes, None]:
    """``count`` chunks (None: all there are) from ``start_seq`` (None: the first): a
    few in one direct get, more through a pull consumer, which also takes over when the
    direct get comes back short."""
    stream, subject = m.stream_name(meta.bucket), m.chunk_subject(meta.bucket, meta.nuid)
    if count is not None and count <= _direct.MAX_CHUNKS:
        # JetStreamContext has no public way to its connection.
        nc = js._nc  # noqa: SLF001
        found = await _direct.get_chunks(nc, stream, subject, start_seq=start_seq or 0, count=count)
        if found is not None:
            for chunk in found:
                yield chunk
            return
    # A whole read takes every chunk there is, so that extra ones show as corruption.
    msgs = consume(js, stream, subject, start_seq=start_seq, limit=None if start_seq is None else count)
    async with contextlib.aclosing(msgs):
        async for msg in msgs:
            yield msg.data
