"""What the achievement tests share: users, events sent as other services send them,
and counts of what was awarded and announced."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import msgspec
from nats.aio.client import Client

from assetforge.common.bus.streams import EVENTS
from assetforge.common.contracts.achievements import achievement_event_subject
from assetforge.common.contracts.assets import AssetCreated, asset_event_subject
from assetforge.common.contracts.generation import PipelineCompleted, pipeline_event_subject
from tests.helpers import asset_created, scalar
from tests.privy import FakePrivy, bearer
from tests.support import wait_until

CATALOGUE = [
    "first_asset",
    "first_generation",
    "profile_complete",
    "ten_assets",
    "fifty_assets",
    "hundred_assets",
    "early_adopter",
    "power_user",
]
ASSET_CONSUMER = "assets-achievements-asset-created"
PROFILE_CONSUMER = "assets-achievements-profile-completed"


async def signed_in(gateway: httpx.AsyncClient, privy: FakePrivy, subject: str) -> tuple[dict[str, str], str]:
    """A user's credentials and their gateway id (the id other services know them by)."""
    headers = bearer(privy.token(subject))
    response = await gateway.get("/api/users/me", headers=headers)
    assert response.status_code == 200, response.text
    return headers, response.json()["user"]["id"]


async def earned_codes(gateway: httpx.AsyncClient, headers: dict[str, str]) -> list[str]:
    response = await gateway.get("/api/achievements/me", headers=headers)
    assert response.status_code == 200, response.text
    return [entry["achievement"]["code"] for entry in response.json()["achievements"]]


async def wait_for_codes(gateway: httpx.AsyncClient, headers: dict[str, str], *codes: str) -> list[str]:
    async def arrived() -> list[str] | None:
        earned = await earned_codes(gateway, headers)
        return earned if set(codes) <= set(earned) else None

    found: list[str] = await wait_until(arrived, timeout=15)
    return found


async def awards(database_url: str, user_id: str, code: str | None = None) -> int:
    """Rows of user_achievements for the user (and code)."""
    sql = "SELECT count(*) FROM assets.user_achievements WHERE user_id = :u"
    if code is not None:
        sql += " AND code = :c"
    return int(await scalar(database_url, sql, u=user_id, c=code))


async def consumer_drained(nc: Client, durable: str) -> None:
    """Wait until a durable consumer has taken and acknowledged every event it was sent."""

    async def drained() -> bool:
        info = await nc.jetstream().consumer_info(EVENTS, durable)
        return info.num_pending == 0 and info.num_ack_pending == 0

    await wait_until(drained, timeout=30)


async def announced(nc: Client, database_url: str, user_id: str) -> int:
    """Award events for the user on the EVENTS stream, once the outbox has sent them all."""
    subject = achievement_event_subject(user_id, "awarded")

    async def relayed() -> bool:
        waiting = await scalar(database_url, "SELECT count(*) FROM assets.outbox WHERE subject = :s", s=subject)
        return int(waiting) == 0

    await wait_until(relayed, timeout=15)
    info = await nc.jetstream().stream_info(EVENTS, subjects_filter=subject)
    return sum((info.state.subjects or {}).values())


async def publish(nc: Client, subject: str, event: Any, *, message_id: str | None = None) -> None:
    """An event on the EVENTS stream as another service's outbox relay would send it."""
    body = event if isinstance(event, bytes) else msgspec.json.encode(event)
    headers = {"Nats-Msg-Id": message_id} if message_id else None
    await nc.jetstream().publish(subject, body, headers=headers)


async def insert_assets(database_url: str, owner_id: str, count: int, *, variants: bool = False) -> list[str]:
    """Assets straight into the catalog's table, with no events (tests that send their own)."""
    ids = [str(uuid.uuid4()) for _ in range(count)]
    for asset_id in ids:
        await scalar(
            database_url,
            "INSERT INTO assets.assets (id, name, type, owner_id, is_variant) "
            "VALUES (:i, 'anvil', 'prop', :o, :v) RETURNING 1",
            i=uuid.UUID(asset_id),
            o=owner_id,
            v=variants,
        )
    return ids


async def asset_arrives(nc: Client, database_url: str, owner_id: str) -> tuple[str, AssetCreated]:
    """An asset in the catalog and its creation event on the stream, as the catalog's
    outbox sends it; the subject and event, to send again."""
    [asset_id] = await insert_assets(database_url, owner_id, 1)
    subject, event = asset_event_subject(asset_id, "created"), asset_created(asset_id, owner_id=owner_id)
    await publish(nc, subject, event)
    return subject, event


def pipeline_completed(owner_id: str) -> tuple[str, PipelineCompleted]:
    """A completed pipeline's subject and event, as the generation service publishes them."""
    pipeline_id = str(uuid.uuid4())
    event = PipelineCompleted(
        pipeline_id=pipeline_id, owner_id=owner_id, name="forged relic", type="item", completed_at=datetime.now(tz=UTC)
    )
    return pipeline_event_subject(pipeline_id, "completed"), event
