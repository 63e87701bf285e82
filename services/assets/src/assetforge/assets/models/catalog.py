"""The catalog's assets and their texture variants."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR, UUID
from sqlalchemy.orm import Mapped, mapped_column

from assetforge.assets.models.base import Base

# Full-text search over name (weight A), description (B) and tags (C): a name match ranks
# above a description match. English stemming, so "swords" finds "sword".
SEARCH_DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, COALESCE(name, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(description, '')), 'B') || "
    "setweight(jsonb_to_tsvector('english'::regconfig, tags, '[\"string\"]'::jsonb), 'C')"
)


def _newest_under(name: str, *columns: str) -> Index:
    """An index serving "newest first" (keyset on created_at, id) under equality filters."""
    return Index(name, *columns, text("created_at DESC"), text("id DESC"))


class AssetRecord(Base):
    __tablename__ = "assets"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(32))
    subtype: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(64))
    tier: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32), server_default="draft")
    visibility: Mapped[str] = mapped_column(String(16), server_default="private")
    # Ids of entities owned by other services are plain values, never foreign keys.
    owner_id: Mapped[str | None] = mapped_column(String(128))
    project_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    tags: Mapped[list[str]] = mapped_column(JSONB, server_default=text("'[]'"))
    # The owner's own keys only: the mirrored ones (tier, status, ...) are added on reading.
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSONB, server_default=text("'{}'"))
    prompt: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    is_favorite: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    model_url: Mapped[str | None] = mapped_column(Text)
    thumbnail_url: Mapped[str | None] = mapped_column(Text)
    concept_art_url: Mapped[str | None] = mapped_column(Text)
    rigged_model_url: Mapped[str | None] = mapped_column(Text)
    cdn_url: Mapped[str | None] = mapped_column(Text)
    cdn_thumbnail_url: Mapped[str | None] = mapped_column(Text)
    cdn_concept_art_url: Mapped[str | None] = mapped_column(Text)
    cdn_rigged_model_url: Mapped[str | None] = mapped_column(Text)
    # The CDN copies of the asset's files, by media file id ({id: url}): ``cdnFiles`` lists
    # the URLs, and a file's deletion removes its own.
    cdn_copies: Mapped[dict[str, str]] = mapped_column(JSONB, server_default=text("'{}'"))
    model_file: Mapped[str | None] = mapped_column(String(255))
    # Media file ids (the media service's records): what the asset is made of.
    files: Mapped[list[str]] = mapped_column(ARRAY(String(64)), server_default=text("'{}'"))
    # Which of ``files`` is the model, the thumbnail, ... ({"model": id, ...}): a file's CDN
    # copy or deletion then reaches the right URL.
    file_roles: Mapped[dict[str, str]] = mapped_column(JSONB, server_default=text("'{}'"))
    parent_asset_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("assets.assets.id", ondelete="SET NULL")
    )
    is_variant: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    pipeline_id: Mapped[str | None] = mapped_column(String(64))
    generated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    search: Mapped[Any] = mapped_column(TSVECTOR, Computed(SEARCH_DOCUMENT, persisted=True))

    __table_args__ = (
        CheckConstraint("tier BETWEEN 1 AND 5", name="tier"),
        CheckConstraint("char_length(notes) <= 5000", name="notes"),
        CheckConstraint("visibility IN ('public', 'private')", name="visibility"),
        # Every listing is a union of branches, each with visibility fixed, newest first:
        # the public assets, and one owner's private ones (or all private ones, for admins).
        _newest_under("ix_assets_visibility_created", "visibility"),
        _newest_under("ix_assets_owner_created", "owner_id", "visibility"),
        _newest_under("ix_assets_project_created", "project_id", "visibility"),
        _newest_under("ix_assets_type_created", "type", "visibility"),
        _newest_under("ix_assets_status_created", "status", "visibility"),
        Index("ix_assets_parent", "parent_asset_id"),
        Index("ix_assets_tags", "tags", postgresql_using="gin"),
        Index("ix_assets_files", "files", postgresql_using="gin"),
        Index("ix_assets_search", "search", postgresql_using="gin"),
    )


class AssetVariantRecord(Base):
    """A base asset's texture variant in one material preset. The variant is an asset of
    its own (``is_variant``, ``parent_asset_id``); this row links the two and the preset
    (whose table belongs to the material presets, so referenced by its id, without a key)."""

    __tablename__ = "asset_variants"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    base_asset_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("assets.assets.id", ondelete="CASCADE")
    )
    preset_id: Mapped[str] = mapped_column(String(64))
    variant_asset_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("assets.assets.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        UniqueConstraint("base_asset_id", "preset_id", name="uq_asset_variants_base_preset"),
        UniqueConstraint("variant_asset_id", name="uq_asset_variants_variant"),
    )
