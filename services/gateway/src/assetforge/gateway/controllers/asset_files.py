"""The original API's routes that store an asset's files: its sprites and its VRM model
(the asset's owner or an admin)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, post
from litestar.params import PathParameter

from assetforge.gateway.auth.guards import requires_user
from assetforge.gateway.deps import Bus, Files, Me
from assetforge.gateway.files import docs
from assetforge.gateway.files.avatars import save_vrm
from assetforge.gateway.files.sprites import save_sprites
from assetforge.gateway.files.uploads import MAX_UPLOAD_BODY
from assetforge.gateway.openapi import ERRORS_WITH_NOT_FOUND, SECURED, json_reply
from assetforge.gateway.schemas.files import MAX_SPRITES_BODY, SpritesSaved, VrmUploaded


class AssetFilesController(Controller):
    path = "/api/assets"
    tags = ["assets"]  # noqa: RUF012 - Litestar reads this class attribute
    guards = [requires_user]  # noqa: RUF012
    security = SECURED

    @post(
        "/{asset_id:uuid}/sprites",
        summary="Store an asset's sprites",
        description="Each PNG becomes `gdd-assets/{assetId}/sprites/{angle}.png`, the metadata "
        "`sprites/sprite-metadata.json`. The asset's owner or an admin; at most 20 MB of JSON.",
        status_code=200,
        request_max_body_size=MAX_SPRITES_BODY,
        operation_class=docs.reads(docs.SPRITES),
        responses={200: json_reply(SpritesSaved, "Stored"), **ERRORS_WITH_NOT_FOUND},
    )
    async def save_sprites(
        self,
        request: Request[Any, Any, Any],
        file_services: Files,
        bus: Bus,
        me: Me,
        asset_id: Annotated[UUID, PathParameter()],
    ) -> SpritesSaved:
        return await save_sprites(file_services, bus, request, str(asset_id), me.principal)

    @post(
        "/upload-vrm",
        summary="Store an asset's VRM model",
        description="Multipart `file` (a VRM, at most 100 MB) and `assetId`; stored under `gdd-assets/{assetId}/`. "
        "The asset's owner or an admin.",
        status_code=200,
        request_max_body_size=MAX_UPLOAD_BODY,
        operation_class=docs.reads(docs.VRM),
        responses={200: json_reply(VrmUploaded, "Stored"), **ERRORS_WITH_NOT_FOUND},
    )
    async def upload_vrm(self, request: Request[Any, Any, Any], file_services: Files, bus: Bus, me: Me) -> VrmUploaded:
        return await save_vrm(file_services, bus, request, me.principal)
