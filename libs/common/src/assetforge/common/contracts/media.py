"""The media service's bus API: stored files and their records.

Bytes never travel on the bus (claim checks): a writer streams them into the blob store
under a staging name (``assetforge.common.blobs``), then asks the media service to
register or store them; the service checks them, records them and promotes the object
to its final name, or deletes it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import msgspec

# Request/reply subjects (queue group "media").
FILE_REGISTER = "media.v1.file.register"  # an upload the gateway staged
FILE_STORE = "media.v1.file.store"  # a generated file another service staged
FILE_GET = "media.v1.file.get"
FILE_LIST = "media.v1.file.list"
FILE_DELETE = "media.v1.file.delete"
TEMP_IMAGE_CREATE = "media.v1.temp_image.create"
STORAGE_HEALTH = "media.v1.storage.health"

MAX_PAGE_SIZE = 200
Text = Annotated[str, msgspec.Meta(max_length=255, pattern=r"^[^\u0000]*$")]
Path = Annotated[str, msgspec.Meta(min_length=1, max_length=512, pattern=r"^[^\u0000]*$")]


class Kind(StrEnum):
    IMAGE = "image"
    AUDIO = "audio"
    MODEL = "model"
    DATA = "data"  # metadata.json and other documents the service writes itself


# Largest file of each kind (bytes); the gateway refuses any upload over 100 MB.
MAX_BYTES = {Kind.IMAGE: 10 * 1024 * 1024, Kind.AUDIO: 50 * 1024 * 1024, Kind.MODEL: 100 * 1024 * 1024}


class StagedObject(msgspec.Struct, frozen=True, rename="camel"):
    """Where a writer left the bytes: a staging name in one bucket, with what it measured."""

    bucket: Text
    name: Path
    size: Annotated[int, msgspec.Meta(ge=0)]
    sha256: Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]


class RegisterUpload(msgspec.Struct, frozen=True, rename="camel"):
    """A user's upload (the principal, from the message headers, owns it)."""

    staged: StagedObject
    kind: Kind | None = None  # what the client said; the content decides
    file_name: Text | None = None
    entity_type: Annotated[str, msgspec.Meta(max_length=32)] | None = None
    entity_id: Annotated[str, msgspec.Meta(max_length=128)] | None = None


class StoreFile(msgspec.Struct, frozen=True, rename="camel"):
    """A file another service made, stored under ``gdd-assets/{assetId}/{path}``."""

    staged: StagedObject
    asset_id: Annotated[str, msgspec.Meta(max_length=64)]
    path: Path
    owner_id: Annotated[str, msgspec.Meta(max_length=128)]
    kind: Kind
    content_type: Text | None = None


class MediaFile(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    id: str
    url: str
    kind: Kind
    mime_type: str
    size: int
    sha256: str
    created_at: datetime
    owner_id: str | None = None
    file_name: str | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    cdn_url: str | None = None
    # Where the bytes are: the gateway serves them from here.
    bucket: str = ""
    object_name: str = ""
    metadata: dict[str, Any] = msgspec.field(default_factory=dict)


class GetFile(msgspec.Struct, frozen=True):
    id: str


class ListFiles(msgspec.Struct, frozen=True, rename="camel"):
    entity_type: str | None = None
    entity_id: str | None = None
    kind: Kind | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=MAX_PAGE_SIZE)] = 50
    cursor: str | None = None


class FilePage(msgspec.Struct, frozen=True, rename="camel"):
    files: list[MediaFile]
    next_cursor: str | None


class DeleteFile(msgspec.Struct, frozen=True):
    id: str


class Deleted(msgspec.Struct, frozen=True):
    id: str


class CreateTempImage(msgspec.Struct, frozen=True, rename="camel"):
    staged: StagedObject
    # How long the image stays (seconds); the default is the service's (24 h).
    ttl_s: Annotated[int, msgspec.Meta(ge=60, le=7 * 24 * 3600)] | None = None


class TempImage(msgspec.Struct, frozen=True, rename="camel"):
    name: str
    url: str
    expires_at: datetime


class StorageHealthQuery(msgspec.Struct, frozen=True):
    pass


class StorageHealth(msgspec.Struct, frozen=True, rename="camel"):
    cdn_configured: bool
    files: int
    mirrored: int
    pending: int
    failed: int
    # Whether the CDN answered its last upload or probe; None while nothing has been tried
    # (or no CDN is configured). The gateway's readiness shows it as "cdn" when configured.
    cdn_reachable: bool | None = None


# Events (through the media service's outbox).
FILE_STORED_FILTER = "evt.media.file.*.stored"
FILE_MIRRORED_FILTER = "evt.media.file.*.mirrored"
FILE_DELETED_FILTER = "evt.media.file.*.deleted"


def file_event_subject(file_id: str, event: str) -> str:
    return f"evt.media.file.{file_id}.{event}"


class FileStored(msgspec.Struct, frozen=True, rename="camel"):
    file_id: str
    bucket: str
    object_name: str
    kind: Kind
    mime_type: str
    size: int
    sha256: str
    owner_id: str | None
    entity_type: str | None
    entity_id: str | None
    url: str
    stored_at: datetime


class FileMirrored(msgspec.Struct, frozen=True, rename="camel"):
    file_id: str
    cdn_url: str


class FileDeleted(msgspec.Struct, frozen=True, rename="camel"):
    file_id: str
