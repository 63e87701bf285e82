"""A file's bytes sent as the blob store reads them: one chunk in memory at a time.

An ASGI response of Litestar's own kind, so a handler returns it as it is. uvicorn's
``send`` waits while the socket is busy, which paces the reads to the client; and
since it returns silently once the client is gone, a large body also watches for the
disconnect so the read stops within a chunk instead of running to the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from litestar.response.base import ASGIResponse
from litestar.types import Receive, Send

from assetforge.common.blobs import BlobCorrupt, BlobNotFound, BlobStore, ByteRange

log = logging.getLogger(__name__)

# Below this, a body is a few chunks: watching for a disconnect would cost more (a task
# per response) than reading it to the end.
WATCH_ABOVE = 1024 * 1024


class BlobResponse(ASGIResponse):
    __slots__ = ("_bucket", "_length", "_name", "_range", "_store")

    def __init__(  # noqa: PLR0917 - one response's facts
        self,
        store: BlobStore,
        bucket: str,
        name: str,
        byte_range: ByteRange | None,
        status_code: int,
        length: int,
        headers: dict[str, str],
        *,
        head: bool,
    ) -> None:
        # The headers are complete (length, type, validators); Litestar adds none of its own.
        super().__init__(status_code=status_code, headers=headers, is_head_response=head)
        self._store = store
        self._bucket = bucket
        self._name = name
        self._range = byte_range
        self._length = length

    async def send_body(self, send: Send, receive: Receive) -> None:
        gone = asyncio.Event()
        watcher = asyncio.create_task(_watch(receive, gone)) if self._length > WATCH_ABOVE else None
        chunks = self._store.read(self._bucket, self._name, self._range)
        try:
            async with contextlib.aclosing(chunks):  # type: ignore[type-var] # an async generator in practice
                async for chunk in chunks:
                    if gone.is_set():
                        return
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except (BlobNotFound, BlobCorrupt, ValueError) as error:
            # The head is sent: all that is left is to end the connection short of its
            # Content-Length, which tells the client the body is incomplete.
            log.warning("%s/%s could not be sent whole: %s", self._bucket, self._name, error)
            return
        finally:
            if watcher is not None:
                watcher.cancel()
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _watch(receive: Receive, gone: asyncio.Event) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    gone.set()
