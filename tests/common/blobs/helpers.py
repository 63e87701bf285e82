"""Helpers for the blob tests."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import nats
from nats.js import JetStreamContext

from assetforge.common.blobs import MEDIA
from assetforge.common.blobs import _meta as m


def pieces(data: bytes, size: int) -> AsyncIterator[bytes]:
    async def gen() -> AsyncIterator[bytes]:
        for i in range(0, len(data), size):
            yield data[i : i + size]

    return gen()


async def collect(it: AsyncIterator[bytes]) -> bytes:
    return b"".join([piece async for piece in it])


async def chunk_count(js: JetStreamContext, nuid: str, bucket: str = MEDIA) -> int:
    """Chunk messages the stream still holds for ``nuid``."""
    info = await js.stream_info(m.stream_name(bucket), subjects_filter=m.chunk_subject(bucket, nuid))
    return sum((info.state.subjects or {}).values())


async def meta_of(js: JetStreamContext, name: str, bucket: str = MEDIA) -> m.Meta | None:
    try:
        msg = await js.get_last_msg(m.stream_name(bucket), m.meta_subject(bucket, name))
    except nats.js.errors.NotFoundError:
        return None
    return m.decode(msg.data, seq=msg.seq or 0, time=msg.time)


def random_bytes(size: int) -> bytes:
    return os.urandom(size)
