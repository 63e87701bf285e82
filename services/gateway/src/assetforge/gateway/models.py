from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, LargeBinary, String, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from assetforge.common.bus.deployment import make_deployment_table
from assetforge.common.bus.inbox import make_inbox_table
from assetforge.common.bus.outbox import make_outbox_table
from assetforge.common.db import make_metadata

SCHEMA = "gateway"


class Base(DeclarativeBase):
    metadata = make_metadata(SCHEMA)


class UserRecord(Base):
    """A person, known by their Privy DID; created the first time a token names them."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    privy_user_id: Mapped[str] = mapped_column(String(255), unique=True)
    email: Mapped[str | None] = mapped_column(String(320))
    wallet_address: Mapped[str | None] = mapped_column(String(128))
    display_name: Mapped[str | None] = mapped_column(String(100))
    avatar_url: Mapped[str | None] = mapped_column(String(2048))
    discord_username: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16), server_default="member")
    profile_completed: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'"))
    # The Privy session last seen: a new one is a new login for the activity log.
    last_session_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Deleted by an administrator: the row stays, emptied of personal data, so the DID
    # cannot sign back in (first sight would otherwise create the user again) and ids
    # other services keep still name someone.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_users_role_created", "role", text("created_at DESC")),)


class ApiKeyRecord(Base):
    """A personal API key: only its SHA-256 and a short prefix for lookup are stored."""

    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("gateway.users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(24))
    key_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_api_keys_prefix", "prefix"),
        Index("ix_api_keys_user_created", "user_id", text("created_at DESC")),
    )


class BlockedSession(Base):
    """A signed-out session: its tokens are refused until the last of them has expired."""

    __tablename__ = "token_blocklist"

    # SHA-256 of the session key (auth/tokens.py ``session_key``), not of a token's text.
    session_key: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (Index("ix_token_blocklist_expires", "expires_at"),)


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
        Index("ix_activity_log_action_created", "action", text("created_at DESC")),
    )


outbox = make_outbox_table(Base.metadata)
inbox = make_inbox_table(Base.metadata)
deployment = make_deployment_table(Base.metadata)
