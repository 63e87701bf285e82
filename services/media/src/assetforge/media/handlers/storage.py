from __future__ import annotations

from assetforge.common.bus.context import RequestContext
from assetforge.common.bus.rpc import RpcRouter
from assetforge.common.contracts import media as contract
from assetforge.common.db import Database
from assetforge.media.lifecycle import MediaParts
from assetforge.media.service import files


def register(router: RpcRouter, database: Database, media: MediaParts) -> None:
    cdn = media.cdn

    async def health(_query: contract.StorageHealthQuery, _context: RequestContext) -> contract.StorageHealth:
        # What the CDN last showed, without asking it: this may be called per probe.
        reachable = cdn.last_outcome if cdn is not None else None
        async with database.read_only() as connection:
            return await files.storage_health(connection, cdn_configured=cdn is not None, cdn_reachable=reachable)

    router.add(
        contract.STORAGE_HEALTH,
        contract.StorageHealthQuery,
        contract.StorageHealth,
        health,
        "How many files are stored, mirrored to the CDN, waiting for it and failed; whether the CDN answers",
    )
