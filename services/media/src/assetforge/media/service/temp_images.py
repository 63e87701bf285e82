"""Temporary images: handed to outside providers by URL, so named unguessably, and
removed (object and record) once they expire."""

from __future__ import annotations

import logging
import secrets

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.blobs import BUCKETS, TEMP_IMAGES, BlobStore
from assetforge.common.bus.context import Principal
from assetforge.common.contracts.media import CreateTempImage, Kind, TempImage
from assetforge.common.ids import uuid7
from assetforge.media.models import CdnState
from assetforge.media.repository import FileRepository, NewRecord
from assetforge.media.service.uploads import dropped_on_failure, inspect

log = logging.getLogger(__name__)

SWEEP_BATCH = 100


async def create_temp_image(
    session: AsyncSession,
    store: BlobStore,
    command: CreateTempImage,
    owner: Principal | None,
    *,
    default_ttl_s: int,
    image_server_url: str | None,
) -> TempImage:
    repository = FileRepository(session)
    async with dropped_on_failure(store, command.staged):
        accepted = await inspect(store, command.staged, TEMP_IMAGES, None, only=Kind.IMAGE)
        # 256 random bits: the URL is the only thing guarding the image.
        name = secrets.token_urlsafe(32) + accepted.detected.extension
        await store.promote(TEMP_IMAGES, command.staged.name, name)
    row = await repository.insert(
        NewRecord(
            id=uuid7(),
            owner_id=owner.user_id if owner else None,
            kind=accepted.detected.kind.value,
            mime_type=accepted.detected.mime_type,
            size=accepted.size,
            sha256=accepted.sha256,
            bucket=TEMP_IMAGES,
            object_name=name,
            file_name=None,
            entity_type=None,
            entity_id=None,
            metadata=accepted.detected.facts,
            cdn_state=CdnState.NONE,
        ),
        ttl_s=command.ttl_s or default_ttl_s,
    )
    if row.expires_at is None:
        raise RuntimeError("a temporary image was recorded without an expiry")
    base = (image_server_url or "").rstrip("/")
    return TempImage(name=name, url=f"{base}/{TEMP_IMAGES}/{name}", expires_at=row.expires_at)


async def sweep_expired(session: AsyncSession, store: BlobStore) -> int:
    """Remove one batch of expired temporary images, objects first: a failure leaves the
    records (and so the work) for the next sweep. Returns how many went."""
    repository = FileRepository(session)
    expired = await repository.claim_expired(SWEEP_BATCH)
    for image in expired:
        await store.delete(image.bucket, image.object_name)
    if expired:
        await repository.delete_records([image.id for image in expired])
        log.info("removed %d expired temporary images", len(expired))
    return len(expired)


async def sweep_staging(store: BlobStore, older_than_s: float) -> int:
    """Staged uploads their writers never finished nor handed over, when the store can
    find them (``sweep_staging`` is not part of every store's interface)."""
    sweep = getattr(store, "sweep_staging", None)
    if sweep is None:
        return 0
    swept = 0
    for bucket in BUCKETS:
        swept += int(await sweep(bucket, older_than_s))
    return swept
