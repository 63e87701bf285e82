"""One active world config per owner: activating another deactivates the previous one in
the same transaction, concurrent activations leave exactly one, and the partial unique
index refuses a second one whatever the code does."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from nats.aio.client import Client
from sqlalchemy.exc import IntegrityError

from tests.gateway.people import People, people_of
from tests.gateway.test_world_configs_support import BASE, create_config, history_of
from tests.helpers import scalar
from tests.privy import FakePrivy


@pytest.fixture
async def people(gateway: httpx.AsyncClient, privy: FakePrivy, database_url: str) -> People:
    return await people_of(gateway, privy, database_url)


async def _active_ids(database_url: str, owner_id: str) -> int:
    count = await scalar(
        database_url, "SELECT count(*) FROM assets.world_configs WHERE owner_id = :o AND is_active", o=owner_id
    )
    return int(count)


async def test_activating_another_config_deactivates_the_previous(gateway: httpx.AsyncClient, people: People) -> None:
    headers = people.alice.headers
    first, second = await create_config(gateway, people.alice), await create_config(gateway, people.alice)
    none = await gateway.get(f"{BASE}/active", headers=headers)
    assert none.status_code == 200
    assert none.json() == {"success": True, "config": None}

    activated = await gateway.post(f"{BASE}/{first['id']}/activate", headers=headers)
    assert activated.status_code == 200, activated.text
    assert (activated.json()["config"]["isActive"], activated.json()["config"]["version"]) == (True, 2)
    assert (await gateway.get(f"{BASE}/active", headers=headers)).json()["config"]["id"] == first["id"]
    again = await gateway.post(f"{BASE}/{first['id']}/activate", headers=headers)
    assert again.json()["config"]["version"] == 2  # already active: no change

    await gateway.post(f"{BASE}/{second['id']}/activate", headers=headers)
    assert (await gateway.get(f"{BASE}/active", headers=headers)).json()["config"]["id"] == second["id"]
    previous = (await gateway.get(f"{BASE}/{first['id']}", headers=headers)).json()["config"]
    assert (previous["isActive"], previous["version"]) == (False, 3)
    history = await history_of(gateway, people.alice, first["id"])
    assert [(h["version"], h["changeType"], h["changedFields"]) for h in history] == [
        (3, "deactivated", ["isActive"]),
        (2, "activated", ["isActive"]),
        (1, "created", history[-1]["changedFields"]),
    ]

    off = await gateway.put(f"{BASE}/{second['id']}", json={"isActive": False}, headers=headers)
    assert off.json()["config"]["isActive"] is False
    assert (await gateway.get(f"{BASE}/active", headers=headers)).json()["config"] is None
    on = await gateway.patch(f"{BASE}/{first['id']}", json={"isActive": True, "genre": "x"}, headers=headers)
    assert (on.json()["config"]["isActive"], on.json()["config"]["genre"]) == (True, "x")


async def test_concurrent_activations_leave_exactly_one_active(
    gateway: httpx.AsyncClient, people: People, database_url: str
) -> None:
    headers = people.alice.headers
    configs = [await create_config(gateway, people.alice, name=f"world {i}") for i in range(6)]
    for _ in range(3):
        replies = await asyncio.gather(*(gateway.post(f"{BASE}/{c['id']}/activate", headers=headers) for c in configs))
        assert [r.status_code for r in replies] == [200] * len(configs), [r.text for r in replies]
        assert await _active_ids(database_url, people.alice.id) == 1
        listed = (await gateway.get(BASE, headers=headers)).json()["configs"]
        active = [c["id"] for c in listed if c["isActive"]]
        assert len(active) == 1
        assert (await gateway.get(f"{BASE}/active", headers=headers)).json()["config"]["id"] == active[0]
    # Every change of every config is one version, counted without gaps or repeats.
    for config in configs:
        history = await history_of(gateway, people.alice, config["id"])
        current = (await gateway.get(f"{BASE}/{config['id']}", headers=headers)).json()["config"]
        assert [h["version"] for h in history] == list(range(current["version"], 0, -1))


async def test_concurrent_activations_by_the_owner_and_an_admin(
    gateway: httpx.AsyncClient, people: People, database_url: str
) -> None:
    first, second = await create_config(gateway, people.alice), await create_config(gateway, people.alice)
    await asyncio.gather(
        gateway.post(f"{BASE}/{first['id']}/activate", headers=people.alice.headers),
        gateway.post(f"{BASE}/{second['id']}/activate", headers=people.admin.headers),
    )
    assert await _active_ids(database_url, people.alice.id) == 1
    # The admin activated Alice's config, not one of their own.
    assert await _active_ids(database_url, people.admin.id) == 0


async def test_each_owner_has_an_active_config_of_their_own(gateway: httpx.AsyncClient, people: People) -> None:
    mine, theirs = await create_config(gateway, people.alice), await create_config(gateway, people.bob)
    await gateway.post(f"{BASE}/{mine['id']}/activate", headers=people.alice.headers)
    await gateway.post(f"{BASE}/{theirs['id']}/activate", headers=people.bob.headers)
    assert (await gateway.get(f"{BASE}/active", headers=people.alice.headers)).json()["config"]["id"] == mine["id"]
    assert (await gateway.get(f"{BASE}/active", headers=people.bob.headers)).json()["config"]["id"] == theirs["id"]


async def test_the_index_refuses_a_second_active_config(
    gateway: httpx.AsyncClient, people: People, database_url: str
) -> None:
    first, second = await create_config(gateway, people.alice), await create_config(gateway, people.alice)
    await gateway.post(f"{BASE}/{first['id']}/activate", headers=people.alice.headers)
    with pytest.raises(IntegrityError, match="uq_world_configs_one_active_per_owner"):
        await scalar(
            database_url, "UPDATE assets.world_configs SET is_active = true WHERE id = :i RETURNING 1", i=second["id"]
        )
    assert await _active_ids(database_url, people.alice.id) == 1


async def test_changes_are_announced_as_events(gateway: httpx.AsyncClient, people: People, nc: Client) -> None:
    first, second = await create_config(gateway, people.alice), await create_config(gateway, people.alice)
    await gateway.post(f"{BASE}/{first['id']}/activate", headers=people.alice.headers)
    expected = {
        f"evt.assets.world_config.{first['id']}.deactivated",
        f"evt.assets.world_config.{second['id']}.activated",
    }
    by_subject: dict[str, dict[str, object]] = {}
    subscription = await nc.subscribe("evt.assets.world_config.>", cb=None)
    try:
        await nc.flush()
        await gateway.post(f"{BASE}/{second['id']}/activate", headers=people.alice.headers)
        # The first activation's own event may still be on its way: only these two count.
        while not expected <= by_subject.keys():
            message = await subscription.next_msg(timeout=5)
            by_subject[message.subject] = json.loads(message.data)
    finally:
        await subscription.unsubscribe()
    deactivated = by_subject[f"evt.assets.world_config.{first['id']}.deactivated"]
    activated = by_subject[f"evt.assets.world_config.{second['id']}.activated"]
    assert (deactivated["isActive"], deactivated["version"], deactivated["ownerId"]) == (False, 3, people.alice.id)
    assert (activated["isActive"], activated["version"]) == (True, 2)
