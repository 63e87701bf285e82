"""The file records' rules: who sees which file, where its URL points, how pages are cut,
what a delete removes."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common import cursors
from assetforge.common.blobs import GDD_ASSETS, MEDIA, BlobStore
from assetforge.common.bus.context import Principal
from assetforge.common.bus.outbox import add_event
from assetforge.common.contracts.media import (
    Deleted,
    FileDeleted,
    FilePage,
    FileStored,
    Kind,
    ListFiles,
    MediaFile,
    StorageHealth,
    file_event_subject,
)
from assetforge.common.db.repository import Executor
from assetforge.common.errors import NotFound, Unauthorized
from assetforge.media.models import CdnState, outbox
from assetforge.media.repository import FileFilter, FileRepository, FileRow, PagePosition


def local_url(row: FileRow) -> str:
    """Where the gateway serves the file: uploads by id, generated files by name."""
    if row.bucket == GDD_ASSETS:
        return f"/{GDD_ASSETS}/{row.object_name}"
    return f"/api/{MEDIA}/{row.id}/content"


def to_media_file(row: FileRow) -> MediaFile:
    mirrored = row.cdn_state == CdnState.MIRRORED and row.cdn_url is not None
    return MediaFile(
        id=str(row.id),
        url=row.cdn_url if mirrored and row.cdn_url else local_url(row),
        kind=Kind(row.kind),
        mime_type=row.mime_type,
        size=row.size,
        sha256=row.sha256,
        created_at=row.created_at,
        owner_id=row.owner_id,
        file_name=row.file_name,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        cdn_url=row.cdn_url,
        bucket=row.bucket,
        object_name=row.object_name,
        metadata=row.metadata,
    )


async def announce_stored(session: AsyncSession, row: FileRow) -> None:
    """``evt.media.file.<id>.stored``, committed with the record (the CDN mirror's cue)."""
    event = FileStored(
        file_id=str(row.id),
        bucket=row.bucket,
        object_name=row.object_name,
        kind=Kind(row.kind),
        mime_type=row.mime_type,
        size=row.size,
        sha256=row.sha256,
        owner_id=row.owner_id,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        url=local_url(row),
        stored_at=row.updated_at,
    )
    await add_event(session, outbox, file_event_subject(str(row.id), "stored"), event)


def encode_cursor(position: PagePosition) -> str:
    return cursors.encode_cursor(position.created_at, position.id)


def decode_cursor(cursor: str) -> PagePosition:
    """The position a cursor of ours names; anything else is a 422 naming ``cursor``."""
    created_at, row_id = cursors.decode_cursor(cursor)
    return PagePosition(created_at=created_at, id=row_id)


def parse_id(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _may_see(row: FileRow, viewer: Principal | None) -> bool:
    return viewer is not None and (viewer.is_admin or row.owner_id == viewer.user_id)


async def _visible_file(db: Executor, file_id: str, viewer: Principal | None) -> FileRow:
    ident = parse_id(file_id)
    row = await FileRepository(db).get_file(ident) if ident is not None else None
    # Someone else's file answers exactly like a missing one, so ids cannot be probed.
    if row is None or not _may_see(row, viewer):
        raise NotFound("file not found")
    return row


async def get_file(db: Executor, file_id: str, viewer: Principal | None) -> MediaFile:
    return to_media_file(await _visible_file(db, file_id, viewer))


async def list_files(db: Executor, query: ListFiles, viewer: Principal | None) -> FilePage:
    if viewer is None:
        raise Unauthorized("listing files needs a signed-in user")
    where = FileFilter(
        owner_id=None if viewer.is_admin else viewer.user_id,
        entity_type=query.entity_type,
        entity_id=query.entity_id,
        kind=query.kind.value if query.kind else None,
    )
    after = decode_cursor(query.cursor) if query.cursor else None
    rows = await FileRepository(db).list_page(where, after, query.limit + 1)
    page, more = rows[: query.limit], len(rows) > query.limit
    next_cursor = encode_cursor(PagePosition(page[-1].created_at, page[-1].id)) if more else None
    return FilePage(files=[to_media_file(row) for row in page], next_cursor=next_cursor)


async def delete_file(session: AsyncSession, store: BlobStore, file_id: str, viewer: Principal | None) -> Deleted:
    row = await _visible_file(session, file_id, viewer)
    if not await remove_record(session, store, row):
        raise NotFound("file not found")  # deleted a moment ago by another request
    return Deleted(id=str(row.id))


async def remove_record(session: AsyncSession, store: BlobStore, row: FileRow) -> bool:
    """Mark the record deleted and announce it; the object goes with its last record
    (uploads of the same bytes share one). False: it was deleted already."""
    repository = FileRepository(session)
    # Locked before the record changes: the same order as storing takes (object, then row).
    await repository.lock_object(row.bucket, row.object_name)
    if not await repository.mark_deleted(row.id):
        return False
    await add_event(session, outbox, file_event_subject(str(row.id), "deleted"), FileDeleted(file_id=str(row.id)))
    if await repository.live_references(row.bucket, row.object_name) == 0:
        # Still under the lock and before the commit: a new record of these bytes waits
        # for this transaction, then finds the object gone and stores it again.
        await store.delete(row.bucket, row.object_name)
    return True


async def release_asset_files(
    session: AsyncSession, store: BlobStore, file_ids: list[str], owner_id: str | None
) -> int:
    """Delete the records of a deleted asset's files that the asset's owner owns (an asset
    holds its owner's uploads and generated files; any other file is left alone). Returns
    how many were deleted; one deleted already counts as nothing."""
    repository = FileRepository(session)
    released = 0
    for file_id in file_ids:
        ident = parse_id(file_id)
        row = await repository.get_file(ident) if ident is not None else None
        if row is not None and owner_id is not None and row.owner_id == owner_id:
            released += await remove_record(session, store, row)
    return released


async def storage_health(db: Executor, *, cdn_configured: bool, cdn_reachable: bool | None) -> StorageHealth:
    counts = await FileRepository(db).storage_counts()
    return StorageHealth(
        cdn_configured=cdn_configured,
        files=counts.files,
        mirrored=counts.mirrored,
        pending=counts.pending,
        failed=counts.failed,
        cdn_reachable=cdn_reachable,
    )
