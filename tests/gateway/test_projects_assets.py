"""A project's assets and figures through the gateway, and the events its changes publish."""

from __future__ import annotations

import asyncio
from datetime import datetime

import httpx
import msgspec
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg

from tests.gateway.people import People, people_of
from tests.helpers import create_asset
from tests.privy import FakePrivy


@pytest.fixture
async def cast(gateway: httpx.AsyncClient, privy: FakePrivy, database_url: str) -> People:
    return await people_of(gateway, privy, database_url)


async def _project_id(gateway: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await gateway.post("/api/projects", json={"name": "Armoury"}, headers=headers)
    assert response.status_code == 201, response.text
    project_id: str = response.json()["project"]["id"]
    return project_id


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


async def test_a_project_lists_the_assets_its_caller_may_see_newest_first(
    gateway: httpx.AsyncClient, nc: Client, cast: People
) -> None:
    project_id = await _project_id(gateway, cast.alice.headers)
    own = [
        await create_asset(nc, cast.alice.id, name=f"sword {i}", projectId=project_id, visibility="private")
        for i in range(3)
    ]
    # An admin's private asset in Alice's project: the catalog shows it to admins only.
    hidden = await create_asset(nc, cast.admin.id, name="admin's", projectId=project_id, visibility="private")
    await create_asset(nc, cast.alice.id, name="not in it")
    url = f"/api/projects/{project_id}/assets"

    listed = await gateway.get(url, headers=cast.alice.headers)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["success"] is True
    assert body["nextCursor"] is None
    assert [a["id"] for a in body["assets"]] == [a["id"] for a in reversed(own)]
    assert all(a["projectId"] == project_id for a in body["assets"])

    as_admin = (await gateway.get(url, headers=cast.admin.headers)).json()["assets"]
    assert [a["id"] for a in as_admin] == [hidden["id"], *(a["id"] for a in reversed(own))]

    first = (await gateway.get(url, params={"limit": 2}, headers=cast.alice.headers)).json()
    assert [a["id"] for a in first["assets"]] == [own[2]["id"], own[1]["id"]]
    rest = await gateway.get(url, params={"limit": 2, "cursor": first["nextCursor"]}, headers=cast.alice.headers)
    assert [a["id"] for a in rest.json()["assets"]] == [own[0]["id"]]
    assert rest.json()["nextCursor"] is None
    bad = await gateway.get(url, params={"limit": 500}, headers=cast.alice.headers)
    assert (bad.status_code, bad.json()["fields"][0]["field"]) == (422, "limit")


async def test_stats_count_the_visible_assets_by_type_with_their_known_sizes(
    gateway: httpx.AsyncClient, nc: Client, cast: People
) -> None:
    project_id = await _project_id(gateway, cast.alice.headers)
    url = f"/api/projects/{project_id}/stats"
    empty = await gateway.get(url, headers=cast.alice.headers)
    assert empty.status_code == 200, empty.text
    project = (await gateway.get(f"/api/projects/{project_id}", headers=cast.alice.headers)).json()["project"]
    assert empty.json() == {
        "assetCount": 0,
        "assetsByType": {},
        "totalSizeBytes": 0,
        "lastModifiedAt": project["updatedAt"],
        "success": True,
    }

    made = [
        await create_asset(nc, cast.alice.id, type="weapon", projectId=project_id, metadata={"fileSize": 1000}),
        await create_asset(nc, cast.alice.id, type="weapon", projectId=project_id, metadata={"fileSize": 500}),
        # Sizes the catalog cannot read as bytes count as unknown.
        await create_asset(nc, cast.alice.id, type="armor", projectId=project_id, metadata={"fileSize": "big"}),
        await create_asset(nc, cast.alice.id, type="armor", projectId=project_id, visibility="private"),
    ]
    await create_asset(nc, cast.admin.id, type="prop", projectId=project_id, visibility="private")

    stats = (await gateway.get(url, headers=cast.alice.headers)).json()
    assert stats["assetCount"] == 4
    assert stats["assetsByType"] == {"weapon": 2, "armor": 2}
    assert stats["totalSizeBytes"] == 1500
    assert _when(stats["lastModifiedAt"]) == max(_when(a["updatedAt"]) for a in made)

    as_admin = (await gateway.get(url, headers=cast.admin.headers)).json()
    assert (as_admin["assetCount"], as_admin["assetsByType"]) == (5, {"weapon": 2, "armor": 2, "prop": 1})


async def test_every_change_publishes_its_event(gateway: httpx.AsyncClient, nc: Client, cast: People) -> None:
    received: list[Msg] = []

    async def keep(msg: Msg) -> None:
        received.append(msg)

    subscription = await nc.subscribe("evt.assets.project.*.*", cb=keep)
    try:
        project_id = await _project_id(gateway, cast.alice.headers)
        await create_asset(nc, cast.alice.id, projectId=project_id)
        url = f"/api/projects/{project_id}"
        await gateway.patch(url, json={"name": "Renamed"}, headers=cast.alice.headers)
        await gateway.post(f"{url}/archive", headers=cast.alice.headers)
        await gateway.post(f"{url}/restore", headers=cast.alice.headers)
        await gateway.delete(url, headers=cast.alice.headers)
        ours: list[Msg] = []
        for _ in range(100):
            ours = [m for m in received if m.subject.split(".")[3] == project_id]
            if len(ours) == 5:
                break
            await asyncio.sleep(0.05)
    finally:
        await subscription.unsubscribe()

    assert [m.subject.rsplit(".", 1)[1] for m in ours] == ["created", "updated", "archived", "restored", "deleted"]
    events = [msgspec.json.decode(m.data) for m in ours]
    assert {e["projectId"] for e in events} == {project_id}
    assert {e["ownerId"] for e in events} == {cast.alice.id}
    assert [e["isArchived"] for e in events] == [False, False, True, False, False]
    assert events[1]["name"] == "Renamed"
    assert events[4]["unassignedAssets"] == 1
    assert "unassignedAssets" not in events[0]
