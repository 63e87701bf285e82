"""The catalog's assets, served by the assets service over NATS (replies passed through).
Reads are public (a signed-in caller also sees their own private assets); changes need a
signed-in caller, and the assets service decides who may change what."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request, Response, delete, get, patch, post
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.response import Redirect

from assetforge.common.contracts import assets as contract
from assetforge.gateway.auth.guards import requires_user
from assetforge.gateway.controllers.asset_lists import PageOperation, next_page_headers, split_page
from assetforge.gateway.controllers.catalog import CatalogController, Cursor, Limit, json_body, refuse_nul
from assetforge.gateway.deps import Bus, catalog_of
from assetforge.gateway.openapi import ERRORS, ERRORS_WITH_NOT_FOUND, OPTIONAL_AUTH, SECURED, json_reply
from assetforge.gateway.schemas import NO_NUL

AssetId = Annotated[UUID, PathParameter()]
_ANY = Request[Any, Any, Any]


class AssetsController(CatalogController):
    path = "/api/assets"
    tags = ["assets"]  # noqa: RUF012 - Litestar reads this class attribute
    # Security is declared per route: Litestar adds a controller's to each route's own.

    @get(
        "/",
        summary="List assets",
        description="Public assets plus the caller's own (an admin's: all), newest first; with `q`, the best "
        "matches of name, description and tags first. A bare array of at most `limit` (200 by default); the next "
        "page is in the `Link` header (and `X-Next-Cursor`).",
        operation_class=PageOperation,
        security=OPTIONAL_AUTH,
        responses={200: json_reply(list[contract.Asset], "A page of assets"), **ERRORS},
    )
    async def list_assets(  # noqa: PLR0917 - Litestar maps each query parameter to an argument
        self,
        request: _ANY,
        bus: Bus,
        limit: Limit = contract.DEFAULT_PAGE_SIZE,
        cursor: Cursor = None,
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
        ticket = catalog_of(request).ticket(request)
        body, next_cursor = split_page(await bus.request_raw(contract.ASSET_LIST, query))
        headers = next_page_headers(request.url.path, request.query_params.multi_items(), next_cursor)
        return catalog_of(request).answer(request, ticket, body, headers)

    @get(
        "/{asset_id:uuid}",
        summary="Get one asset",
        description="Private assets are visible only to their owner or an admin (404 otherwise).",
        security=OPTIONAL_AUTH,
        responses={200: json_reply(contract.Asset, "The asset"), **ERRORS_WITH_NOT_FOUND},
    )
    async def get_asset(self, request: _ANY, bus: Bus, asset_id: AssetId) -> Response[bytes]:
        ticket = catalog_of(request).ticket(request)
        body = await bus.request_raw(contract.ASSET_GET, contract.GetAsset(id=str(asset_id)))
        return catalog_of(request).answer(request, ticket, body, asset_id=str(asset_id))

    @post(
        "/",
        summary="Register an asset from uploaded files",
        description="`files` are ids of media files the caller uploaded (`POST /api/media/uploads`): the first "
        "model is the asset's model, the first image its thumbnail.",
        guards=[requires_user],
        security=SECURED,
        responses={201: json_reply(contract.Asset, "The new asset"), **ERRORS},
    )
    async def create_asset(self, request: _ANY, bus: Bus, data: JSONBody[contract.CreateAsset]) -> Response[bytes]:
        refuse_nul(metadata=data.metadata)
        reply = await bus.request_raw(contract.ASSET_CREATE, data)
        catalog_of(request).changed()
        return json_body(reply, 201)

    @patch(
        "/{asset_id:uuid}",
        summary="Change an asset (its owner or an admin)",
        description="Only the fields sent change; `metadata` is merged (a null removes a key), and its `tier`, "
        "`status` and `isFavorite` change the asset's own fields.",
        guards=[requires_user],
        security=SECURED,
        responses={200: json_reply(contract.Asset, "The changed asset"), **ERRORS_WITH_NOT_FOUND},
    )
    async def update_asset(
        self, request: _ANY, bus: Bus, asset_id: AssetId, data: JSONBody[contract.AssetChanges]
    ) -> Response[bytes]:
        refuse_nul(metadata=data.metadata)
        reply = await bus.request_raw(contract.ASSET_UPDATE, contract.UpdateAsset(id=str(asset_id), changes=data))
        catalog_of(request).changed(str(asset_id))
        return json_body(reply)

    @delete(
        "/{asset_id:uuid}",
        summary="Delete an asset (its owner or an admin)",
        description="With `includeVariants=true` its texture variants go too. The media files no other asset "
        "holds are deleted by the media service.",
        status_code=200,
        guards=[requires_user],
        security=SECURED,
        responses={200: json_reply(contract.AssetDeletion, "Deleted"), **ERRORS_WITH_NOT_FOUND},
    )
    async def delete_asset(
        self,
        request: _ANY,
        bus: Bus,
        asset_id: AssetId,
        include_variants: Annotated[bool, QueryParameter(name="includeVariants")] = False,
    ) -> Response[bytes]:
        command = contract.DeleteAsset(id=str(asset_id), include_variants=include_variants)
        reply = await bus.request_raw(contract.ASSET_DELETE, command)
        # Its variants' own entries go when their events arrive.
        catalog_of(request).changed(str(asset_id))
        return json_body(reply)

    @post(
        "/bulk-update",
        summary="Change several assets the same way",
        description="One result per id: an asset the caller may not see is `not found`, one they may see but "
        "not change is refused.",
        status_code=200,
        guards=[requires_user],
        security=SECURED,
        responses={200: json_reply(contract.BulkResult, "What changed and what did not"), **ERRORS},
    )
    async def bulk_update(self, request: _ANY, bus: Bus, data: JSONBody[contract.BulkUpdate]) -> Response[bytes]:
        refuse_nul(metadata=data.updates.metadata)
        reply = await bus.request_raw(contract.ASSET_BULK_UPDATE, data)
        catalog_of(request).clear()
        return json_body(reply)

    @get(
        "/{asset_id:uuid}/model",
        summary="Redirect to the asset's model file",
        description="302 to the model (its CDN copy when there is one); 404 when the asset has none.",
        status_code=302,
        security=OPTIONAL_AUTH,
        responses={302: ResponseSpec(None, description="To the model file"), **ERRORS_WITH_NOT_FOUND},
    )
    async def model(self, bus: Bus, asset_id: AssetId) -> Redirect:
        reply = await bus.request_raw(contract.ASSET_MODEL, contract.GetAsset(id=str(asset_id)))
        return Redirect(msgspec.json.decode(reply, type=contract.ModelLocation).url, status_code=302)

    @get(
        "/{asset_id:uuid}/variants",
        summary="The asset's texture variants",
        description="A bare array of the variants the caller may see (404 when the asset is not visible).",
        security=OPTIONAL_AUTH,
        responses={200: json_reply(list[contract.Asset], "The variants"), **ERRORS_WITH_NOT_FOUND},
    )
    async def variants(self, bus: Bus, asset_id: AssetId) -> Response[bytes]:
        reply = await bus.request_raw(contract.ASSET_VARIANTS, contract.GetAsset(id=str(asset_id)))
        return json_body(split_page(reply)[0])
