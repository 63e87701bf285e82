"""Stored files at the URLs the original server used: streamed from the blob store,
with ETag, Range and If-None-Match. Never rate limited: a page of the catalog shows
fifty thumbnails, and these are reads of immutable or short-lived bytes."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, HttpMethod, Request, route
from litestar.params import PathParameter
from litestar.response.base import ASGIResponse

from assetforge.gateway.auth.cache import identity_of
from assetforge.gateway.deps import Bus, Files
from assetforge.gateway.files import docs
from assetforge.gateway.files import downloads as serve
from assetforge.gateway.files.serving import Download
from assetforge.gateway.openapi import ERRORS_WITH_NOT_FOUND, OPTIONAL_AUTH
from assetforge.gateway.ratelimit import OPT

GET_HEAD = [HttpMethod.GET, HttpMethod.HEAD]
REPLIES = {**docs.FILE_REPLIES, **ERRORS_WITH_NOT_FOUND}
Segment = Annotated[str, PathParameter(max_length=200)]
# Bounded by the name checks (files/paths.py): a longer one is a 404 like any other bad name.
FilePath = Annotated[str, PathParameter()]


def _download(request: Request[Any, Any, Any]) -> Download:
    return Download.of(request.method, request.headers)


class FilesController(Controller):
    tags = ["files"]  # noqa: RUF012 - Litestar reads this class attribute
    opt = {OPT: None}  # noqa: RUF012
    # Public, but a signed-in caller also reads their own private assets' files.
    security = OPTIONAL_AUTH

    @route(
        "/gdd-assets/{asset_id:str}/{file_path:path}",
        http_method=GET_HEAD,
        summary="A generated file of an asset",
        description="Files of private assets only for their owner or an admin (404 otherwise). "
        "Content-addressed names (`<sha256>.<ext>`) are cached for a year, others for five minutes.",
        responses=REPLIES,
    )
    async def asset_file(
        self, request: Request[Any, Any, Any], file_services: Files, bus: Bus, asset_id: Segment, file_path: FilePath
    ) -> ASGIResponse:
        identity = identity_of(request.scope)
        principal = identity.principal if identity else None
        raw = request.scope["raw_path"]
        return await serve.asset_file(file_services, bus, raw, asset_id, file_path, _download(request), principal)

    @route("/temp-images/{name:str}", http_method=GET_HEAD, summary="A temporary image", responses=REPLIES)
    async def temp_image(self, request: Request[Any, Any, Any], file_services: Files, name: Segment) -> ASGIResponse:
        return await serve.temp_image(file_services, request.scope["raw_path"], name, _download(request))

    @route("/images/{file_path:path}", http_method=GET_HEAD, summary="A static image", responses=REPLIES)
    async def static_image(
        self, request: Request[Any, Any, Any], file_services: Files, file_path: FilePath
    ) -> ASGIResponse:
        return await serve.static_image(file_services, request.scope["raw_path"], file_path, _download(request))
