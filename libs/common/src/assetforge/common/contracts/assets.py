"""The assets service's bus contract: subjects, queries, replies and events.

Structs encode with camelCase names, the same as the HTTP API, so the gateway can
hand a reply's bytes to the client without decoding and re-encoding them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import msgspec

SERVICE = "assets"

ASSET_LIST = "assets.v1.asset.list"
ASSET_GET = "assets.v1.asset.get"
ASSET_CREATE = "assets.v1.asset.create"

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


def asset_event_subject(asset_id: str, event: str) -> str:
    return f"evt.assets.asset.{asset_id}.{event}"


ASSET_CREATED_FILTER = "evt.assets.asset.*.created"


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


Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
Description = Annotated[str, msgspec.Meta(max_length=5000)]
PageSize = Annotated[int, msgspec.Meta(ge=1, le=MAX_PAGE_SIZE)]


# gc=False: pages build fifty of these per request; they never take part in reference
# cycles, so the garbage collector has no reason to track (and re-scan) them.
class Asset(msgspec.Struct, frozen=True, rename="camel", gc=False):
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
    model_url: str | None
    thumbnail_url: str | None
    concept_art_url: str | None
    rigged_model_url: str | None
    files: list[str]
    parent_asset_id: str | None
    is_variant: bool
    created_at: datetime
    updated_at: datetime


class ListAssets(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """Newest first; public assets plus the viewer's own (the viewer comes from headers)."""

    limit: PageSize = DEFAULT_PAGE_SIZE
    cursor: str | None = None
    project_id: str | None = None
    type: AssetType | None = None
    status: AssetStatus | None = None
    owner_id: str | None = None
    q: Annotated[str, msgspec.Meta(max_length=200)] | None = None


class AssetPage(msgspec.Struct, frozen=True, rename="camel", gc=False):
    assets: list[Asset]
    # Pass back as ``cursor`` for the next page; null on the last page.
    next_cursor: str | None


class GetAsset(msgspec.Struct, frozen=True, rename="camel"):
    id: str


class CreateAsset(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    name: Name
    type: AssetType
    description: Description | None = None
    project_id: str | None = None
    visibility: Visibility = Visibility.PRIVATE
    status: AssetStatus = AssetStatus.DRAFT
    tags: list[str] = msgspec.field(default_factory=list)
    metadata: dict[str, Any] = msgspec.field(default_factory=dict)
    prompt: str | None = None
    files: list[str] = msgspec.field(default_factory=list)


class AssetCreated(msgspec.Struct, frozen=True, rename="camel"):
    """Event: an asset entered the catalog."""

    asset_id: str
    owner_id: str | None
    name: str
    type: AssetType
    visibility: Visibility
    created_at: datetime
