"""What the media service runs beside its requests: the blob store on the runtime's NATS
connection, the CDN client, and the periodic sweep of expired temporary images and
abandoned staged uploads. Started and stopped by the runtime (``ServiceParts.lifecycle``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from nats.aio.client import Client

from assetforge.common.blobs import BlobStore, open_blob_store
from assetforge.common.db import Database
from assetforge.common.runtime import ServiceRuntime
from assetforge.media.cdn import CdnClient
from assetforge.media.service import temp_images
from assetforge.media.settings import PublishingSettings

log = logging.getLogger(__name__)

OpenStore = Callable[[Client, int], Awaitable[BlobStore]]


async def open_system_store(client: Client, replicas: int) -> BlobStore:
    """The system's blob store (JetStream Object Store) on this connection, its buckets
    declared with ``replicas`` replicas."""
    return await open_blob_store(client.jetstream(), replicas=replicas)


class MediaParts:
    def __init__(
        self, settings: PublishingSettings, *, replicas: int, open_store: OpenStore = open_system_store
    ) -> None:
        self.settings = settings
        self._replicas = replicas
        self._open_store = open_store
        self.cdn: CdnClient | None = None
        if settings.cdn_enabled and settings.cdn_url and settings.cdn_api_key:
            self.cdn = CdnClient(settings.cdn_url, settings.cdn_api_key, upload_timeout_s=settings.cdn_upload_timeout_s)
        self._store: BlobStore | None = None
        self._database: Database | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._last_staging_sweep = float("-inf")

    @property
    def store(self) -> BlobStore:
        if self._store is None:
            raise RuntimeError("the media service has not started")
        return self._store

    @property
    def database(self) -> Database:
        if self._database is None:
            raise RuntimeError("the media service has not started")
        return self._database

    async def start(self, runtime: ServiceRuntime) -> None:
        self._database = runtime.database
        self._store = await self._open_store(runtime.client, self._replicas)
        if self.cdn is not None:
            await self.cdn.open()
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="media-sweep")

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        if self.cdn is not None:
            await self.cdn.close()

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.sweep_interval_s)
            try:
                await self.sweep_once()
            except Exception as exc:  # noqa: BLE001 - the next sweep tries again
                log.warning("media sweep failed: %s", str(exc) or type(exc).__name__)

    async def sweep_once(self) -> int:
        """Remove every expired temporary image now; and, at most every quarter of the
        staging age, staged objects older than it. Returns how many images went."""
        removed = 0
        while True:
            async with self.database.unit_of_work() as session:
                batch = await temp_images.sweep_expired(session, self.store)
            removed += batch
            if batch < temp_images.SWEEP_BATCH:
                break
        # Finding stale staged objects reads every object's meta in every bucket: far
        # more than the expired images' index lookup, and a staged object may wait an
        # hour anyway, so this runs less often than the image sweep.
        now = time.monotonic()
        if now - self._last_staging_sweep >= self.settings.staging_max_age_s / 4:
            self._last_staging_sweep = now
            swept = await temp_images.sweep_staging(self.store, self.settings.staging_max_age_s)
            if swept:
                log.info("removed %d abandoned staged uploads", swept)
        return removed
