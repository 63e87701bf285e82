"""Material presets on the bus: decode, one service call in its transaction, encode."""

from __future__ import annotations

from assetforge.assets.service import presets as service
from assetforge.common.bus.context import RequestContext
from assetforge.common.bus.rpc import RpcRouter
from assetforge.common.contracts import material_presets as contract
from assetforge.common.db import Database


def register(router: RpcRouter, database: Database) -> None:
    async def list_presets(query: contract.ListMaterialPresets, context: RequestContext) -> contract.MaterialPresetList:
        async with database.read_only() as connection:
            return await service.list_presets(connection, query, context.principal)

    async def create(command: contract.CreateMaterialPreset, context: RequestContext) -> contract.MaterialPreset:
        async with database.unit_of_work() as session:
            return await service.create_preset(session, command, context.principal)

    async def update(command: contract.UpdateMaterialPreset, context: RequestContext) -> contract.MaterialPreset:
        async with database.unit_of_work() as session:
            return await service.update_preset(session, command, context.principal)

    async def delete(command: contract.MaterialPresetRef, context: RequestContext) -> contract.MaterialPresetDeleted:
        async with database.unit_of_work() as session:
            return await service.delete_preset(session, command, context.principal)

    router.add(
        contract.MATERIAL_PRESET_LIST,
        contract.ListMaterialPresets,
        contract.MaterialPresetList,
        list_presets,
        "The system presets and the principal's custom ones",
    )
    router.add(
        contract.MATERIAL_PRESET_CREATE,
        contract.CreateMaterialPreset,
        contract.MaterialPreset,
        create,
        "Create a custom preset of the principal's; emits evt.assets.material_preset.<id>.created",
    )
    router.add(
        contract.MATERIAL_PRESET_UPDATE,
        contract.UpdateMaterialPreset,
        contract.MaterialPreset,
        update,
        "Change a custom preset (owner or admin); system presets are read-only",
    )
    router.add(
        contract.MATERIAL_PRESET_DELETE,
        contract.MaterialPresetRef,
        contract.MaterialPresetDeleted,
        delete,
        "Delete a custom preset (owner or admin); system presets are read-only",
    )
