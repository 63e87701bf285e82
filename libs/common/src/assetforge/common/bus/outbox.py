"""The transactional outbox: events commit with the state change that caused them,
then a relay publishes them to JetStream.

The relay claims rows with ``FOR UPDATE SKIP LOCKED`` (replicas relay side by side
without blocking each other), publishes each with ``Nats-Msg-Id`` = the row id so
JetStream's duplicate window drops a re-send after a crash, and deletes the rows in
the same transaction. It wakes as soon as a unit of work that added rows commits,
and polls as a fallback for rows committed by other replicas or left by a crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any

import msgspec
from nats.js import JetStreamContext
from sqlalchemy import Column, DateTime, LargeBinary, MetaData, String, Table, delete, func, insert, select
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from assetforge.common.bus.codec import encoder
from assetforge.common.contracts import headers as h
from assetforge.common.ids import uuid7
from assetforge.common.observability.context import request_id_var
from assetforge.common.observability.metrics import BusMetrics
from assetforge.common.observability.tracing import inject_headers

log = logging.getLogger(__name__)

_DIRTY = "outbox_dirty"


def make_outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("id", UUID(as_uuid=True), primary_key=True),
        Column("subject", String(255), nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("headers", JSONB, nullable=False, server_default="{}"),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


async def add_event(session: AsyncSession, outbox: Table, subject: str, event: msgspec.Struct) -> uuid.UUID:
    """Queue ``event`` for publication when ``session`` commits."""
    headers: dict[str, str] = {}
    request_id = request_id_var.get()
    if request_id:
        headers[h.REQUEST_ID] = request_id
    inject_headers(headers)
    event_id = uuid7()
    await session.execute(
        insert(outbox).values(id=event_id, subject=subject, payload=encoder.encode(event), headers=headers)
    )
    session.info[_DIRTY] = True
    return event_id


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        outbox: Table,
        js: JetStreamContext,
        metrics: BusMetrics,
        *,
        poll_interval: float = 1.0,
        batch_size: int = 100,
    ) -> None:
        self._engine = engine
        self._outbox = outbox
        self._js = js
        self._metrics = metrics
        self._poll_interval = poll_interval
        self._batch_size = batch_size
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def after_commit(self, session: AsyncSession) -> None:
        """Hook for :meth:`Database.on_commit`: wake the relay if the commit added rows."""
        if session.info.pop(_DIRTY, False):
            self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self, flush_timeout: float = 10.0) -> None:
        """Stop the loop, then publish whatever is still waiting (bounded by ``flush_timeout``)."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        try:
            async with asyncio.timeout(flush_timeout):
                while await self.relay_once():
                    pass
        except Exception as exc:  # noqa: BLE001 - rows stay in the table for the next start
            log.warning("outbox not fully flushed on shutdown: %s", exc)

    async def _run(self) -> None:
        failures = 0
        while not self._stopping:
            # Cleared before the pass, never after it: a commit that wakes the relay while a
            # pass runs must start the next pass, not wait for the poll.
            self._wake.clear()
            try:
                published = await self.relay_once()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - keep relaying after a broker or database outage
                failures += 1
                self._metrics.outbox_failures.inc()
                log.warning("outbox relay pass failed (%d in a row): %s", failures, exc)
                await asyncio.sleep(min(0.2 * 2**failures, 10.0))
                continue
            if published == self._batch_size:
                continue  # more may be waiting
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll_interval)

    async def relay_once(self) -> int:
        """Publish one batch; return how many rows went out."""
        table = self._outbox
        async with self._engine.connect() as connection, connection.begin():
            rows = (
                await connection.execute(
                    select(table.c.id, table.c.subject, table.c.payload, table.c.headers)
                    .order_by(table.c.id)
                    .limit(self._batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            self._metrics.outbox_pending.set(len(rows))
            if not rows:
                return 0
            # In order, one acknowledged publish at a time: events of one aggregate
            # reach the stream in the order they were committed.
            for row in rows:
                headers: dict[str, Any] = dict(row.headers or {})
                headers[h.MSG_ID] = str(row.id)
                await self._js.publish(row.subject, row.payload, headers=headers, timeout=5.0)
            await connection.execute(delete(table).where(table.c.id.in_([row.id for row in rows])))
        self._metrics.outbox_published.inc(len(rows))
        return len(rows)
