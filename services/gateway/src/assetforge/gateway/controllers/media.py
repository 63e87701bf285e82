"""Uploads and their records, served by the media service over NATS; their bytes by the
gateway, from the blob store."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, HttpMethod, MediaType, Request, Response, delete, get, post, route
from litestar.params import PathParameter, QueryParameter
from litestar.response.base import ASGIResponse

from assetforge.common.contracts import media as contract
from assetforge.gateway.auth.guards import requires_admin, requires_user
from assetforge.gateway.deps import Bus, Files, Me
from assetforge.gateway.files import docs
from assetforge.gateway.files.downloads import media_content
from assetforge.gateway.files.serving import Download
from assetforge.gateway.files.uploads import MAX_UPLOAD_BODY, UploadFields, receive_upload
from assetforge.gateway.openapi import ERRORS, ERRORS_WITH_NOT_FOUND, SECURED, json_reply
from assetforge.gateway.schemas import NO_NUL

MediaId = Annotated[str, PathParameter(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
UploadKind = Literal["image", "audio", "model"]
EntityType = Annotated[str | None, QueryParameter(name="entityType", max_length=32, pattern=NO_NUL)]
EntityId = Annotated[str | None, QueryParameter(name="entityId", max_length=128, pattern=NO_NUL)]


def _json(body: bytes, status: int = 200) -> Response[bytes]:
    return Response(body, status_code=status, media_type=MediaType.JSON)


class MediaController(Controller):
    path = "/api/media"
    tags = ["media"]  # noqa: RUF012 - Litestar reads this class attribute
    guards = [requires_user]  # noqa: RUF012
    security = SECURED

    @post(
        "/uploads",
        summary="Upload a file",
        description="Multipart (`file`, and `kind`, `entityType`, `entityId`, `fileName`) or the file as the "
        "raw body (fields as query parameters). Streamed into storage as it arrives; the content, not the name, "
        "decides what it is. At most 100 MB; images 10 MB, audio 50 MB.",
        request_max_body_size=MAX_UPLOAD_BODY,
        operation_class=docs.reads(docs.UPLOAD),
        responses={201: json_reply(contract.MediaFile, "The stored file's record"), **ERRORS},
    )
    async def upload(  # noqa: PLR0917 - Litestar maps each query parameter to an argument
        self,
        request: Request[Any, Any, Any],
        file_services: Files,
        bus: Bus,
        kind: Annotated[UploadKind | None, QueryParameter()] = None,
        entity_type: EntityType = None,
        entity_id: EntityId = None,
        file_name: Annotated[str | None, QueryParameter(name="fileName", max_length=255, pattern=NO_NUL)] = None,
    ) -> Response[bytes]:
        query = UploadFields(contract.Kind(kind) if kind else None, entity_type, entity_id, file_name)
        return _json(await receive_upload(file_services, bus, request, query), 201)

    @get(
        "/",
        summary="The caller's files",
        description="Newest first; pass `nextCursor` back as `cursor`.",
        responses={200: json_reply(contract.FilePage, "A page of files"), **ERRORS},
    )
    async def list_files(  # noqa: PLR0917 - Litestar maps each query parameter to an argument
        self,
        bus: Bus,
        entity_type: EntityType = None,
        entity_id: EntityId = None,
        kind: Annotated[contract.Kind | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=contract.MAX_PAGE_SIZE)] = 50,
        cursor: Annotated[str | None, QueryParameter(max_length=512, pattern=NO_NUL)] = None,
    ) -> Response[bytes]:
        query = contract.ListFiles(entity_type=entity_type, entity_id=entity_id, kind=kind, limit=limit, cursor=cursor)
        return _json(await bus.request_raw(contract.FILE_LIST, query))

    @get(
        "/{media_id:str}",
        summary="One file's record (its owner or an admin)",
        responses={200: json_reply(contract.MediaFile, "The record"), **ERRORS_WITH_NOT_FOUND},
    )
    async def get_file(self, bus: Bus, media_id: MediaId) -> Response[bytes]:
        return _json(await bus.request_raw(contract.FILE_GET, contract.GetFile(id=media_id)))

    @delete(
        "/{media_id:str}",
        summary="Delete a file (its owner or an admin)",
        status_code=200,
        responses={200: json_reply(contract.Deleted, "Deleted"), **ERRORS_WITH_NOT_FOUND},
    )
    async def delete_file(self, bus: Bus, media_id: MediaId) -> Response[bytes]:
        return _json(await bus.request_raw(contract.FILE_DELETE, contract.DeleteFile(id=media_id)))

    @route(
        "/{media_id:str}/content",
        http_method=[HttpMethod.GET, HttpMethod.HEAD],
        summary="A file's bytes (its owner or an admin): ETag, Range, If-None-Match",
        responses={**docs.FILE_REPLIES, **ERRORS_WITH_NOT_FOUND},
    )
    async def content(
        self, request: Request[Any, Any, Any], file_services: Files, bus: Bus, me: Me, media_id: MediaId
    ) -> ASGIResponse:
        download = Download.of(request.method, request.headers)
        return await media_content(file_services, bus, media_id, download, me.principal)


@get(
    "/api/admin/media-storage/health",
    summary="Stored files and their CDN mirror",
    tags=["admin"],
    guards=[requires_admin],
    security=SECURED,
    responses={200: json_reply(contract.StorageHealth, "Counts and the CDN's state"), **ERRORS},
)
async def storage_health(bus: Bus) -> Response[bytes]:
    return _json(await bus.request_raw(contract.STORAGE_HEALTH, contract.StorageHealthQuery()))
