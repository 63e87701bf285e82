"""Streaming a put's bytes into chunk messages, measuring them as they pass."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import deque
from collections.abc import AsyncIterable, Awaitable, Callable
from dataclasses import replace

from nats.js import JetStreamContext
from nats.js.api import PubAck

from assetforge.common.blobs import _meta as m
from assetforge.common.blobs.store import BlobTooLarge

# A put in progress republishes its marker this often, so a sweep can tell a slow upload
# from an abandoned one by the marker's age.
REFRESH_S = 60.0
# Chunks published before the first of them must be acknowledged: waiting for each ack
# in turn would make a put one round trip per 128 KiB.
WINDOW = 32
ACK_TIMEOUT_S = 10.0


class _Publisher:
    """Publishes chunks in order with up to ``WINDOW`` acks outstanding, recording the
    stream sequence of each as its ack arrives (in publication order)."""

    def __init__(self, js: JetStreamContext, subject: str) -> None:
        self._js = js
        self._subject = subject
        self._inflight: deque[asyncio.Future[PubAck]] = deque()
        self.runs: list[list[int]] = []

    async def publish(self, chunk: bytes) -> None:
        self._inflight.append(await self._js.publish_async(self._subject, chunk))
        if len(self._inflight) >= WINDOW:
            await self._settle()

    async def flush(self) -> None:
        while self._inflight:
            await self._settle()

    async def abandon(self) -> None:
        """Wait (briefly) for the acks still due, so the purge that follows comes after
        every chunk is stored and none is left behind it; then forget the rest."""
        if self._inflight:
            await asyncio.wait(self._inflight, timeout=ACK_TIMEOUT_S)
        for future in self._inflight:
            future.cancel()  # frees its place in nats-py's pending-publish semaphore
        self._inflight.clear()

    async def _settle(self) -> None:
        ack = await asyncio.wait_for(self._inflight[0], ACK_TIMEOUT_S)
        self._inflight.popleft()
        m.append_seq(self.runs, ack.seq)


async def write_chunks(
    js: JetStreamContext,
    marker: m.Meta,
    source: AsyncIterable[bytes],
    *,
    max_size: int | None,
    refresh: Callable[[m.Meta], Awaitable[int]],
) -> m.Meta:
    """Publish ``source`` as ``CHUNK_SIZE`` chunks on the marker's chunk subject; the
    complete staged meta to publish (under the marker's name) comes back. Raises
    :class:`BlobTooLarge` as soon as the bytes pass ``max_size``; the caller purges."""
    publisher = _Publisher(js, m.chunk_subject(marker.bucket, marker.nuid))
    try:
        size, digest = await _pump(source, publisher, max_size, lambda: refresh(marker))
        await publisher.flush()
    except BaseException:
        await publisher.abandon()
        raise
    headers = {key: value for key, value in marker.headers.items() if key != m.STATE}
    encoded = m.encode_runs(publisher.runs)
    if encoded is not None:
        headers[m.SEQS] = [encoded]
    chunks = sum(count for _, count in publisher.runs)
    return replace(marker, size=size, chunks=chunks, sha256=digest, headers=headers, time=None)


async def _pump(
    source: AsyncIterable[bytes],
    publisher: _Publisher,
    max_size: int | None,
    refresh: Callable[[], Awaitable[int]],
) -> tuple[int, str]:
    """Cut ``source`` into chunks for ``publisher``; the size and hex SHA-256 seen."""
    digest = hashlib.sha256()
    pending = bytearray()
    size = 0
    refreshed = time.monotonic()
    async for piece in source:
        if not piece:
            continue
        size += len(piece)
        if max_size is not None and size > max_size:
            raise BlobTooLarge(f"more than {max_size} bytes")
        digest.update(piece)
        pending += piece
        while len(pending) >= m.CHUNK_SIZE:
            await publisher.publish(bytes(pending[: m.CHUNK_SIZE]))
            # Deleting from the front of a bytearray is cheap in CPython (no memmove).
            del pending[: m.CHUNK_SIZE]
        if time.monotonic() - refreshed > REFRESH_S:
            await refresh()
            refreshed = time.monotonic()
    if pending:
        await publisher.publish(bytes(pending))
    return size, digest.hexdigest()
