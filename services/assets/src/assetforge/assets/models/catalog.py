"""The catalog's assets (and their variants and files)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from assetforge.assets.models.base import Base


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
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(64)), server_default=text("'{}'"))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSONB, server_default=text("'{}'"))
    prompt: Mapped[str | None] = mapped_column(Text)
    model_url: Mapped[str | None] = mapped_column(Text)
    thumbnail_url: Mapped[str | None] = mapped_column(Text)
    concept_art_url: Mapped[str | None] = mapped_column(Text)
    rigged_model_url: Mapped[str | None] = mapped_column(Text)
    files: Mapped[list[str]] = mapped_column(ARRAY(String(64)), server_default=text("'{}'"))
    parent_asset_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    is_variant: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        # The listing is "newest first", over public assets or one owner's.
        Index("ix_assets_visibility_created", "visibility", text("created_at DESC"), text("id DESC")),
        Index("ix_assets_owner_created", "owner_id", text("created_at DESC"), text("id DESC")),
        Index("ix_assets_project", "project_id"),
    )
