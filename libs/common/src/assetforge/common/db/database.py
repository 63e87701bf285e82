"""The database handle a service holds: engines, sessions and the unit of work."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from assetforge.common.db.engine import make_engine
from assetforge.common.settings import DatabaseSettings

log = logging.getLogger(__name__)

AfterCommit = Callable[[AsyncSession], None]

# A query on the primary that succeeded this recently shows that it answers: readiness
# then asks nothing of it (passive health). A busy service answers probes at no cost;
# an idle one pays a pooled ``SELECT 1`` at most once per readiness cache period.
RECENT_SUCCESS_S = 1.0


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
        # Reads run in autocommit: a single statement sees one snapshot anyway, and it
        # saves the BEGIN and ROLLBACK round trips a transaction would cost per query.
        self._reader = (self.replica or self.engine).execution_options(isolation_level="AUTOCOMMIT")
        self._after_commit: list[AfterCommit] = []
        # Callers queue here, first come first served, rather than in the pool, whose
        # waiters are not served in order: with 64 requests on a pool of 10, the pool's
        # own queue gave a p99 five times the median; this queue, under twice (see
        # docs/decisions.md). One slot per pooled connection, so the pool never waits.
        self._write_slots = asyncio.Semaphore(settings.pool_size)
        self._read_slots = asyncio.Semaphore(settings.pool_size) if self.replica else self._write_slots
        # The probe uses the primary's pool: a connection of its own per probe let a burst
        # of probes fill max_connections (see docs/decisions.md).
        self._probe = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._reads_primary = self.replica is None
        self._last_success = float("-inf")
        # Set and cleared at every success: a probe that finds every slot taken waits on it.
        self._success = asyncio.Event()

    def on_commit(self, callback: AfterCommit) -> None:
        self._after_commit.append(callback)

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """A transaction that commits when the block succeeds and rolls back otherwise."""
        async with self._write_slots, self._sessions() as session:
            try:
                yield session
                # A unit of work that never began a transaction proves nothing about the database.
                touched = session.in_transaction()
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
        if touched:
            self._succeeded()
        for callback in self._after_commit:
            callback(session)

    @asynccontextmanager
    async def read_only(self) -> AsyncIterator[AsyncConnection]:
        """A connection for single-statement queries; the replica's when one is configured."""
        async with self._read_slots, self._reader.connect() as connection:
            yield connection
        if self._reads_primary:
            self._succeeded()

    def _succeeded(self) -> None:
        self._last_success = time.monotonic()
        self._success.set()
        self._success.clear()

    async def ping(self, timeout: float = 1.0) -> bool:
        """Whether the primary answers, within ``timeout``, on none but the pool's connections.

        True at once if a query succeeded within ``RECENT_SUCCESS_S``. Otherwise a pooled
        ``SELECT 1``, or, when every slot is taken, the next unit of work to succeed: a
        probe never takes a turn from real work nor waits in the FIFO queue behind it.
        """
        if time.monotonic() - self._last_success < RECENT_SUCCESS_S:
            return True
        try:
            async with asyncio.timeout(timeout):
                if self._write_slots.locked():
                    await self._success.wait()
                    return True
                async with self._write_slots, self._probe.connect() as connection:
                    await connection.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            log.warning("database ping failed: %s", str(exc) or type(exc).__name__)
            return False
        self._succeeded()
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.replica is not None:
            await self.replica.dispose()
