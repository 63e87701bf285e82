"""A user's upload: streamed into the ``media`` bucket as it arrives, then registered
with the media service, which decides by the content what it is and whether to keep it.

Two forms: ``multipart/form-data`` with a ``file`` part (fields ``kind``, ``entityType``,
``entityId``, ``fileName`` before or after it), or the file as the raw body, its type in
``Content-Type`` and the fields as query parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from litestar import Request

from assetforge.common.blobs import MEDIA, BlobStore
from assetforge.common.contracts.media import FILE_REGISTER, MAX_BYTES, Kind, RegisterUpload, StagedObject
from assetforge.common.errors import AppError, BadRequest
from assetforge.gateway.files.access import Requester
from assetforge.gateway.files.body import body_chunks
from assetforge.gateway.files.multipart import FormReader, boundary_of
from assetforge.gateway.files.parts import FileServices
from assetforge.gateway.files.staging import StagedObjects, stage

MAX_UPLOAD = 100 * 1024 * 1024
# The body may exceed the file by a multipart envelope (boundaries, part headers, fields).
MAX_UPLOAD_BODY = MAX_UPLOAD + 1024 * 1024
FIELDS = ("kind", "entityType", "entityId", "fileName")
_LIMITS = {"entityType": 32, "entityId": 128, "fileName": 255}
# Kinds a user may upload; "data" is what the media service writes itself.
UPLOADABLE = (Kind.IMAGE, Kind.AUDIO, Kind.MODEL)


@dataclass(frozen=True, slots=True)
class UploadFields:
    """What the client said besides the bytes (the content still decides the kind)."""

    kind: Kind | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    file_name: str | None = None

    def merged(self, form: Mapping[str, str]) -> UploadFields:
        """These fields, with the form's own values taking precedence."""
        for name, value in form.items():
            if name in _LIMITS and len(value) > _LIMITS[name]:
                raise BadRequest.of(name, f"may hold at most {_LIMITS[name]} characters")
        kind = form.get("kind")
        if kind is not None and kind not in UPLOADABLE:
            raise BadRequest.of("kind", f"must be one of {', '.join(UPLOADABLE)}")
        return UploadFields(
            kind=Kind(kind) if kind else self.kind,
            entity_type=form.get("entityType") or self.entity_type,
            entity_id=form.get("entityId") or self.entity_id,
            file_name=form.get("fileName") or self.file_name,
        )

    @property
    def max_size(self) -> int:
        # A stated kind fails fast at its own cap; the media service checks it anyway.
        return MAX_BYTES.get(self.kind, MAX_UPLOAD) if self.kind else MAX_UPLOAD


def base_name(file_name: str | None) -> str | None:
    """The name without any directory a client put in front of it (``C:\\fakepath\\a.png``)."""
    if not file_name:
        return None
    name = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    # Control characters (NUL among them) have no place in a name shown back to people.
    name = "".join(c for c in name if c >= " " and c != "\x7f").strip()
    return name[:255] or None


async def receive_upload(
    files: FileServices, bus: Requester, request: Request[Any, Any, Any], query: UploadFields
) -> bytes:
    """The media record (JSON bytes, as the media service wrote them) of a new upload."""
    store, staged = files.store, files.staged
    content_type = request.headers.get("content-type", "")
    boundary = boundary_of(content_type)
    chunks = body_chunks(request)
    if boundary is None:
        declared = content_type.split(";", 1)[0].strip() or None
        put = await stage(store, MEDIA, chunks, max_size=query.max_size, content_type=declared)
        return await _register(store, staged, bus, put, query)
    return await _receive_form(store, staged, bus, FormReader(chunks, boundary, FIELDS), query)


async def _receive_form(
    store: BlobStore, staged: StagedObjects, bus: Requester, form: FormReader, query: UploadFields
) -> bytes:
    if not await form.open_file():
        raise BadRequest.of("file", "required")
    before = query.merged(form.fields)
    put = await stage(store, MEDIA, form.file_chunks(), max_size=before.max_size, content_type=form.file_type)
    try:
        await form.finish()
        fields = query.merged(form.fields)
    except AppError:
        await staged.discard(store, put)
        raise
    return await _register(store, staged, bus, put, replace(fields, file_name=fields.file_name or form.file_name))


async def _register(
    store: BlobStore, staged: StagedObjects, bus: Requester, put: StagedObject, fields: UploadFields
) -> bytes:
    message = RegisterUpload(
        staged=put,
        kind=fields.kind,
        file_name=base_name(fields.file_name),
        entity_type=fields.entity_type,
        entity_id=fields.entity_id,
    )
    return await staged.hand_over(store, bus, FILE_REGISTER, message, put)
