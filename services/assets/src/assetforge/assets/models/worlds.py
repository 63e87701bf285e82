"""World configs with their history, and material presets (system and custom)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
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
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from assetforge.assets.models.base import Base

# Custom presets' ids all start so; system ids never do (a CHECK below): the two can never collide.
CUSTOM_PRESET_PREFIX = "custom-"


class WorldConfigRecord(Base):
    __tablename__ = "world_configs"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    # The gateway's user id; a plain value, never a foreign key across schemas.
    owner_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    genre: Mapped[str | None] = mapped_column(String(100))
    tone: Mapped[str | None] = mapped_column(String(100))
    # The sections are JSON documents: their items keep every member the client sent
    # (the original frontend's races carry traits, factions goals...), checked in the service.
    races: Mapped[list[Any]] = mapped_column(JSONB, server_default=text("'[]'"))
    factions: Mapped[list[Any]] = mapped_column(JSONB, server_default=text("'[]'"))
    skills: Mapped[list[Any]] = mapped_column(JSONB, server_default=text("'[]'"))
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'"))
    npc_categories: Mapped[list[Any]] = mapped_column(JSONB, server_default=text("'[]'"))
    quest_config: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'"))
    items_config: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'"))
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(64)), server_default=text("'{}'"))
    is_template: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # 1 when created, one more at every change (each change also writes a history row).
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint("version >= 1", name="version_positive"),
        # One active config per owner, whatever the code does: a second activation that
        # did not first deactivate the other config fails here instead of leaving two.
        Index(
            "uq_world_configs_one_active_per_owner",
            "owner_id",
            unique=True,
            postgresql_where=text("is_active"),
        ),
        # The owner's listing, newest first (ids are UUIDv7: they sort by creation).
        Index("ix_world_configs_owner_id", "owner_id", text("id DESC")),
    )


class WorldConfigHistoryRecord(Base):
    __tablename__ = "world_config_history"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    # The history goes with its config.
    config_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("world_configs.id", ondelete="CASCADE"))
    # The config's version this change produced.
    version: Mapped[int] = mapped_column(Integer)
    change_type: Mapped[str] = mapped_column(String(32))
    changed_by: Mapped[str | None] = mapped_column(String(128))
    changed_fields: Mapped[list[str]] = mapped_column(ARRAY(String(32)), server_default=text("'{}'"))
    # The whole config as it was after the change; the state before is the previous row's.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        # One row per version; also the index of the history's listing (newest first).
        UniqueConstraint("config_id", "version", name="uq_world_config_history_version"),
    )


class MaterialPresetRecord(Base):
    __tablename__ = "material_presets"

    # The original's ids for system presets (bronze, steel, mithril, ...); custom-<hex> for users'.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(32))
    tier: Mapped[int] = mapped_column(Integer)
    color: Mapped[str] = mapped_column(String(7))
    style_prompt: Mapped[str] = mapped_column(Text)
    # NULL for system presets, which belong to no one.
    owner_id: Mapped[str | None] = mapped_column(String(128))
    is_system: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint("tier BETWEEN 1 AND 10", name="tier_range"),
        CheckConstraint("color ~ '^#[0-9A-Fa-f]{6}$'", name="color_hex"),
        CheckConstraint(
            f"(is_system AND owner_id IS NULL AND id NOT LIKE '{CUSTOM_PRESET_PREFIX}%') OR "
            f"(NOT is_system AND owner_id IS NOT NULL AND id LIKE '{CUSTOM_PRESET_PREFIX}%')",
            name="system_or_owned",
        ),
        # A caller's listing: the system presets and their own, by category.
        Index("ix_material_presets_owner_category", "owner_id", "category"),
    )
