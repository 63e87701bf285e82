"""The assets service's bus contract for the catalog's assets: subjects, queries,
commands, replies and events.

Structs encode with camelCase names, the same as the HTTP API, so the gateway can hand a
reply's bytes to the client without decoding and re-encoding them. Request structs never
refuse unknown fields (clients of the original API send more than we read); every text
and list is bounded, and no text may hold a NUL (PostgreSQL refuses it).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import msgspec
from msgspec import UNSET, UnsetType

SERVICE = "assets"

ASSET_LIST = "assets.v1.asset.list"
ASSET_GET = "assets.v1.asset.get"
ASSET_CREATE = "assets.v1.asset.create"
ASSET_UPDATE = "assets.v1.asset.update"
ASSET_DELETE = "assets.v1.asset.delete"
ASSET_BULK_UPDATE = "assets.v1.asset.bulk_update"
ASSET_MODEL = "assets.v1.asset.model"
ASSET_VARIANTS = "assets.v1.asset.variants"

MAX_PAGE_SIZE = 200
# The original frontend asks for no limit and expects the whole list: it gets the first 200.
DEFAULT_PAGE_SIZE = 200
MAX_BULK = 200
MAX_NOTES = 5000


def asset_event_subject(asset_id: str, event: str) -> str:
    return f"evt.assets.asset.{asset_id}.{event}"


ASSET_CREATED_FILTER = "evt.assets.asset.*.created"
ASSET_UPDATED_FILTER = "evt.assets.asset.*.updated"
ASSET_DELETED_FILTER = "evt.assets.asset.*.deleted"
# Every event of every asset.
ASSET_EVENTS_FILTER = "evt.assets.asset.*.*"


class AssetType(StrEnum):
    CHARACTER = "character"
    WEAPON = "weapon"
    ARMOR = "armor"
    ITEM = "item"
    ENVIRONMENT = "environment"
    BUILDING = "building"
    VEHICLE = "vehicle"
    CREATURE = "creature"
    PROP = "prop"
    AUDIO = "audio"


class AssetStatus(StrEnum):
    DRAFT = "draft"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    APPROVED = "approved"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Visibility(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


_NO_NUL = r"^[^\u0000]*$"
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=_NO_NUL)]
Description = Annotated[str, msgspec.Meta(max_length=5000, pattern=_NO_NUL)]
Notes = Annotated[str, msgspec.Meta(max_length=MAX_NOTES, pattern=_NO_NUL)]
Label = Annotated[str, msgspec.Meta(max_length=64, pattern=_NO_NUL)]
Prompt = Annotated[str, msgspec.Meta(max_length=10_000, pattern=_NO_NUL)]
Tier = Annotated[int, msgspec.Meta(ge=1, le=5)]
Ident = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=_NO_NUL)]
Tags = Annotated[
    list[Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=_NO_NUL)]], msgspec.Meta(max_length=50)
]
FileIds = Annotated[list[Ident], msgspec.Meta(max_length=100)]
# Free-form, merged key by key; its total size is checked by the service.
Metadata = Annotated[dict[str, Any], msgspec.Meta(max_length=100)]
PageSize = Annotated[int, msgspec.Meta(ge=1, le=MAX_PAGE_SIZE)]
Cursor = Annotated[str, msgspec.Meta(max_length=512, pattern=_NO_NUL)]


# gc=False: pages build up to two hundred of these per request; they never take part in
# reference cycles, so the garbage collector has no reason to track (and re-scan) them.
class Asset(msgspec.Struct, frozen=True, rename="camel", gc=False):
    """An asset as the catalog serves it (the original frontend's shape included).

    ``metadata`` also mirrors ``tier`` (as a string), ``status``, ``isFavorite``,
    ``isBaseModel``, ``isVariant`` and ``parentBaseModel``, read from the asset itself.
    ``cdnUrl`` is the model's CDN copy; ``hasModel`` says whether there is a model at all.
    """

    id: str
    name: str
    description: str | None
    type: AssetType
    subtype: str | None
    category: str | None
    tier: int | None
    status: AssetStatus
    visibility: Visibility
    owner_id: str | None
    project_id: str | None
    tags: list[str]
    metadata: dict[str, Any]
    prompt: str | None
    notes: str | None
    is_favorite: bool
    model_url: str | None
    thumbnail_url: str | None
    concept_art_url: str | None
    rigged_model_url: str | None
    cdn_url: str | None
    cdn_thumbnail_url: str | None
    cdn_concept_art_url: str | None
    cdn_rigged_model_url: str | None
    cdn_files: list[str]
    has_model: bool
    model_file: str | None
    files: list[str]
    parent_asset_id: str | None
    is_variant: bool
    generated_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ListAssets(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """Newest first (by relevance first with ``q``); public assets plus the viewer's own
    (the viewer comes from headers; an admin sees every asset)."""

    limit: PageSize = DEFAULT_PAGE_SIZE
    cursor: Cursor | None = None
    project_id: Ident | None = None
    type: AssetType | None = None
    status: AssetStatus | None = None
    owner_id: Annotated[str, msgspec.Meta(max_length=128, pattern=_NO_NUL)] | None = None
    q: Annotated[str, msgspec.Meta(max_length=200, pattern=_NO_NUL)] | None = None


class AssetPage(msgspec.Struct, frozen=True, rename="camel", gc=False):
    """A page. ``nextCursor`` comes first on the wire, so the gateway reads it and cuts the
    bare ``assets`` array out of the reply without decoding the assets."""

    # Pass back as ``cursor`` for the next page; null on the last page.
    next_cursor: str | None
    assets: list[Asset]


class GetAsset(msgspec.Struct, frozen=True, rename="camel"):
    id: str


class CreateAsset(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """Register an asset from media files the principal uploaded (``files``: their ids)."""

    name: Name
    type: AssetType
    description: Description | None = None
    project_id: Ident | None = None
    visibility: Visibility = Visibility.PRIVATE
    status: AssetStatus = AssetStatus.DRAFT
    tags: Tags = msgspec.field(default_factory=list)
    metadata: Metadata = msgspec.field(default_factory=dict)
    prompt: Prompt | None = None
    files: FileIds = msgspec.field(default_factory=list)


class AssetChanges(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """What a PATCH changes: only the fields sent. ``metadata`` is merged key by key (a null
    removes a key); its ``tier``, ``status`` and ``isFavorite`` change the asset itself, as
    the original frontend sends them, while the other mirrored keys are read-only."""

    name: Name | UnsetType = UNSET
    description: Description | UnsetType | None = UNSET
    type: AssetType | UnsetType = UNSET
    tier: Tier | UnsetType | None = UNSET
    category: Label | UnsetType | None = UNSET
    status: AssetStatus | UnsetType = UNSET
    visibility: Visibility | UnsetType = UNSET
    is_favorite: bool | UnsetType = UNSET
    notes: Notes | UnsetType | None = UNSET
    tags: Tags | UnsetType = UNSET
    metadata: Metadata | UnsetType = UNSET


class UpdateAsset(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    changes: AssetChanges


class BulkUpdate(msgspec.Struct, frozen=True, rename="camel"):
    asset_ids: Annotated[
        list[Annotated[str, msgspec.Meta(max_length=64)]], msgspec.Meta(min_length=1, max_length=MAX_BULK)
    ]
    updates: AssetChanges


class BulkError(msgspec.Struct, frozen=True, rename="camel"):
    asset_id: str
    error: str


class BulkResult(msgspec.Struct, frozen=True, rename="camel"):
    """How many assets changed and which did not (an asset the caller may not see is
    "not found", exactly like a missing one)."""

    updated: int
    failed: int
    errors: list[BulkError]


class DeleteAsset(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    include_variants: bool = False


class AssetDeletion(msgspec.Struct, frozen=True, rename="camel"):
    """The reply to a delete: the assets removed (the asset, then its variants)."""

    success: bool
    deleted: list[str]


class ModelLocation(msgspec.Struct, frozen=True, rename="camel"):
    """Where an asset's model file is (its CDN copy when there is one)."""

    url: str


# --- events (through the assets service's outbox) -------------------------------------


class AssetCreated(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """Event: an asset entered the catalog."""

    asset_id: str
    owner_id: str | None
    name: str
    type: AssetType
    visibility: Visibility
    created_at: datetime
    project_id: str | None = None
    status: AssetStatus = AssetStatus.DRAFT
    is_variant: bool = False
    parent_asset_id: str | None = None
    # Where it came from: "upload" (POST /api/assets) or "generation" (a pipeline).
    source: str = "upload"


class AssetUpdated(msgspec.Struct, frozen=True, rename="camel"):
    """Event: an asset changed. ``changed`` names the fields (camelCase) that did."""

    asset_id: str
    owner_id: str | None
    name: str
    visibility: Visibility
    changed: list[str]
    updated_at: datetime
    # Who changed it (the gateway's user id); None when the catalog followed another
    # service's event (a pipeline's result, a file's deletion).
    actor_id: str | None = None


class AssetDeleted(msgspec.Struct, frozen=True, rename="camel"):
    """Event: an asset left the catalog. ``fileIds`` are the media files it held that no
    other asset holds: the media service deletes those of them that ``ownerId`` owns."""

    asset_id: str
    owner_id: str | None
    name: str
    file_ids: list[str]
    deleted_at: datetime
    parent_asset_id: str | None = None
    actor_id: str | None = None
