"""Durable consumers apply each event exactly once, even when it is delivered twice."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import msgspec
import nats
import pytest
from nats.aio.client import Client
from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.bus.consumer import EventConsumer
from assetforge.common.bus.context import RequestContext
from assetforge.common.contracts import headers as h
from assetforge.common.contracts.assets import AssetCreated, asset_event_subject
from assetforge.common.devstack import EmbeddedNats
from assetforge.common.ids import new_id
from assetforge.common.runtime import ServiceParts, ServiceRuntime
from assetforge.gateway.models import inbox, outbox
from assetforge.gateway.service.activity import record_asset_created
from assetforge.gateway.settings import load_settings
from tests.helpers import activity_count, asset_created, scalar
from tests.support import service_env, wait_until


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A NATS of this test's own: on the session's, the session gateway's consumer would
    record the same event too, and the count of entries would depend on test order."""
    server = EmbeddedNats(tmp_path / "nats").start()
    yield server
    server.stop()


async def test_a_redelivered_event_has_no_second_effect(own_nats: EmbeddedNats, own_database_url: str) -> None:
    """Two replicas share a durable consumer. The first delivery outlives ack_wait, so
    JetStream hands the same message to the other replica while the first is still in
    its transaction; the inbox makes that copy a no-op."""
    environ = service_env(own_nats.url, own_database_url)
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
    nc = await nats.connect(own_nats.url)
    try:
        await nc.jetstream().publish(
            asset_event_subject(asset_id, "created"),
            msgspec.json.encode(asset_created(asset_id)),
            headers={h.MSG_ID: f"evt-{asset_id}"},
        )
        await wait_until(lambda: _positive(_duplicates(replicas, consumer.durable)), timeout=15)
    finally:
        await nc.close()
        for replica in replicas:
            await replica.stop()

    assert await activity_count(own_database_url, asset_id) == 1
    assert len(deliveries) == 1  # the copy stopped at the inbox, before the effect
    inbox_rows = await scalar(
        own_database_url, "SELECT count(*) FROM gateway.inbox WHERE message_id = :m", m=f"evt-{asset_id}"
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


def _duplicates(replicas: list[ServiceRuntime], durable: str) -> float:
    """Redeliveries the replicas' inboxes skipped, as their /metrics pages count them."""
    samples = [r.registry.get_sample_value("events_duplicate_total", {"consumer": durable}) for r in replicas]
    assert None not in samples, f"a replica does not count duplicates for {durable}"
    return sum(sample for sample in samples if sample is not None)
