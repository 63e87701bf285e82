"""The catalog's events the media service acts on: a deleted asset's files are released."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.bus.consumer import EventConsumer
from assetforge.common.bus.context import RequestContext
from assetforge.common.contracts.assets import ASSET_DELETED_FILTER, AssetDeleted
from assetforge.media.lifecycle import MediaParts
from assetforge.media.service import files

DURABLE = "media-asset-deleted"


def released_files_consumer(media: MediaParts) -> EventConsumer:
    """Deletes the records (and, with their last record, the objects) of the files a
    deleted asset held, as ``DELETE /api/media/{id}`` would; each emits its own deleted."""

    async def release(event: AssetDeleted, session: AsyncSession, _context: RequestContext) -> None:
        await files.release_asset_files(session, media.store, event.file_ids, event.owner_id)

    return EventConsumer(durable=DURABLE, subject_filter=ASSET_DELETED_FILTER, event_type=AssetDeleted, effect=release)
