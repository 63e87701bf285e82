"""An asset's VRM model, as the original API took it: multipart ``file`` and ``assetId``,
stored as ``gdd-assets/{assetId}/{name}.vrm``. The model streams into the store as it
arrives; whoever sent ``assetId`` before the file is checked before a byte is stored."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request

from assetforge.common.blobs import GDD_ASSETS, BlobStore
from assetforge.common.bus.context import Principal
from assetforge.common.contracts.media import FILE_STORE, MAX_BYTES, Kind, MediaFile, StagedObject, StoreFile
from assetforge.common.errors import AppError, BadRequest
from assetforge.gateway.files.access import Requester, writable_by
from assetforge.gateway.files.body import body_chunks
from assetforge.gateway.files.multipart import FormReader, boundary_of
from assetforge.gateway.files.parts import FileServices
from assetforge.gateway.files.staging import StagedObjects, stage
from assetforge.gateway.files.uploads import base_name
from assetforge.gateway.schemas.files import VrmUploaded

DEFAULT_NAME = "avatar.vrm"
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,95}\.vrm", re.IGNORECASE)
_ASSET_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_media_file = msgspec.json.Decoder(MediaFile)


def vrm_name(file_name: str | None) -> str:
    """The client's file name when it is a plain ``*.vrm`` name, else ``avatar.vrm``."""
    name = base_name(file_name)
    return name if name is not None and _NAME.fullmatch(name) else DEFAULT_NAME


def asset_id_of(fields: dict[str, str]) -> str | None:
    value = fields.get("assetId")
    if value is not None and not _ASSET_ID.fullmatch(value):
        raise BadRequest.of("assetId", "is not an asset id")
    return value


async def save_vrm(
    files: FileServices, bus: Requester, request: Request[Any, Any, Any], principal: Principal
) -> VrmUploaded:
    store, staged = files.store, files.staged
    boundary = boundary_of(request.headers.get("content-type", ""))
    if boundary is None:
        raise BadRequest.of("body", "must be multipart/form-data with a file part and assetId")
    form = FormReader(body_chunks(request), boundary, ("assetId",))
    if not await form.open_file():
        raise BadRequest.of("file", "required")
    asset_id = asset_id_of(form.fields)
    owner = await writable_by(bus, asset_id, principal) if asset_id else None
    put = await stage(store, GDD_ASSETS, form.file_chunks(), max_size=MAX_BYTES[Kind.MODEL])
    try:
        await form.finish()
        asset_id = asset_id or asset_id_of(form.fields)
        if not asset_id:
            raise BadRequest.of("assetId", "required")
        owner = owner or await writable_by(bus, asset_id, principal)
    except AppError:
        await staged.discard(store, put)
        raise
    return await _store(store, staged, bus, put, asset_id, owner, vrm_name(form.file_name))


async def _store(  # noqa: PLR0917 - one model and where it goes
    store: BlobStore, staged: StagedObjects, bus: Requester, put: StagedObject, asset_id: str, owner: str, name: str
) -> VrmUploaded:
    message = StoreFile(staged=put, asset_id=asset_id, path=name, owner_id=owner, kind=Kind.MODEL)
    stored = _media_file.decode(await staged.hand_over(store, bus, FILE_STORE, message, put))
    return VrmUploaded(success=True, url=stored.url, file_name=name, size=stored.size, media_id=stored.id)
