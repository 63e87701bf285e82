from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from assetforge.common.bus.deployment import make_deployment_table
from assetforge.common.bus.inbox import make_inbox_table
from assetforge.common.bus.outbox import make_outbox_table
from assetforge.common.db import make_metadata

SCHEMA = "generation"


class Base(DeclarativeBase):
    metadata = make_metadata(SCHEMA)


class GenerationJob(Base):
    """A pipeline or audio job; its stages live in ``stages`` as they progress."""

    __tablename__ = "generation_jobs"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32), server_default="pipeline")
    status: Mapped[str] = mapped_column(String(16), server_default="queued")
    config: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'"))
    stages: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'"))
    results: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'"))
    progress: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    current_stage: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    error_stage: Mapped[str | None] = mapped_column(String(32))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        Index("ix_generation_jobs_owner_created", "owner_id", text("created_at DESC")),
        # A retried POST with the same Idempotency-Key finds the job it already made.
        Index(
            "uq_generation_jobs_owner_idempotency",
            "owner_id",
            "idempotency_key",
            unique=True,
            postgresql_where=text("idempotency_key IS NOT NULL"),
        ),
    )


outbox = make_outbox_table(Base.metadata)
inbox = make_inbox_table(Base.metadata)
deployment = make_deployment_table(Base.metadata)
