"""The database handle a service holds: engines, sessions and the unit of work."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from assetforge.common.db.engine import make_engine
from assetforge.common.settings import DatabaseSettings

log = logging.getLogger(__name__)

AfterCommit = Callable[[AsyncSession], None]


class Database:
    """Owns the engines of one service and hands out units of work.

    The edge (an HTTP handler or a bus subscriber) opens one unit of work per request
    or message; services and repositories only ``flush()``. Callbacks registered with
    :meth:`on_commit` run after every successful commit, which is how the outbox relay
    learns promptly that there is something to publish.
    """

    def __init__(self, settings: DatabaseSettings, application_name: str) -> None:
        self.engine: AsyncEngine = make_engine(settings, application_name)
        self.replica: AsyncEngine | None = (
            make_engine(settings, application_name, url=settings.replica_url) if settings.replica_url else None
        )
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._read_sessions = (
            async_sessionmaker(self.replica, expire_on_commit=False, autoflush=False)
            if self.replica
            else self._sessions
        )
        self._after_commit: list[AfterCommit] = []

    def on_commit(self, callback: AfterCommit) -> None:
        self._after_commit.append(callback)

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """A transaction that commits when the block succeeds and rolls back otherwise."""
        async with self._sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
        for callback in self._after_commit:
            callback(session)

    @asynccontextmanager
    async def read_only(self) -> AsyncIterator[AsyncSession]:
        """A session for queries; served by the replica when one is configured."""
        async with self._read_sessions() as session:
            try:
                yield session
            finally:
                await session.rollback()

    async def ping(self, timeout: float = 1.0) -> bool:
        try:
            async with asyncio.timeout(timeout), self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            log.warning("database ping failed: %s", exc)
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.replica is not None:
            await self.replica.dispose()
