"""Material presets, served by the assets service over NATS: the system catalogue
(public, read-only) and the caller's custom presets."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Response, delete, get, post, put
from litestar.params import JSONBody, PathParameter, QueryParameter

from assetforge.common.contracts import material_presets as contract
from assetforge.gateway.auth.guards import requires_user
from assetforge.gateway.controllers.catalog import CatalogController, json_body
from assetforge.gateway.deps import Bus
from assetforge.gateway.openapi import ERRORS, ERRORS_WITH_NOT_FOUND, OPTIONAL_AUTH, SECURED, json_reply
from assetforge.gateway.schemas import NO_NUL

PresetId = Annotated[str, PathParameter(min_length=1, max_length=64, pattern=contract.PRESET_ID)]
_encoder = msgspec.json.Encoder()
_list_decoder = msgspec.json.Decoder(contract.MaterialPresetList)
_READ_ONLY = "System presets are read-only (403, admins included); another user's custom preset is not found."


class MaterialPresetsController(CatalogController):
    path = "/api/material-presets"
    tags = ["material presets"]  # noqa: RUF012 - Litestar reads this class attribute

    @get(
        "/",
        summary="Material presets",
        description="The system presets (bronze, steel, mithril, ...) and the caller's custom ones, as a bare array: "
        "system presets first, then by category, tier and id. An admin may add another user's with `ownerId`.",
        security=OPTIONAL_AUTH,
        responses={200: json_reply(list[contract.MaterialPreset], "The presets"), **ERRORS},
    )
    async def list_presets(
        self,
        bus: Bus,
        category: Annotated[str | None, QueryParameter(max_length=32, pattern=contract.CATEGORY)] = None,
        owner_id: Annotated[
            str | None, QueryParameter(name="ownerId", min_length=1, max_length=128, pattern=NO_NUL)
        ] = None,
    ) -> Response[bytes]:
        query = contract.ListMaterialPresets(category=category, owner_id=owner_id)
        reply = _list_decoder.decode(await bus.request_raw(contract.MATERIAL_PRESET_LIST, query))
        # The original frontend reads a bare array; the bus answers a struct (documented by name).
        return json_body(_encoder.encode(reply.presets))

    @post(
        "/custom",
        summary="Create a custom preset",
        description="`stylePrompt` and `displayName` (or `name`) are required; the id is made here.",
        guards=[requires_user],
        security=SECURED,
        responses={201: json_reply(contract.MaterialPreset, "The new preset"), **ERRORS},
    )
    async def create(self, bus: Bus, data: JSONBody[contract.CreateMaterialPreset]) -> Response[bytes]:
        return json_body(await bus.request_raw(contract.MATERIAL_PRESET_CREATE, data), 201)

    @put(
        "/{preset_id:str}",
        summary="Change a custom preset",
        description=f"The fields sent replace theirs. Owner or admin. {_READ_ONLY}",
        guards=[requires_user],
        security=SECURED,
        responses={200: json_reply(contract.MaterialPreset, "The preset"), **ERRORS_WITH_NOT_FOUND},
    )
    async def update(
        self, bus: Bus, preset_id: PresetId, data: JSONBody[contract.MaterialPresetChanges]
    ) -> Response[bytes]:
        command = contract.UpdateMaterialPreset(id=preset_id, changes=data)
        return json_body(await bus.request_raw(contract.MATERIAL_PRESET_UPDATE, command))

    @delete(
        "/{preset_id:str}",
        summary="Delete a custom preset",
        description=f"Owner or admin. {_READ_ONLY}",
        guards=[requires_user],
        security=SECURED,
        status_code=200,
        responses={200: json_reply(contract.MaterialPresetDeleted, "Deleted"), **ERRORS_WITH_NOT_FOUND},
    )
    async def delete_preset(self, bus: Bus, preset_id: PresetId) -> Response[bytes]:
        reply = await bus.request_raw(contract.MATERIAL_PRESET_DELETE, contract.MaterialPresetRef(id=preset_id))
        return json_body(reply)
