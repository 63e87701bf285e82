"""The inbox: message ids a consumer has applied, recorded in the same transaction as
the effect, so a redelivered message changes nothing."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, PrimaryKeyConstraint, String, Table, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


def make_inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("consumer", String(128), nullable=False),
        Column("message_id", String(128), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("consumer", "message_id"),
    )


async def claim(session: AsyncSession, inbox: Table, consumer: str, message_id: str) -> bool:
    """Record ``message_id`` for ``consumer``; False when it was already applied."""
    result = await session.execute(
        insert(inbox)
        .values(consumer=consumer, message_id=message_id)
        .on_conflict_do_nothing()
        .returning(inbox.c.message_id)
    )
    return result.first() is not None
