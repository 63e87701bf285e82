from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from assetforge.common.bus.deployment import make_deployment_table
from assetforge.common.bus.inbox import make_inbox_table
from assetforge.common.bus.outbox import make_outbox_table
from assetforge.common.db import make_metadata

SCHEMA = "media"
# One live record per generated file's name (the predicate of its unique index).
GENERATED_NAME_PREDICATE = "bucket = 'gdd-assets' AND deleted_at IS NULL"

# The rows the file API serves: not deleted, and not a temporary image (those expire).
_LIVE_FILE = text("deleted_at IS NULL AND expires_at IS NULL")


class CdnState(StrEnum):
    """Where a file's CDN copy stands."""

    NONE = "none"  # no CDN was configured when the file was stored
    PENDING = "pending"
    MIRRORED = "mirrored"
    FAILED = "failed"  # the dead letter: refused (4xx), or every try used up; see cdn_error


class Base(DeclarativeBase):
    metadata = make_metadata(SCHEMA)


class MediaRecord(Base):
    """A stored object and what the service knows of it: its bytes live in the blob
    store under ``bucket``/``object_name``.

    Uploads are content-addressed (``object_name`` = SHA-256), so several records may
    share one object; generated files are named ``{assetId}/{path}`` in ``gdd-assets``,
    one live record per name; temporary images are the records with ``expires_at``.
    """

    __tablename__ = "media_storage"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    owner_id: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    mime_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    bucket: Mapped[str] = mapped_column(String(32), server_default="media")
    object_name: Mapped[str] = mapped_column(String(512))
    file_name: Mapped[str | None] = mapped_column(String(255))
    entity_type: Mapped[str | None] = mapped_column(String(32))
    entity_id: Mapped[str | None] = mapped_column(String(128))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSONB, server_default=text("'{}'"))
    # The CDN copy: none (no CDN configured when stored), pending, mirrored or failed.
    cdn_state: Mapped[str] = mapped_column(String(16), server_default="none")
    cdn_url: Mapped[str | None] = mapped_column(Text)
    cdn_attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    cdn_error: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(f"cdn_state IN ({', '.join(repr(state.value) for state in CdnState)})", name="cdn_state"),
        # Listings, newest first: one owner's files, or every file (admins).
        Index(
            "ix_media_storage_owner_created",
            "owner_id",
            text("created_at DESC"),
            text("id DESC"),
            postgresql_where=_LIVE_FILE,
        ),
        Index("ix_media_storage_created", text("created_at DESC"), text("id DESC"), postgresql_where=_LIVE_FILE),
        Index(
            "ix_media_storage_entity",
            "entity_type",
            "entity_id",
            text("created_at DESC"),
            text("id DESC"),
            postgresql_where=_LIVE_FILE,
        ),
        # Who else still uses an object (a delete removes it with its last record).
        Index("ix_media_storage_object", "bucket", "object_name", postgresql_where=text("deleted_at IS NULL")),
        # A generated file's name has one live record: storing it again replaces that one.
        Index(
            "uq_media_storage_generated_name",
            "object_name",
            unique=True,
            postgresql_where=text(GENERATED_NAME_PREDICATE),
        ),
        # The sweep of expired temporary images.
        Index("ix_media_storage_expires", "expires_at", postgresql_where=text("expires_at IS NOT NULL")),
    )


outbox = make_outbox_table(Base.metadata)
inbox = make_inbox_table(Base.metadata)
deployment = make_deployment_table(Base.metadata)
