"""Projects and the relationships between any two entities."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, Float, Index, String, Text, UniqueConstraint, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from assetforge.assets.models.base import Base


class ProjectRecord(Base):
    __tablename__ = "projects"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    # The gateway's user id; a plain value, never a foreign key across schemas.
    owner_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'"))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSONB, server_default=text("'{}'"))
    # Archived projects keep everything; they only leave the owner's default listing.
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        # The owner's listing, newest first; the partial one serves the default (no archived).
        Index("ix_projects_owner_created", "owner_id", text("created_at DESC"), text("id DESC")),
        Index(
            "ix_projects_owner_active",
            "owner_id",
            text("created_at DESC"),
            text("id DESC"),
            postgresql_where=text("archived_at IS NULL"),
        ),
    )


class RelationshipRecord(Base):
    __tablename__ = "relationships"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(128))
    # Entities of any kind and any service: typed ids, never foreign keys.
    source_type: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str] = mapped_column(String(128))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(128))
    relationship_type: Mapped[str] = mapped_column(String(32))
    strength: Mapped[float] = mapped_column(Float, server_default=text("0.5"))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSONB, server_default=text("'{}'"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        # One link of a kind between two entities per owner: links are private, so another
        # user's identical link must neither collide with nor reveal this one.
        UniqueConstraint(
            "owner_id",
            "source_type",
            "source_id",
            "target_type",
            "target_id",
            "relationship_type",
            name="uq_relationships_link",
        ),
        CheckConstraint("strength >= 0 AND strength <= 1", name="strength_range"),
        # The owner's listing, newest first, and the graph's walks from either end.
        Index("ix_relationships_owner_created", "owner_id", text("created_at DESC"), text("id DESC")),
        Index("ix_relationships_source", "source_id", "source_type"),
        Index("ix_relationships_target", "target_id", "target_type"),
    )
