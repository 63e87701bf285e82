from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, String, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from assetforge.common.bus.inbox import make_inbox_table
from assetforge.common.bus.outbox import make_outbox_table
from assetforge.common.db import make_metadata

SCHEMA = "gateway"


class Base(DeclarativeBase):
    metadata = make_metadata(SCHEMA)


class ActivityEntry(Base):
    """Something a user did: logins, profile and key changes, and facts from other services."""

    __tablename__ = "activity_log"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str | None] = mapped_column(String(32))
    entity_id: Mapped[str | None] = mapped_column(String(128))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        Index("ix_activity_log_created", text("created_at DESC")),
        Index("ix_activity_log_user_created", "user_id", text("created_at DESC")),
    )


outbox = make_outbox_table(Base.metadata)
inbox = make_inbox_table(Base.metadata)
