"""The outbox: events commit with their change, leave once, and survive a relay crash."""

from __future__ import annotations

import asyncio
import contextlib

import msgspec
from nats.aio.client import Client
from nats.js.api import ConsumerConfig, DeliverPolicy
from sqlalchemy import func, select

from assetforge.assets.models import outbox
from assetforge.common.bus.outbox import OutboxRelay, add_event
from assetforge.common.bus.streams import EVENTS
from assetforge.common.contracts import headers as h
from assetforge.common.contracts.assets import AssetCreated, asset_event_subject
from assetforge.common.db import Database
from assetforge.common.ids import new_id
from assetforge.common.observability.metrics import make_bus_metrics, make_registry
from assetforge.common.settings import DatabaseSettings
from tests.helpers import asset_created, create_asset
from tests.support import RunningService


async def _events_for(nc: Client, subject: str, expected: int, wait: float = 3.0) -> list[object]:
    js = nc.jetstream()
    sub = await js.subscribe(
        subject, stream=EVENTS, config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL), ordered_consumer=True
    )
    messages = []
    try:
        while len(messages) < expected + 1:
            messages.append(await sub.next_msg(timeout=wait if len(messages) < expected else 0.5))
    except TimeoutError:
        pass
    finally:
        await sub.unsubscribe()
    return messages


async def test_a_created_asset_is_published_once_with_the_outbox_id(
    stack: dict[str, RunningService], nc: Client, owner: str
) -> None:
    asset = await create_asset(nc, owner)

    messages = await _events_for(nc, asset_event_subject(asset["id"], "created"), expected=1)

    assert len(messages) == 1
    event = msgspec.json.decode(messages[0].data, type=AssetCreated)  # type: ignore[attr-defined]
    assert event.asset_id == asset["id"]
    assert event.owner_id == owner
    assert messages[0].headers[h.MSG_ID]  # type: ignore[attr-defined]
    assert messages[0].headers[h.REQUEST_ID] == "t"  # type: ignore[attr-defined]


async def test_a_relay_that_crashed_after_publishing_does_not_publish_twice(database_url: str, nc: Client) -> None:
    """Publish, then "crash" before deleting the rows: the next pass re-sends them with
    the same Nats-Msg-Id, and JetStream's duplicate window drops the copies."""
    database = Database(DatabaseSettings(database_url, None, 2, 5000), "outbox-test")
    metrics = make_bus_metrics(make_registry())
    asset_id = new_id()
    async with database.unit_of_work() as session:
        await add_event(session, outbox, asset_event_subject(asset_id, "created"), asset_created(asset_id))
    # The crashed pass uses the engine and JetStream context the relay is given.
    engine, js = database.engine, nc.jetstream()

    class CrashingRelay(OutboxRelay):
        crashed = False

        async def relay_once(self) -> int:
            if not self.crashed:
                self.crashed = True
                async with engine.connect() as connection, connection.begin():
                    rows = (await connection.execute(select(outbox).where(outbox.c.subject.contains(asset_id)))).all()
                    for row in rows:
                        await js.publish(row.subject, row.payload, headers={h.MSG_ID: str(row.id)})
                    raise RuntimeError("crashed before the delete committed")
            return await super().relay_once()

    relay = CrashingRelay(engine, outbox, js, metrics)
    with contextlib.suppress(RuntimeError):
        await relay.relay_once()
    while await relay.relay_once():
        pass

    messages = await _events_for(nc, asset_event_subject(asset_id, "created"), expected=1)
    async with database.read_only() as session:
        left = (
            await session.execute(select(func.count()).select_from(outbox).where(outbox.c.subject.contains(asset_id)))
        ).scalar_one()
    await database.dispose()
    assert len(messages) == 1
    assert left == 0


async def test_relays_in_parallel_publish_each_row_once(own_database_url: str, nc: Client) -> None:
    """Several replicas relaying at once claim disjoint rows (FOR UPDATE SKIP LOCKED). A
    database of the test's own: the session stack's relay would claim rows too."""
    database = Database(DatabaseSettings(own_database_url, None, 8, 5000), "outbox-test")
    registry = make_registry()
    metrics = make_bus_metrics(registry)
    asset_ids = [new_id() for _ in range(60)]
    async with database.unit_of_work() as session:
        for asset_id in asset_ids:
            await add_event(session, outbox, asset_event_subject(asset_id, "created"), asset_created(asset_id))
    relays = [OutboxRelay(database.engine, outbox, nc.jetstream(), metrics, batch_size=7) for _ in range(4)]

    async def drain(relay: OutboxRelay) -> int:
        total = 0
        while sent := await relay.relay_once():
            total += sent
        return total

    sent = await asyncio.gather(*(drain(r) for r in relays))
    await database.dispose()
    assert sum(sent) >= len(asset_ids)  # other tests' rows may be relayed here too
    # Read as Prometheus exposes it: the counter the /metrics page shows.
    assert registry.get_sample_value("outbox_published_total") == sum(sent)
    for asset_id in asset_ids[:5]:
        assert len(await _events_for(nc, asset_event_subject(asset_id, "created"), expected=1, wait=1)) == 1


async def test_a_commit_during_a_relay_pass_does_not_wait_for_the_poll(own_database_url: str, nc: Client) -> None:
    """The wake-up of a commit that lands while a pass runs is kept: its row leaves with the
    next pass, not after the poll interval (which the relay's wake used to lose). A
    database of the test's own, so no other relay can publish the row."""
    database = Database(DatabaseSettings(own_database_url, None, 4, 5000), "outbox-test")
    asset_id = new_id()

    class Relay(OutboxRelay):
        passes = 0

        async def relay_once(self) -> int:
            sent = await super().relay_once()
            self.passes += 1
            if self.passes == 1:  # another unit of work commits as this pass ends
                async with database.unit_of_work() as session:
                    await add_event(session, outbox, asset_event_subject(asset_id, "created"), asset_created(asset_id))
            return sent

    relay = Relay(database.engine, outbox, nc.jetstream(), make_bus_metrics(make_registry()), poll_interval=60)
    database.on_commit(relay.after_commit)
    relay.start()
    try:
        messages = await _events_for(nc, asset_event_subject(asset_id, "created"), expected=1, wait=5)
    finally:
        await relay.stop(flush_timeout=1)
        await database.dispose()
    assert len(messages) == 1
