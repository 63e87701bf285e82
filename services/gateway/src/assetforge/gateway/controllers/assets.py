"""The catalog, served by the assets service over NATS."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, MediaType, Response, get
from litestar.openapi.spec import Example
from litestar.params import PathParameter, QueryParameter

from assetforge.common.contracts import assets as contract
from assetforge.gateway.deps import Bus
from assetforge.gateway.openapi import ERRORS, ERRORS_WITH_NOT_FOUND, OPTIONAL_AUTH, json_reply
from assetforge.gateway.schemas import NO_NUL


class AssetsController(Controller):
    path = "/api/assets"
    tags = ["assets"]  # noqa: RUF012 - Litestar reads this class attribute
    # Public, but a signed-in caller also sees their own private assets.
    security = OPTIONAL_AUTH

    @get(
        "/",
        summary="List assets",
        description="Public assets plus the caller's own, newest first. Pass `nextCursor` back as `cursor`.",
        responses={200: json_reply(contract.AssetPage, "A page of assets"), **ERRORS},
    )
    async def list_assets(  # noqa: PLR0917 - Litestar maps each query parameter to an argument
        self,
        bus: Bus,
        limit: Annotated[int, QueryParameter(ge=1, le=contract.MAX_PAGE_SIZE)] = contract.DEFAULT_PAGE_SIZE,
        cursor: Annotated[str | None, QueryParameter(max_length=512, pattern=NO_NUL)] = None,
        project_id: Annotated[UUID | None, QueryParameter(name="projectId")] = None,
        asset_type: Annotated[contract.AssetType | None, QueryParameter(name="type")] = None,
        status: Annotated[contract.AssetStatus | None, QueryParameter()] = None,
        owner_id: Annotated[str | None, QueryParameter(name="ownerId", max_length=128, pattern=NO_NUL)] = None,
        q: Annotated[
            str | None, QueryParameter(max_length=200, pattern=NO_NUL, examples=[Example(value="longsword")])
        ] = None,
    ) -> Response[bytes]:
        query = contract.ListAssets(
            limit=limit,
            cursor=cursor,
            project_id=str(project_id) if project_id else None,
            type=asset_type,
            status=status,
            owner_id=owner_id,
            q=q,
        )
        return Response(await bus.request_raw(contract.ASSET_LIST, query), media_type=MediaType.JSON)

    @get(
        "/{asset_id:uuid}",
        summary="Get one asset",
        description="Private assets are visible only to their owner or an admin (404 otherwise).",
        responses={200: json_reply(contract.Asset, "The asset"), **ERRORS_WITH_NOT_FOUND},
    )
    async def get_asset(self, bus: Bus, asset_id: Annotated[UUID, PathParameter()]) -> Response[bytes]:
        reply = await bus.request_raw(contract.ASSET_GET, contract.GetAsset(id=str(asset_id)))
        return Response(reply, media_type=MediaType.JSON)
