from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.bus.consumer import EventConsumer
from assetforge.common.bus.context import RequestContext
from assetforge.common.contracts.media import FILE_STORED_FILTER, FileStored
from assetforge.media.cdn import CdnClient
from assetforge.media.lifecycle import MediaParts
from assetforge.media.service import cdn

DURABLE = "media-cdn-mirror"


def mirror_consumer(media: MediaParts, client: CdnClient) -> EventConsumer:
    """Mirrors every stored file to the CDN, off the request's path."""
    settings = media.settings

    async def mirror(event: FileStored, session: AsyncSession, _context: RequestContext) -> None:
        try:
            await cdn.mirror_file(session, media.store, client, event)
        except cdn.CdnUnavailable as error:
            # Raising rolls this transaction back and the message comes again after a
            # growing delay; the try is counted in a transaction of its own, and the last
            # one allowed marks the record failed instead of raising.
            async with media.database.unit_of_work() as own:
                again = await cdn.note_failed_attempt(own, event, str(error), settings.cdn_max_attempts)
            if again:
                raise

    return EventConsumer(
        durable=DURABLE,
        subject_filter=FILE_STORED_FILTER,
        event_type=FileStored,
        effect=mirror,
        # Our own count decides (above); JetStream's is the backstop for failures that
        # never reach it (the database down, say).
        max_deliver=settings.cdn_max_attempts + 2,
        # Longer than the longest upload, so a slow one is not handed out twice.
        ack_wait_s=settings.cdn_upload_timeout_s + 30.0,
    )
