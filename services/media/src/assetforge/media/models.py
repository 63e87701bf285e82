from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, String, func, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from assetforge.common.bus.deployment import make_deployment_table
from assetforge.common.bus.inbox import make_inbox_table
from assetforge.common.bus.outbox import make_outbox_table
from assetforge.common.db import make_metadata

SCHEMA = "media"


class Base(DeclarativeBase):
    metadata = make_metadata(SCHEMA)


class MediaRecord(Base):
    """A stored file: its bytes live in the object store under ``object_name``."""

    __tablename__ = "media_storage"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    owner_id: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    mime_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    object_name: Mapped[str] = mapped_column(String(512))
    file_name: Mapped[str | None] = mapped_column(String(255))
    entity_type: Mapped[str | None] = mapped_column(String(32))
    entity_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_media_storage_entity", "entity_type", "entity_id"),
        Index("ix_media_storage_owner_created", "owner_id", text("created_at DESC")),
    )


outbox = make_outbox_table(Base.metadata)
inbox = make_inbox_table(Base.metadata)
deployment = make_deployment_table(Base.metadata)
