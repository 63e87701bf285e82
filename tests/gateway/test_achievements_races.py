"""Achievements under concurrency: events of one user judged side by side, as replicas
of the assets service do, each in its own transaction with its inbox row.

The stack's single consumer takes events one at a time; here the consumer's own steps
(claim the message in the inbox, apply the effect, commit) run concurrently on the
assets service's real database, so the per-user lock and the unique key are what keep
the count right.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from nats.aio.client import Client

from assetforge.assets.handlers.achievements import CONSUMERS
from assetforge.assets.models import inbox
from assetforge.common.bus.consumer import EventConsumer
from assetforge.common.bus.context import RequestContext
from assetforge.common.bus.inbox import claim
from assetforge.common.contracts.identity import ProfileCompleted
from assetforge.common.db import Database
from tests.gateway.achievements_support import announced, awards, insert_assets, pipeline_completed
from tests.helpers import asset_created
from tests.support import RunningService

CONTEXT = RequestContext(request_id="race")


def _consumer(durable_suffix: str) -> EventConsumer:
    return next(c for c in CONSUMERS if c.durable.endswith(durable_suffix))


def _deliver(database: Database, consumer: EventConsumer) -> Callable[[Any, str], Awaitable[bool]]:
    """What the durable consumer does with one delivery: inbox row and effect, one commit."""

    async def deliver(event: Any, message_id: str) -> bool:
        async with database.unit_of_work() as session:
            if not await claim(session, inbox, consumer.durable, message_id):
                return False
            await consumer.effect(event, session, CONTEXT)
            return True

    return deliver


async def test_twenty_concurrent_asset_events_award_each_goal_once(
    stack: dict[str, RunningService], nc: Client, database_url: str
) -> None:
    user_id = str(uuid.uuid4())
    await insert_assets(database_url, user_id, 20)
    deliver = _deliver(stack["assets"].runtime.database, _consumer("asset-created"))

    applied = await asyncio.gather(
        *(deliver(asset_created(str(uuid.uuid4()), owner_id=user_id), f"race-{uuid.uuid4()}") for _ in range(20))
    )

    assert all(applied)
    assert await awards(database_url, user_id, "first_asset") == 1
    assert await awards(database_url, user_id, "ten_assets") == 1
    assert await awards(database_url, user_id) == 2
    assert await announced(nc, database_url, user_id) == 2


async def test_texture_variants_are_not_counted_as_assets(stack: dict[str, RunningService], database_url: str) -> None:
    user_id = str(uuid.uuid4())
    await insert_assets(database_url, user_id, 9)
    [variant] = await insert_assets(database_url, user_id, 1, variants=True)
    deliver = _deliver(stack["assets"].runtime.database, _consumer("asset-created"))
    assert await deliver(asset_created(variant, owner_id=user_id), f"v-{variant}")
    assert await awards(database_url, user_id, "ten_assets") == 0
    assert await awards(database_url, user_id, "first_asset") == 1


async def test_one_event_delivered_three_times_at_once_applies_once(
    stack: dict[str, RunningService], nc: Client, database_url: str
) -> None:
    user_id = str(uuid.uuid4())
    await insert_assets(database_url, user_id, 1)
    deliver = _deliver(stack["assets"].runtime.database, _consumer("asset-created"))
    event = asset_created(str(uuid.uuid4()), owner_id=user_id)

    applied = await asyncio.gather(*(deliver(event, f"same-{event.asset_id}") for _ in range(3)))

    assert sorted(applied) == [False, False, True]  # the inbox took the copies
    assert await awards(database_url, user_id) == 1
    assert await announced(nc, database_url, user_id) == 1


async def test_a_two_part_goal_is_not_missed_when_both_parts_arrive_at_once(
    stack: dict[str, RunningService], nc: Client, database_url: str
) -> None:
    """power_user (25 assets and 10 generations). The tenth generation is judged while the
    25th asset is not yet in the catalog, and its transaction is held open; then the 25th
    asset's event is judged. Without the per-user lock the second judge would read the
    generations as nine (the first has not committed) and neither would award it."""
    user_id = str(uuid.uuid4())
    database = stack["assets"].runtime.database
    on_asset = _deliver(database, _consumer("asset-created"))
    generations = _consumer("pipeline-completed")
    on_generation = _deliver(database, generations)
    await insert_assets(database_url, user_id, 24)
    for _ in range(9):
        assert await on_generation(pipeline_completed(user_id)[1], f"gen-{uuid.uuid4()}")
    judged, release = asyncio.Event(), asyncio.Event()

    async def tenth_generation_held_open() -> None:
        async with database.unit_of_work() as session:
            assert await claim(session, inbox, generations.durable, f"gen-{uuid.uuid4()}")
            await generations.effect(pipeline_completed(user_id)[1], session, CONTEXT)
            judged.set()
            await release.wait()

    held = asyncio.create_task(tenth_generation_held_open())
    await judged.wait()
    [asset_id] = await insert_assets(database_url, user_id, 1)
    asset_judged = asyncio.create_task(on_asset(asset_created(asset_id, owner_id=user_id), f"a-{asset_id}"))
    await asyncio.sleep(0.5)  # the asset's judge reads now, or waits for the lock
    release.set()
    await held
    assert await asset_judged

    assert await awards(database_url, user_id, "power_user") == 1
    # first_asset, ten_assets, first_generation, power_user
    assert await announced(nc, database_url, user_id) == 4


async def test_a_profile_event_records_the_sign_up_order(stack: dict[str, RunningService], database_url: str) -> None:
    user_id = str(uuid.uuid4())
    deliver = _deliver(stack["assets"].runtime.database, _consumer("profile-completed"))
    now = datetime.now(tz=UTC)
    event = ProfileCompleted(user_id=user_id, joined_at=now, signup_number=7, completed_at=now)
    assert all(await asyncio.gather(*(deliver(event, f"p-{uuid.uuid4()}") for _ in range(5))))
    assert await awards(database_url, user_id, "profile_complete") == 1
    assert await awards(database_url, user_id, "early_adopter") == 1
