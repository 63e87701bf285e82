"""Every file a pipeline makes goes to the media service: the bytes are staged in the
blob store (claim check), then ``media.v1.file.store`` checks, records and names them
``gdd-assets/{assetId}/{path}``. Storing a path again replaces the file, so a stage that
is resumed after a crash stores its files again harmlessly."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator

from assetforge.common.blobs import GDD_ASSETS, BlobStore
from assetforge.common.bus.context import RequestContext
from assetforge.common.bus.request import BusClient
from assetforge.common.contracts.media import FILE_STORE, Kind, MediaFile, StagedObject, StoreFile
from assetforge.common.errors import AppError, GatewayTimeout
from assetforge.common.ids import uuid7
from assetforge.generation.jobs import StoredFile

_CHUNK = 128 * 1024
STORE_TIMEOUT_S = 30.0


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), _CHUNK):
        yield data[start : start + _CHUNK]


class FileOutputs:
    def __init__(self) -> None:
        self._store: BlobStore | None = None
        self._bus: BusClient | None = None

    def open(self, store: BlobStore, bus: BusClient) -> None:
        self._store, self._bus = store, bus

    @property
    def blob_store(self) -> BlobStore:
        if self._store is None:
            raise RuntimeError("file outputs are not open")
        return self._store

    async def store(  # noqa: PLR0917 - one file and where it goes
        self, asset_id: str, path: str, data: bytes, kind: Kind, owner_id: str, content_type: str | None = None
    ) -> StoredFile:
        if self._store is None or self._bus is None:
            raise RuntimeError("file outputs are not open")
        info = await self._store.put(GDD_ASSETS, _chunks(data), content_type=content_type)
        staged = StagedObject(bucket=info.bucket, name=info.name, size=info.size, sha256=info.sha256)
        command = StoreFile(
            staged=staged, asset_id=asset_id, path=path, owner_id=owner_id, kind=kind, content_type=content_type
        )
        context = RequestContext(request_id=str(uuid7()))
        try:
            stored = await self._bus.request(FILE_STORE, command, MediaFile, context, timeout=STORE_TIMEOUT_S)
        except GatewayTimeout:
            # The media service may still promote it; its sweep removes it if not.
            raise
        except AppError:
            with contextlib.suppress(Exception):
                await self._store.delete(staged.bucket, staged.name)
            raise
        return StoredFile(
            path=path,
            url=stored.url,
            file_id=stored.id,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            cdn_url=stored.cdn_url,
        )
