"""Durable consumers apply each event exactly once, even when it is delivered twice."""

from __future__ import annotations

import asyncio

import msgspec
from nats.aio.client import Client
from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.bus.consumer import EventConsumer
from assetforge.common.bus.context import RequestContext
from assetforge.common.contracts import headers as h
from assetforge.common.contracts.assets import AssetCreated, asset_event_subject
from assetforge.common.ids import new_id
from assetforge.common.runtime import ServiceParts, ServiceRuntime
from assetforge.gateway.models import inbox, outbox
from assetforge.gateway.service.activity import record_asset_created
from assetforge.gateway.settings import load_settings
from tests.helpers import activity_count, asset_created, scalar
from tests.support import wait_until


async def test_a_redelivered_event_has_no_second_effect(environ: dict[str, str], database_url: str, nc: Client) -> None:
    """Two replicas share a durable consumer. The first delivery outlives ack_wait, so
    JetStream hands the same message to the other replica while the first is still in
    its transaction; the inbox makes that copy a no-op."""
    asset_id = new_id()
    deliveries: list[int] = []

    async def slow_first_time(event: AssetCreated, session: AsyncSession, context: RequestContext) -> None:
        deliveries.append(1)
        await record_asset_created(event, session, context)
        if len(deliveries) == 1:
            await asyncio.sleep(2.5)  # past ack_wait: the message is redelivered meanwhile

    consumer = EventConsumer(
        durable=f"test-redelivery-{asset_id[-8:]}",
        subject_filter=asset_event_subject(asset_id, "created"),
        event_type=AssetCreated,
        effect=slow_first_time,
        ack_wait_s=1.0,
    )
    settings = load_settings(environ)
    replicas = [
        ServiceRuntime(
            settings.runtime,
            settings.database,
            settings.nats,
            ServiceParts(outbox=outbox, inbox=inbox, consumers=[consumer], answers_ping=False),
        )
        for _ in range(2)
    ]
    for replica in replicas:
        await replica.start()
    try:
        await nc.jetstream().publish(
            asset_event_subject(asset_id, "created"),
            msgspec.json.encode(asset_created(asset_id)),
            headers={h.MSG_ID: f"evt-{asset_id}"},
        )
        counters = [r.metrics.events_duplicate.labels(consumer.durable) for r in replicas]
        await wait_until(lambda: _positive(sum(c._value.get() for c in counters)), timeout=15)  # type: ignore[attr-defined]
    finally:
        for replica in replicas:
            await replica.stop()

    assert await activity_count(database_url, asset_id) == 1
    assert len(deliveries) == 1  # the copy stopped at the inbox, before the effect
    inbox_rows = await scalar(
        database_url, "SELECT count(*) FROM gateway.inbox WHERE message_id = :m", m=f"evt-{asset_id}"
    )
    assert inbox_rows == 1


async def test_an_undecodable_event_is_dropped_not_retried(
    stack: dict[str, object], database_url: str, nc: Client
) -> None:
    asset_id = new_id()
    await nc.jetstream().publish(asset_event_subject(asset_id, "created"), b'{"assetId": 42}')
    good = new_id()
    await nc.jetstream().publish(asset_event_subject(good, "created"), msgspec.json.encode(asset_created(good)))
    # Processing continues past the poison message, and it never becomes an entry.
    await wait_until(lambda: activity_count(database_url, good), timeout=10)
    assert await activity_count(database_url, asset_id) == 0


async def _positive(value: float) -> bool:
    return value > 0
