"""The gateway's file parts, built once by the composition root: the blob store (opened
at start-up, once NATS is connected), who may read an asset's files, the staged objects
it must tidy up, and the small files it keeps."""

from __future__ import annotations

from nats.aio.client import Client

from assetforge.common.blobs import BlobStore, open_blob_store
from assetforge.common.errors import ServiceUnavailable
from assetforge.gateway.files.access import AssetAccess
from assetforge.gateway.files.small import SmallFiles
from assetforge.gateway.files.staging import StagedObjects


class FileServices:
    def __init__(self, replicas: int) -> None:
        self._replicas = replicas
        self._store: BlobStore | None = None
        self.access = AssetAccess()
        self.staged = StagedObjects()
        self.small = SmallFiles()

    @property
    def store(self) -> BlobStore:
        if self._store is None:
            raise ServiceUnavailable("file storage is not available yet")
        return self._store

    async def start(self, client: Client) -> None:
        self._store = await open_blob_store(client.jetstream(), replicas=self._replicas)
        await self.access.start(client)

    async def stop(self) -> None:
        await self.staged.stop()
        await self.access.stop()
