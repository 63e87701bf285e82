"""Bus edges of the assets service: decode, open the unit of work, call the service."""

from __future__ import annotations

from collections.abc import Callable

from assetforge.assets.service import asset_writes as writes
from assetforge.assets.service import assets as service
from assetforge.common.bus.context import RequestContext
from assetforge.common.bus.request import BusClient
from assetforge.common.bus.rpc import RpcRouter
from assetforge.common.contracts import assets as contract
from assetforge.common.contracts import media
from assetforge.common.db import Database


class BusMedia:
    """The media service's records, asked for on the bus with the caller's context."""

    def __init__(self, bus: Callable[[], BusClient]) -> None:
        self._bus = bus

    async def get(self, file_id: str, context: RequestContext) -> media.MediaFile:
        return await self._bus().request(media.FILE_GET, media.GetFile(id=file_id), media.MediaFile, context)


def register(router: RpcRouter, database: Database, bus: Callable[[], BusClient]) -> None:
    files = BusMedia(bus)

    async def list_assets(query: contract.ListAssets, context: RequestContext) -> contract.AssetPage:
        async with database.read_only() as connection:
            return await service.list_assets(connection, query, context.principal)

    async def get_asset(query: contract.GetAsset, context: RequestContext) -> contract.Asset:
        async with database.read_only() as connection:
            return await service.get_asset(connection, query.id, context.principal)

    async def create_asset(command: contract.CreateAsset, context: RequestContext) -> contract.Asset:
        # Asked before the transaction opens: no connection waits on another service.
        uploaded = await writes.uploaded_files(files, command.files, context)
        async with database.unit_of_work() as session:
            return await writes.create_asset(session, command, context.principal, uploaded)

    async def update_asset(command: contract.UpdateAsset, context: RequestContext) -> contract.Asset:
        async with database.unit_of_work() as session:
            return await writes.update_asset(session, command, context.principal)

    async def bulk_update(command: contract.BulkUpdate, context: RequestContext) -> contract.BulkResult:
        async with database.unit_of_work() as session:
            return await writes.bulk_update(session, command, context.principal)

    async def delete_asset(command: contract.DeleteAsset, context: RequestContext) -> contract.AssetDeletion:
        async with database.unit_of_work() as session:
            return await writes.delete_asset(session, command, context.principal)

    async def model(query: contract.GetAsset, context: RequestContext) -> contract.ModelLocation:
        async with database.read_only() as connection:
            return await service.model_location(connection, query.id, context.principal)

    async def variants(query: contract.GetAsset, context: RequestContext) -> contract.AssetPage:
        async with database.read_only() as connection:
            return await service.list_variants(connection, query.id, context.principal)

    add = router.add
    add(
        contract.ASSET_LIST,
        contract.ListAssets,
        contract.AssetPage,
        list_assets,
        "Public assets plus the viewer's own, newest first",
    )
    add(
        contract.ASSET_GET,
        contract.GetAsset,
        contract.Asset,
        get_asset,
        "One asset; private ones only for their owner or an admin",
    )
    add(
        contract.ASSET_CREATE,
        contract.CreateAsset,
        contract.Asset,
        create_asset,
        "Register an asset from the principal's uploaded files; emits evt.assets.asset.<id>.created",
    )
    add(
        contract.ASSET_UPDATE,
        contract.UpdateAsset,
        contract.Asset,
        update_asset,
        "Change an asset (owner or admin); emits evt.assets.asset.<id>.updated",
    )
    add(
        contract.ASSET_BULK_UPDATE,
        contract.BulkUpdate,
        contract.BulkResult,
        bulk_update,
        "Change several assets the same way; one result per id; emits updated for each changed",
    )
    add(
        contract.ASSET_DELETE,
        contract.DeleteAsset,
        contract.AssetDeletion,
        delete_asset,
        "Delete an asset (owner or admin), its variants too if asked; emits evt.assets.asset.<id>.deleted",
    )
    add(contract.ASSET_MODEL, contract.GetAsset, contract.ModelLocation, model, "Where an asset's model file is")
    add(
        contract.ASSET_VARIANTS,
        contract.GetAsset,
        contract.AssetPage,
        variants,
        "An asset's texture variants, one page",
    )
