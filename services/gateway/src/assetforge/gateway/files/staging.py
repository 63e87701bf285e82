"""Claim checks: bytes are staged in the blob store, then handed to the media service,
which checks, records and promotes them, or deletes them when it refuses.

What the media service cannot be asked about is this module's to tidy. When it is
unreachable (no responder, bus down) the staged object is deleted at once. When it did
not answer in time it may still be working on the object, and deleting a staged name
it is promoting would take the promoted file's bytes with it: so the object is deleted
after a grace period, and only if it is still staged by then.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterable

import msgspec

from assetforge.common.blobs import BlobStore, BlobTooLarge
from assetforge.common.contracts.media import StagedObject
from assetforge.common.errors import AppError, GatewayTimeout, PayloadTooLarge
from assetforge.gateway.files.access import Requester

log = logging.getLogger(__name__)

# Far longer than the media service takes to promote an object it has accepted.
GRACE_S = 60.0


async def stage(
    store: BlobStore, bucket: str, chunks: AsyncIterable[bytes], *, max_size: int, content_type: str | None = None
) -> StagedObject:
    """Stream ``chunks`` into ``bucket`` under a staging name; 413 past ``max_size``
    (the store keeps nothing of a put that failed, the client's disconnect included)."""
    try:
        info = await store.put(bucket, chunks, content_type=content_type, max_size=max_size)
    except BlobTooLarge:
        raise PayloadTooLarge(f"the file may hold at most {max_size // (1024 * 1024)} MB") from None
    return StagedObject(bucket=info.bucket, name=info.name, size=info.size, sha256=info.sha256)


class StagedObjects:
    """Hands staged objects over, and removes the ones nobody will."""

    def __init__(self, grace_s: float = GRACE_S) -> None:
        self._grace = grace_s
        self._later: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()

    async def hand_over(
        self, store: BlobStore, bus: Requester, subject: str, message: msgspec.Struct, staged: StagedObject
    ) -> bytes:
        """The media service's reply to ``message`` about ``staged``; on any failure the
        staged object does not outlive it (see the module's note)."""
        try:
            return await bus.request_raw(subject, message)
        except GatewayTimeout:
            task = asyncio.create_task(self._discard_later(store, staged), name="discard-staged")
            self._later.add(task)
            task.add_done_callback(self._later.discard)
            raise
        except AppError:
            # Unreachable, or it refused (then it deleted the object, and this finds none).
            await self.discard(store, staged)
            raise

    async def discard(self, store: BlobStore, staged: StagedObject) -> None:
        try:
            await store.delete(staged.bucket, staged.name)
        except Exception as error:  # noqa: BLE001 - the store's sweep of old staged objects remains
            log.warning("could not delete staged %s/%s: %r", staged.bucket, staged.name, error)

    async def _discard_later(self, store: BlobStore, staged: StagedObject) -> None:
        # stop() ends the wait early; the check still runs.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), self._grace)
        # Promoted meanwhile: the staging name is gone, and with it anything to delete.
        if await store.stat(staged.bucket, staged.name) is not None:
            await self.discard(store, staged)

    async def stop(self) -> None:
        """At shutdown the grace is over: what is still staged goes now."""
        self._stopping.set()
        if self._later:
            await asyncio.wait(list(self._later), timeout=5)
