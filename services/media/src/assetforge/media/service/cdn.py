"""The CDN mirror's rules: which stored files go to the CDN, under which name, and what
a record says once that worked, failed for good, or failed for now.

Uploads go to ``media/{sha256}/content{ext}``: content-addressed like their object,
so identical uploads share one CDN copy and the second is mirrored without an upload.
Generated files go to ``gdd-assets/{assetId}/{path}``, the name they have here.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.blobs import GDD_ASSETS, MEDIA, BlobCorrupt, BlobNotFound, BlobStore
from assetforge.common.bus.outbox import add_event
from assetforge.common.contracts.media import FileMirrored, FileStored, file_event_subject
from assetforge.media.cdn import CdnClient, CdnRejected, CdnTarget, CdnUnavailable
from assetforge.media.models import CdnState, outbox
from assetforge.media.repository import FileRepository, FileRow
from assetforge.media.service.content_types import extension_of
from assetforge.media.service.files import parse_id

log = logging.getLogger(__name__)

__all__ = ["CdnUnavailable", "mirror_file", "note_failed_attempt", "target_of"]


def target_of(row: FileRow) -> CdnTarget:
    if row.bucket == GDD_ASSETS:
        asset_id, _, path = row.object_name.partition("/")
        return CdnTarget(directory=GDD_ASSETS, asset_id=asset_id, file_name=path)
    return CdnTarget(
        directory=MEDIA, asset_id=row.sha256, file_name="content" + extension_of(row.mime_type, row.metadata)
    )


async def _current(session: AsyncSession, event: FileStored) -> FileRow | None:
    """The record the event is about, if it still holds the event's bytes and still
    needs mirroring (it may have been deleted, replaced or mirrored since)."""
    ident = parse_id(event.file_id)
    row = await FileRepository(session).get_file(ident) if ident is not None else None
    if row is None or row.sha256 != event.sha256 or row.cdn_state != CdnState.PENDING:
        return None
    return row


async def mirror_file(session: AsyncSession, store: BlobStore, cdn: CdnClient, event: FileStored) -> None:
    """Put the file on the CDN and point its record there, announcing ``mirrored``; or
    mark it failed when the CDN refuses it. Raises :class:`CdnUnavailable` when the CDN
    could not take it now (the caller retries later)."""
    row = await _current(session, event)
    if row is None:
        return
    repository = FileRepository(session)
    target = target_of(row)
    cdn_url = await repository.mirrored_copy(row.bucket, row.object_name) if row.bucket == MEDIA else None
    uploaded = cdn_url is None
    if cdn_url is None:
        try:
            chunks = store.read(row.bucket, row.object_name)
            cdn_url = await cdn.upload(target, size=row.size, content_type=row.mime_type, chunks=chunks)
        except CdnRejected as error:
            log.warning("CDN refused %s (%s): %s", row.id, target.upload_name, error)
            await repository.set_failed(row.id, row.sha256, str(error))
            return
        except (BlobNotFound, BlobCorrupt) as error:
            # The stored bytes are gone or damaged: no retry can mirror them.
            log.error("cannot mirror %s: %s: %s", row.id, type(error).__name__, error)  # noqa: TRY400
            await repository.set_failed(row.id, row.sha256, f"the stored object is unreadable: {type(error).__name__}")
            return
    if await repository.set_mirrored(row.id, row.sha256, cdn_url, uploaded=uploaded):
        mirrored = FileMirrored(file_id=str(row.id), cdn_url=cdn_url)
        await add_event(session, outbox, file_event_subject(str(row.id), "mirrored"), mirrored)


async def note_failed_attempt(session: AsyncSession, event: FileStored, error: str, max_attempts: int) -> bool:
    """Count a try that the CDN could not take; whether to try again (False once the
    record is failed, the dead letter, or no longer needs its bytes mirrored)."""
    ident = parse_id(event.file_id)
    if ident is None:
        return False
    noted = await FileRepository(session).note_attempt(ident, event.sha256, error, max_attempts)
    if noted is None or noted.state != CdnState.PENDING:
        if noted is not None:
            log.warning("giving up mirroring %s after %d tries: %s", event.file_id, noted.attempts, error)
        return False
    return True
