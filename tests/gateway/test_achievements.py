"""Achievements through the real stack: the catalogue, one's own, and awards from the
events the assets, generation and gateway services publish, each awarded once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import httpx
from nats.aio.client import Client

from assetforge.common.contracts.identity import ProfileCompleted, user_event_subject
from tests.gateway.achievements_support import (
    ASSET_CONSUMER,
    CATALOGUE,
    PROFILE_CONSUMER,
    announced,
    asset_arrives,
    awards,
    consumer_drained,
    earned_codes,
    insert_assets,
    pipeline_completed,
    publish,
    signed_in,
    wait_for_codes,
)
from tests.helpers import create_asset, scalar
from tests.privy import FakePrivy, bearer
from tests.support import wait_until

SHOWN = {"code", "name", "description", "icon", "points"}


async def test_the_catalogue_is_public_and_in_order(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/achievements")
    assert response.status_code == 200, response.text
    achievements = response.json()["achievements"]
    assert [a["code"] for a in achievements] == CATALOGUE
    assert all(set(a) == SHOWN for a in achievements)
    assert all(a["points"] > 0 and a["name"] and a["description"] and a["icon"] for a in achievements)
    assert (await gateway.get("/api/achievements/")).status_code == 200  # trailing slash accepted


async def test_ones_own_achievements_need_a_signed_in_user(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/achievements/me")
    assert response.status_code == 401
    assert response.json()["error"] == "UNAUTHORIZED"


async def test_a_new_user_has_none(gateway: httpx.AsyncClient, privy: FakePrivy, owner: str) -> None:
    headers, _ = await signed_in(gateway, privy, owner)
    response = await gateway.get("/api/achievements/me", headers=headers)
    assert response.json() == {"achievements": [], "totalPoints": 0}


async def test_the_first_asset_earns_first_asset_in_the_compatible_shape(
    gateway: httpx.AsyncClient, nc: Client, privy: FakePrivy, owner: str, database_url: str
) -> None:
    headers, user_id = await signed_in(gateway, privy, owner)
    await asset_arrives(nc, database_url, user_id)
    await wait_for_codes(gateway, headers, "first_asset")

    body = (await gateway.get("/api/achievements/me", headers=headers)).json()
    assert set(body) == {"achievements", "totalPoints"}
    [entry] = body["achievements"]
    assert set(entry) == {"achievement", "earnedAt", "progress"}
    assert set(entry["achievement"]) == SHOWN
    assert entry["achievement"]["code"] == "first_asset"
    assert entry["progress"] == 100
    assert datetime.fromisoformat(entry["earnedAt"]).tzinfo is not None
    assert body["totalPoints"] == entry["achievement"]["points"]

    # Another user's achievements are not the caller's.
    stranger, _ = await signed_in(gateway, privy, f"{owner}-stranger")
    assert await earned_codes(gateway, stranger) == []


async def test_completing_the_profile_earns_profile_complete(
    gateway: httpx.AsyncClient, nc: Client, privy: FakePrivy, owner: str, database_url: str
) -> None:
    headers, user_id = await signed_in(gateway, privy, owner)
    response = await gateway.post(
        "/api/users/complete-profile", headers=headers, json={"displayName": "Smith", "email": "smith@forge.example"}
    )
    assert response.status_code == 200, response.text
    earned = await wait_for_codes(gateway, headers, "profile_complete")
    # This user's place in sign-up order decides early_adopter (the first 1,000).
    number = await scalar(
        database_url,
        "SELECT count(*) FROM gateway.users WHERE (created_at, id) <= "
        "(SELECT created_at, id FROM gateway.users WHERE id = :u)",
        u=uuid.UUID(user_id),
    )
    assert ("early_adopter" in earned) == (number <= 1000)

    # Completing it again awards nothing new.
    again = await gateway.post(
        "/api/users/complete-profile", headers=headers, json={"displayName": "Smyth", "email": "smith@forge.example"}
    )
    assert again.status_code == 200
    subject = user_event_subject(user_id, "profile_completed")

    async def relayed() -> bool:
        waiting = await scalar(database_url, "SELECT count(*) FROM gateway.outbox WHERE subject = :s", s=subject)
        return int(waiting) == 0

    await wait_until(relayed)
    await consumer_drained(nc, PROFILE_CONSUMER)
    assert await awards(database_url, user_id, "profile_complete") == 1


async def test_early_adopter_is_for_the_first_thousand_to_sign_up(
    gateway: httpx.AsyncClient, nc: Client, privy: FakePrivy, owner: str
) -> None:
    early_headers, early = await signed_in(gateway, privy, f"{owner}-early")
    late_headers, late = await signed_in(gateway, privy, f"{owner}-late")
    now = datetime.now(tz=UTC)
    for user_id, number in ((early, 1000), (late, 1001)):
        event = ProfileCompleted(user_id=user_id, joined_at=now, signup_number=number, completed_at=now)
        await publish(nc, user_event_subject(user_id, "profile_completed"), event)

    assert set(await wait_for_codes(gateway, early_headers, "profile_complete", "early_adopter")) == {
        "profile_complete",
        "early_adopter",
    }
    assert await wait_for_codes(gateway, late_headers, "profile_complete") == ["profile_complete"]


async def test_generations_earn_first_generation_and_with_assets_power_user(
    gateway: httpx.AsyncClient, nc: Client, privy: FakePrivy, owner: str, database_url: str
) -> None:
    headers, user_id = await signed_in(gateway, privy, owner)
    await insert_assets(database_url, user_id, 25)  # no events: only the generations speak
    for _ in range(10):
        await publish(nc, *pipeline_completed(user_id))
    earned = await wait_for_codes(gateway, headers, "first_generation", "power_user")
    # Generations are judged with the assets the user has: the asset goals are caught up
    # with (the catalog makes an asset of each pipeline too, so 25 to 35 assets).
    assert set(earned) == {"first_generation", "power_user", "first_asset", "ten_assets"}
    assert await announced(nc, database_url, user_id) == 4


async def test_an_event_sent_again_awards_once(
    gateway: httpx.AsyncClient, nc: Client, privy: FakePrivy, owner: str, database_url: str
) -> None:
    headers, user_id = await signed_in(gateway, privy, owner)
    subject, event = await asset_arrives(nc, database_url, user_id)
    # Three more copies as new messages (the inbox cannot tell them apart from new events),
    # and three with one message id (JetStream's duplicate window drops all but the first).
    for _ in range(3):
        await publish(nc, subject, event)
    for _ in range(3):
        await publish(nc, subject, event, message_id=f"again-{event.asset_id}")
    await wait_for_codes(gateway, headers, "first_asset")
    await consumer_drained(nc, ASSET_CONSUMER)

    assert await awards(database_url, user_id) == 1
    assert await announced(nc, database_url, user_id) == 1


async def test_twenty_assets_created_at_once_award_each_goal_once(
    gateway: httpx.AsyncClient, nc: Client, privy: FakePrivy, owner: str, database_url: str
) -> None:
    headers, user_id = await signed_in(gateway, privy, owner)
    await asyncio.gather(*(create_asset(nc, user_id, name=f"blade {i}") for i in range(20)))
    await wait_for_codes(gateway, headers, "first_asset", "ten_assets")
    await consumer_drained(nc, ASSET_CONSUMER)

    assert await awards(database_url, user_id, "first_asset") == 1
    assert await awards(database_url, user_id, "ten_assets") == 1
    assert await awards(database_url, user_id) == 2  # fifty_assets is 30 assets away
    assert await announced(nc, database_url, user_id) == 2


async def test_the_gateway_records_awards_in_the_activity_log(
    gateway: httpx.AsyncClient, nc: Client, privy: FakePrivy, owner: str, database_url: str
) -> None:
    _, user_id = await signed_in(gateway, privy, owner)
    await asset_arrives(nc, database_url, user_id)
    admin = f"did:privy:admin-{uuid.uuid4().hex[:10]}"
    await scalar(
        database_url,
        "INSERT INTO gateway.users (id, privy_user_id, role) VALUES (:i, :s, 'admin') RETURNING 1",
        i=uuid.uuid4(),
        s=admin,
    )

    async def logged() -> list[dict[str, object]]:
        response = await gateway.get(
            "/api/admin/activity-log",
            headers=bearer(privy.token(admin)),
            params={"userId": user_id, "action": "achievement.awarded"},
        )
        assert response.status_code == 200, response.text
        logs: list[dict[str, object]] = response.json()["logs"]
        return logs

    [entry] = await wait_until(logged, timeout=15)
    assert entry["entityType"] == "achievement"
    assert entry["entityId"] == "first_asset"
    assert entry["details"] == {"name": "First Forge", "points": 10}
