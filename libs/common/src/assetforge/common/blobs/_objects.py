"""The Object Store's moves on one bucket: reading, publishing and purging metas, and
renaming an object by compare-and-set on its meta subject."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator
from dataclasses import replace

import nats.errors
from nats.js import JetStreamContext
from nats.js.errors import APIError, NotFoundError

from assetforge.common.blobs import _meta as m
from assetforge.common.blobs._consume import consume

log = logging.getLogger(__name__)

_CAS_ATTEMPTS = 8


class Objects:
    def __init__(self, js: JetStreamContext) -> None:
        self._js = js

    async def install(self, meta: m.Meta, name: str, *, discard_on_failure: bool = False) -> m.Meta:
        """Point ``name`` at ``meta``'s chunks, then drop the staging meta ``meta.name``;
        or, when ``name`` already holds the same bytes, drop this copy instead."""
        try:
            final, old_nuid = await self._commit(meta, name)
        except BaseException:
            # A failed promote keeps its staged object, for a retry; a failed put keeps
            # nothing.
            if discard_on_failure:
                await asyncio.shield(self.discard(meta.bucket, meta.nuid, meta.name))
            raise
        # Committed. The rest is tidying, shielded so that a caller going away cannot
        # leave the staging meta behind.
        if final.nuid != meta.nuid:
            await asyncio.shield(self.discard(meta.bucket, meta.nuid, meta.name))
        else:
            await asyncio.shield(self._tidy(meta.bucket, meta.name, old_nuid))
        return final

    async def _commit(self, meta: m.Meta, name: str) -> tuple[m.Meta, str | None]:
        """Publish the final meta only if the subject's last sequence is still the one
        read, so of two promotions racing for one name exactly one wins each round; the
        loser re-reads and, finding the same digest, returns the winner's. Returns what
        ``name`` now holds and the nuid whose chunks it replaced."""
        for _ in range(_CAS_ATTEMPTS):
            existing = await self.get(meta.bucket, name)
            current = existing if existing is not None and existing.live else None
            if current is not None and current.nuid != meta.nuid and _same_bytes(current, meta):
                return current, None
            final = replace(meta, name=name, time=None)
            try:
                final.seq = await self.publish(final, expected_seq=existing.seq if existing else 0)
            except APIError as exc:
                if exc.err_code == m.WRONG_LAST_SEQUENCE:
                    continue
                raise
            return final, current.nuid if current is not None and current.nuid != meta.nuid else None
        raise RuntimeError(f"{meta.bucket}/{name}: kept losing the race to rename onto it")

    async def _tidy(self, bucket: str, staged: str, old_nuid: str | None) -> None:
        await self.purge(bucket, m.meta_subject(bucket, staged))
        if old_nuid is not None:
            await self.purge(bucket, m.chunk_subject(bucket, old_nuid))

    async def delete(self, bucket: str, name: str) -> bool:
        """Tombstone ``name`` (compare-and-set, like a rename) and purge its chunks; a
        staging name, never reused, is removed outright."""
        for _ in range(_CAS_ATTEMPTS):
            meta = await self.get(bucket, name)
            if meta is None or not meta.live:  # a put in progress is not an object yet
                return False
            if meta.staging:
                await self.discard(bucket, meta.nuid, name)
                return True
            tombstone = m.Meta(bucket=bucket, name=name, nuid=meta.nuid, deleted=True)
            try:
                await self.publish(tombstone, expected_seq=meta.seq)
            except APIError as exc:
                if exc.err_code == m.WRONG_LAST_SEQUENCE:
                    continue
                raise
            await self.purge(bucket, m.chunk_subject(bucket, meta.nuid))
            return True
        raise RuntimeError(f"{bucket}/{name}: kept losing the race to delete it")

    async def metas(self, bucket: str) -> AsyncGenerator[m.Meta, None]:
        try:
            msgs = consume(self._js, m.stream_name(bucket), m.all_metas(bucket), last_per_subject=True)
            async with contextlib.aclosing(msgs):
                async for msg in msgs:
                    meta = m.decode(msg.data, seq=msg.metadata.sequence.stream, time=msg.metadata.timestamp)
                    if meta is not None:
                        yield meta
        except NotFoundError:
            return

    async def get(self, bucket: str, name: str) -> m.Meta | None:
        """The last meta under ``name``, deleted or not; None when there is none. Read
        from the stream leader (not a direct get), as compare-and-set needs the latest."""
        try:
            msg = await self._js.get_last_msg(m.stream_name(bucket), m.meta_subject(bucket, name))
        except NotFoundError:
            return None
        return m.decode(msg.data, seq=msg.seq or 0, time=msg.time)

    async def publish(self, meta: m.Meta, *, expected_seq: int | None = None) -> int:
        headers = dict(m.ROLLUP)
        if expected_seq is not None:
            headers[m.EXPECTED_LAST_SUBJECT_SEQ] = str(expected_seq)
        ack = await self._js.publish(m.meta_subject(meta.bucket, meta.name), meta.encode(), headers=headers)
        return ack.seq

    async def discard(self, bucket: str, nuid: str, staged: str) -> None:
        """Purge a staged object's chunks, then its meta (in that order: a meta without
        chunks is found by a sweep, chunks without a meta would not be)."""
        await self.purge(bucket, m.chunk_subject(bucket, nuid))
        await self.purge(bucket, m.meta_subject(bucket, staged))

    async def purge(self, bucket: str, subject: str) -> None:
        try:
            await self._js.purge_stream(m.stream_name(bucket), subject=subject)
        except (nats.errors.Error, TimeoutError) as exc:
            log.warning("could not purge %s: %r (a sweep will)", subject, exc)


def _same_bytes(a: m.Meta, b: m.Meta) -> bool:
    return a.size == b.size and bool(a.sha256) and a.sha256 == b.sha256
