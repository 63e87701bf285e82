"""The blob store on JetStream's Object Store: one stream ``OBJ_<bucket>`` per bucket.

Objects stay in the Object Store's own format (``_meta.py``), so nats-py's
``ObjectStore`` and the ``nats`` CLI read what this writes and the other way round.
What this adds: puts announce themselves with a staging meta before their first chunk
(so a crash leaves bytes a sweep can find), names change by republishing the meta
(promotion moves no bytes), name changes are compare-and-set on the meta subject's last
sequence (concurrent promotes end with one intact object), and reads use a fast pull
consumer. See docs/blobs.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from nats.js import JetStreamContext
from nats.nuid import NUID

from assetforge.common.blobs import _meta as m
from assetforge.common.blobs._objects import Objects
from assetforge.common.blobs._reader import read_range, read_whole
from assetforge.common.blobs._writer import write_chunks
from assetforge.common.blobs.store import STAGING_PREFIX, BlobInfo, BlobNotFound, BlobStore, ByteRange

log = logging.getLogger(__name__)


class JetStreamBlobStore:
    def __init__(self, js: JetStreamContext) -> None:
        self._js = js
        self._objects = Objects(js)
        self._nuid = NUID()

    async def put(
        self,
        bucket: str,
        chunks: AsyncIterable[bytes],
        *,
        name: str | None = None,
        content_type: str | None = None,
        max_size: int | None = None,
    ) -> BlobInfo:
        """See :meth:`BlobStore.put`. A named put is a staged put promoted at once, so it
        deduplicates and replaces exactly like :meth:`promote`."""
        if name is not None and name.startswith(STAGING_PREFIX):
            raise ValueError(f"{name!r}: staging names are the store's to give")
        nuid = self._nuid.next().decode()
        staged = m.staging_name(nuid)
        marker = m.Meta(bucket=bucket, name=staged, nuid=nuid, headers={m.STATE: [m.WRITING]})
        # The marker goes first: from now on a sweep can find this nuid's chunks even if
        # the process dies mid-stream.
        await self._objects.publish(marker)
        try:
            meta = await write_chunks(self._js, marker, chunks, max_size=max_size, refresh=self._objects.publish)
            if content_type:
                meta.headers[m.CONTENT_TYPE] = [content_type]
            if name is None:
                meta.seq = await self._objects.publish(meta)
                return meta.info()
        except BaseException:
            # Shielded: a put cancelled again while purging still purges.
            await asyncio.shield(self._objects.discard(bucket, nuid, staged))
            raise
        return (await self._objects.install(meta, name, discard_on_failure=True)).info()

    async def promote(self, bucket: str, staged: str, name: str) -> BlobInfo:
        """See :meth:`BlobStore.promote`. Raises :class:`BlobNotFound` when ``staged`` is
        not a complete staged object (already promoted, swept or still being written)."""
        if not staged.startswith(STAGING_PREFIX) or name.startswith(STAGING_PREFIX):
            raise ValueError("promote moves a staging name to a final one")
        meta = await self._objects.get(bucket, staged)
        if meta is None or not meta.live:
            raise BlobNotFound(f"{bucket}/{staged}")
        return (await self._objects.install(meta, name)).info()

    def read(self, bucket: str, name: str, byte_range: ByteRange | None = None) -> AsyncGenerator[bytes, None]:
        """See :meth:`BlobStore.read`. A range is not checked against the digest (only
        whole reads are); it raises ``ValueError`` when it starts past the end, and an
        end past the last byte is clamped to it.

        The reader holds a consumer on the server until it is exhausted or closed:
        stopping early, close it (``contextlib.aclosing``) or drop it (asyncio closes a
        collected async generator soon after)."""
        return self._read(bucket, name, byte_range)

    async def _read(self, bucket: str, name: str, byte_range: ByteRange | None) -> AsyncGenerator[bytes, None]:
        meta = await self._objects.get(bucket, name)
        if meta is None or not meta.live:
            raise BlobNotFound(f"{bucket}/{name}")
        pieces = read_whole(self._js, meta) if byte_range is None else read_range(self._js, meta, byte_range)
        async with contextlib.aclosing(pieces):
            async for piece in pieces:
                yield piece

    async def stat(self, bucket: str, name: str) -> BlobInfo | None:
        meta = await self._objects.get(bucket, name)
        return meta.info() if meta is not None and meta.live else None

    async def delete(self, bucket: str, name: str) -> bool:
        """See :meth:`BlobStore.delete`. A final name keeps a ``deleted`` meta, as nats-py
        leaves it; a staging name, never reused, is removed outright."""
        return await self._objects.delete(bucket, name)

    async def list(
        self, bucket: str, prefix: str = "", *, include_staging: bool = False
    ) -> AsyncGenerator[BlobInfo, None]:
        """Objects whose name starts with ``prefix``, in no promised order. Staged
        objects only with ``include_staging`` or a prefix inside ``STAGING_PREFIX``.

        Names are base64 in the meta subjects, so this reads every meta of the bucket
        (one small message per object) and filters here."""
        include_staging = include_staging or prefix.startswith(STAGING_PREFIX)
        async for meta in self._objects.metas(bucket):
            if meta.live and meta.name.startswith(prefix) and (include_staging or not meta.staging):
                yield meta.info()

    async def sweep_staging(self, bucket: str, older_than_s: float) -> int:
        """Remove staged objects and abandoned puts older than ``older_than_s``; returns
        how many. Chunks another meta still points at (a promotion that died before
        dropping its staging meta) are kept.

        ``older_than_s`` must exceed the longest time between staging and promotion, as
        a promotion racing the sweep could otherwise lose its chunks; puts in progress
        refresh their marker every ``_writer.REFRESH_S`` so long uploads are safe."""
        metas = [meta async for meta in self._objects.metas(bucket)]
        in_use = {meta.nuid for meta in metas if not meta.staging and not meta.deleted}
        cutoff = datetime.now(UTC) - timedelta(seconds=older_than_s)
        swept = 0
        for meta in metas:
            if not meta.staging or meta.time is None or meta.time >= cutoff:
                continue
            if meta.nuid in in_use:
                await self._objects.purge(bucket, m.meta_subject(bucket, meta.name))
            else:
                await self._objects.discard(bucket, meta.nuid, meta.name)
            log.info("swept %s/%s (%s)", bucket, meta.name, "writing" if meta.writing else "staged")
            swept += 1
        return swept


if TYPE_CHECKING:

    def _is_a_blob_store(store: JetStreamBlobStore) -> BlobStore:
        return store  # mypy checks the protocol here
