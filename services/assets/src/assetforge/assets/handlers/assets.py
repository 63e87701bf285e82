from __future__ import annotations

from assetforge.assets.service import assets as service
from assetforge.common.bus.context import RequestContext
from assetforge.common.bus.rpc import RpcRouter
from assetforge.common.contracts import assets as contract
from assetforge.common.db import Database


def register(router: RpcRouter, database: Database) -> None:
    async def list_assets(query: contract.ListAssets, context: RequestContext) -> contract.AssetPage:
        async with database.read_only() as connection:
            return await service.list_assets(connection, query, context.principal)

    async def get_asset(query: contract.GetAsset, context: RequestContext) -> contract.Asset:
        async with database.read_only() as connection:
            return await service.get_asset(connection, query.id, context.principal)

    async def create_asset(command: contract.CreateAsset, context: RequestContext) -> contract.Asset:
        async with database.unit_of_work() as session:
            return await service.create_asset(session, command, context.principal)

    router.add(
        contract.ASSET_LIST,
        contract.ListAssets,
        contract.AssetPage,
        list_assets,
        "Public assets plus the viewer's own, newest first",
    )
    router.add(
        contract.ASSET_GET,
        contract.GetAsset,
        contract.Asset,
        get_asset,
        "One asset; private ones only for their owner or an admin",
    )
    router.add(
        contract.ASSET_CREATE,
        contract.CreateAsset,
        contract.Asset,
        create_asset,
        "Register an asset for the principal; emits evt.assets.asset.<id>.created",
    )
