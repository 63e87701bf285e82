"""Signed-out sessions, refused until the last token they could have had has expired."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from assetforge.common.db.repository import Repository
from assetforge.gateway.models import BlockedSession


class BlocklistRepository(Repository):
    async def add(self, session_key: bytes, expires_at: datetime) -> None:
        await self._executor.execute(
            pg_insert(BlockedSession)
            .values(session_key=session_key, expires_at=expires_at)
            .on_conflict_do_update(index_elements=["session_key"], set_={"expires_at": expires_at})
        )

    async def contains(self, session_key: bytes) -> bool:
        found = await self._executor.execute(
            select(BlockedSession.session_key).where(
                BlockedSession.session_key == session_key, BlockedSession.expires_at > func.now()
            )
        )
        return found.first() is not None

    async def purge_expired(self) -> int:
        result = await self._executor.execute(delete(BlockedSession).where(BlockedSession.expires_at < func.now()))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
