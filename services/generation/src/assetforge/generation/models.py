from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, Index, Integer, LargeBinary, String, Text, func, text
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
    # The SHA-256 of the submitted config: another body under the same key is a conflict.
    request_hash: Mapped[str | None] = mapped_column(String(64))
    # The catalog asset the pipeline makes (a UUID; see contracts.generation.catalog_asset_id).
    asset_id: Mapped[str | None] = mapped_column(String(64))
    cancel_requested: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # Which runner holds the job, until when: a second delivery of its run command (after
    # a missed heartbeat) waits instead of running the same stage beside it.
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        Index("ix_generation_jobs_owner_created", "owner_id", text("created_at DESC"), text("id DESC")),
        Index(
            "ix_generation_jobs_owner_status_created", "owner_id", "status", text("created_at DESC"), text("id DESC")
        ),
        # The sweep of finished jobs.
        Index(
            "ix_generation_jobs_finished",
            "completed_at",
            postgresql_where=text("status IN ('completed', 'failed', 'cancelled')"),
        ),
        # A retried POST with the same Idempotency-Key finds the job it already made.
        Index(
            "uq_generation_jobs_owner_idempotency",
            "owner_id",
            "idempotency_key",
            unique=True,
            postgresql_where=text("idempotency_key IS NOT NULL"),
        ),
    )


class ProviderTask(Base):
    """Every provider task a job adopted or created, so a resumed stage looking for the
    task it may have created before a crash never adopts another job's."""

    __tablename__ = "provider_tasks"

    provider: Mapped[str] = mapped_column(String(32), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    job_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (Index("ix_provider_tasks_created", "provider", "created_at"),)


class ProviderKey(Base):
    """A user's own key for one provider, sealed with AES-256-GCM (PROVIDER_KEYS_SECRET;
    the owner and the provider are its associated data, so a row copied to another owner
    or provider does not open). The key itself is stored nowhere else."""

    __tablename__ = "provider_keys"

    owner_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    provider: Mapped[str] = mapped_column(String(32), primary_key=True)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (CheckConstraint("provider IN ('meshy', 'ai_gateway', 'elevenlabs')", name="provider"),)


class UsageDay(Base):
    """Expected provider credits of the work a user submitted on one day (UTC), charged
    at submission in the transaction that queues the work (GENERATION_DAILY_CREDITS)."""

    __tablename__ = "usage"

    owner_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    credits: Mapped[int] = mapped_column(Integer, server_default=text("0"))


outbox = make_outbox_table(Base.metadata)
inbox = make_inbox_table(Base.metadata)
deployment = make_deployment_table(Base.metadata)
