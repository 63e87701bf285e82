"""Taking in staged objects: check what they are, refuse what we do not keep (and drop
it), promote the rest to their final names and record them.

Every check runs before the promotion, and any refusal deletes the staged object, so
a refused file leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.blobs import BUCKETS, GDD_ASSETS, MEDIA, STAGING_PREFIX, BlobStore, ByteRange
from assetforge.common.bus.context import Principal
from assetforge.common.contracts.media import MAX_BYTES, Kind, MediaFile, RegisterUpload, StagedObject, StoreFile
from assetforge.common.errors import PayloadTooLarge, Unauthorized, ValidationFailed
from assetforge.common.ids import uuid7
from assetforge.media.models import CdnState
from assetforge.media.repository import FileRepository, NewRecord
from assetforge.media.service.content_types import JSON_MAX_BYTES, Detected, ReadBytes, detect, megabytes
from assetforge.media.service.files import announce_stored, to_media_file

log = logging.getLogger(__name__)

# A generated file's path under its asset: a few segments of safe characters, none
# starting with a dot (so no "..", no hidden names, nothing under ".staging/").
MAX_PATH_SEGMENTS = 4
_SEGMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")
_ASSET_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,63}")
_LARGEST = max(MAX_BYTES.values())


@dataclass(frozen=True, slots=True)
class Accepted:
    """A staged object that passed every check."""

    staged: StagedObject
    size: int
    sha256: str
    detected: Detected


def reader(store: BlobStore, bucket: str, name: str) -> ReadBytes:
    async def read(start: int, length: int) -> bytes:
        if length <= 0:
            return b""
        pieces = store.read(bucket, name, ByteRange(start, start + length - 1))
        return b"".join([piece async for piece in pieces])

    return read


@contextlib.asynccontextmanager
async def dropped_on_failure(store: BlobStore, staged: StagedObject) -> AsyncIterator[None]:
    """Delete the staged object when the block fails (a refusal or anything else): it
    will never be promoted, and its writer has no use for it."""
    try:
        yield
    except BaseException:
        # Only a staging name is ever deleted here: a request naming a final object must
        # not be able to remove it.
        if staged.bucket in BUCKETS and staged.name.startswith(STAGING_PREFIX):
            try:
                # Shielded: a request cancelled mid-refusal still cleans up.
                await asyncio.shield(store.delete(staged.bucket, staged.name))
            except Exception as exc:  # noqa: BLE001 - the staging sweep removes it later
                log.warning("could not drop staged %s/%s: %s", staged.bucket, staged.name, exc)
        raise


async def inspect(
    store: BlobStore, staged: StagedObject, bucket: str, declared: Kind | None, *, only: Kind | None = None
) -> Accepted:
    """Check a staged object: where it is, that it is what its writer measured, what its
    bytes are (and that they are what was declared), and that it is within its kind's
    size limit. Raises the refusal; the caller drops the object."""
    if staged.bucket != bucket:
        raise ValidationFailed.of("staged.bucket", f"must be {bucket}")
    if not staged.name.startswith(STAGING_PREFIX):
        raise ValidationFailed.of("staged.name", "must be a staging name")
    info = await store.stat(bucket, staged.name)
    if info is None:
        raise ValidationFailed.of("staged", "names no staged object (already taken in, or swept)")
    if (info.size, info.sha256) != (staged.size, staged.sha256):
        raise ValidationFailed.of("staged", "does not match the staged object's size and digest")
    if info.size > _LARGEST:
        raise PayloadTooLarge.of("file", f"is larger than {megabytes(_LARGEST)}, the limit for any file")
    detected = await detect(reader(store, bucket, staged.name), info.size, accept_data=declared is Kind.DATA)
    if declared is not None and declared is not detected.kind:
        raise ValidationFailed.of("kind", f"is {declared.value} but the file is {detected.label}")
    if only is not None and detected.kind is not only:
        raise ValidationFailed.of("file", f"is {detected.label}, not an image (PNG, JPEG, WebP or GIF)")
    limit = MAX_BYTES.get(detected.kind, JSON_MAX_BYTES)
    if info.size > limit:
        raise PayloadTooLarge.of(
            "file", f"is {info.size} bytes; {detected.kind.value} files may be at most {megabytes(limit)}"
        )
    return Accepted(staged=staged, size=info.size, sha256=info.sha256, detected=detected)


def _mirror_state(cdn_enabled: bool) -> str:
    return CdnState.PENDING if cdn_enabled else CdnState.NONE


async def register_upload(
    session: AsyncSession, store: BlobStore, command: RegisterUpload, owner: Principal | None, *, cdn_enabled: bool
) -> MediaFile:
    """A user's upload: checked by content, stored under its SHA-256 in ``media`` (so
    identical uploads share one object), recorded for its owner, announced."""
    repository = FileRepository(session)
    async with dropped_on_failure(store, command.staged):
        if owner is None:
            raise Unauthorized("uploading needs a signed-in user")
        accepted = await inspect(store, command.staged, MEDIA, command.kind)
        # Held until the commit: a delete of the last record of these bytes (which would
        # remove the object) cannot run between the promotion and this record.
        await repository.lock_object(MEDIA, accepted.sha256)
        await store.promote(MEDIA, command.staged.name, accepted.sha256)
    row = await repository.insert(
        NewRecord(
            id=uuid7(),
            owner_id=owner.user_id,
            kind=accepted.detected.kind.value,
            mime_type=accepted.detected.mime_type,
            size=accepted.size,
            sha256=accepted.sha256,
            bucket=MEDIA,
            object_name=accepted.sha256,
            file_name=command.file_name,
            entity_type=command.entity_type,
            entity_id=command.entity_id,
            metadata=accepted.detected.facts,
            cdn_state=_mirror_state(cdn_enabled),
        )
    )
    await announce_stored(session, row)
    return to_media_file(row)


def generated_name(asset_id: str, path: str) -> str:
    """``{assetId}/{path}``, once both are safe to be an object name and a URL path."""
    if not _ASSET_ID.fullmatch(asset_id):
        raise ValidationFailed.of("assetId", "must be letters, digits, '-' or '_' (at most 64)")
    if path.startswith("/") or "\\" in path or "\x00" in path or ".." in path:
        raise ValidationFailed.of("path", "must be relative, without '..', backslashes or NUL")
    segments = path.split("/")
    if len(segments) > MAX_PATH_SEGMENTS:
        raise ValidationFailed.of("path", f"may have at most {MAX_PATH_SEGMENTS} segments")
    if not all(_SEGMENT.fullmatch(segment) for segment in segments):
        raise ValidationFailed.of(
            "path", "segments must be letters, digits, '.', '-' or '_', not starting with '.' (at most 128)"
        )
    return f"{asset_id}/{path}"


async def store_generated(
    session: AsyncSession, store: BlobStore, command: StoreFile, *, cdn_enabled: bool
) -> MediaFile:
    """A file another service made, stored as ``gdd-assets/{assetId}/{path}``. Storing
    the same name again replaces the bytes and updates that name's record in place."""
    repository = FileRepository(session)
    async with dropped_on_failure(store, command.staged):
        name = generated_name(command.asset_id, command.path)
        accepted = await inspect(store, command.staged, GDD_ASSETS, command.kind)
        await repository.lock_object(GDD_ASSETS, name)
        await store.promote(GDD_ASSETS, command.staged.name, name)
    row = await repository.upsert_generated(
        NewRecord(
            id=uuid7(),
            owner_id=command.owner_id,
            kind=accepted.detected.kind.value,
            mime_type=accepted.detected.mime_type,
            size=accepted.size,
            sha256=accepted.sha256,
            bucket=GDD_ASSETS,
            object_name=name,
            file_name=name.rsplit("/", 1)[-1],
            # Generated files belong to their asset: listings by entity find them.
            entity_type="asset",
            entity_id=command.asset_id,
            metadata=accepted.detected.facts,
            cdn_state=_mirror_state(cdn_enabled),
        )
    )
    await announce_stored(session, row)
    return to_media_file(row)
