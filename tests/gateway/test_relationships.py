"""Relationships through the gateway: links between any two entities, each user's own."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from nats.aio.client import Client

from tests.gateway.people import People, people_of
from tests.helpers import create_asset
from tests.privy import FakePrivy


@pytest.fixture
async def cast(gateway: httpx.AsyncClient, privy: FakePrivy, database_url: str) -> People:
    return await people_of(gateway, privy, database_url)


def _link(source: str, target: str, kind: str = "related_to", **fields: object) -> dict[str, object]:
    return {
        "sourceType": "npc",
        "sourceId": source,
        "targetType": "quest",
        "targetId": target,
        "relationshipType": kind,
        **fields,
    }


async def _create(gateway: httpx.AsyncClient, headers: dict[str, str], body: dict[str, object]) -> dict[str, object]:
    response = await gateway.post("/api/relationships", json=body, headers=headers)
    assert response.status_code == 201, response.text
    link: dict[str, object] = response.json()["relationship"]
    return link


async def test_a_link_is_created_read_listed_and_deleted(gateway: httpx.AsyncClient, cast: People) -> None:
    npc, quest = str(uuid.uuid4()), str(uuid.uuid4())
    created = await gateway.post(
        "/api/relationships", json=_link(npc, quest, "gives_quest", strength=0.8), headers=cast.alice.headers
    )
    assert created.status_code == 201, created.text
    assert created.json()["success"] is True
    link = created.json()["relationship"]
    assert link["ownerId"] == cast.alice.id
    assert (link["sourceType"], link["sourceId"], link["targetType"], link["targetId"]) == ("npc", npc, "quest", quest)
    assert (link["relationshipType"], link["strength"], link["metadata"]) == ("gives_quest", 0.8, {})

    url = f"/api/relationships/{link['id']}"
    assert (await gateway.get(url, headers=cast.alice.headers)).json() == {"relationship": link, "success": True}
    listed = (await gateway.get("/api/relationships", params={"sourceId": npc}, headers=cast.alice.headers)).json()
    assert listed == {"relationships": [link], "nextCursor": None, "success": True}

    deleted = await gateway.delete(url, headers=cast.alice.headers)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json() == {"id": link["id"], "success": True}
    assert (await gateway.get(url, headers=cast.alice.headers)).status_code == 404


async def test_the_default_strength_is_a_half(gateway: httpx.AsyncClient, cast: People) -> None:
    link = await _create(gateway, cast.alice.headers, _link("a1", "b1"))
    assert link["strength"] == 0.5


async def test_the_same_link_twice_is_a_conflict_but_another_users_is_not(
    gateway: httpx.AsyncClient, cast: People
) -> None:
    body = _link(str(uuid.uuid4()), str(uuid.uuid4()), "ally_of")
    await _create(gateway, cast.alice.headers, body)
    again = await gateway.post("/api/relationships", json={**body, "strength": 0.1}, headers=cast.alice.headers)
    assert again.status_code == 409, again.text
    assert again.json()["error"] == "CONFLICT"
    # Links are private: Bob's identical link neither collides with Alice's nor reveals it.
    await _create(gateway, cast.bob.headers, body)
    # Another kind of link between the same two is another link.
    await _create(gateway, cast.alice.headers, {**body, "relationshipType": "enemy_of"})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"relationshipType": "loves"}, "relationshipType"),
        ({"strength": 1.5}, "strength"),
        ({"strength": -0.1}, "strength"),
        ({"strength": "strong"}, "strength"),
        ({"sourceType": "NPC"}, "sourceType"),
        ({"targetType": ""}, "targetType"),
        ({"sourceId": "x" * 129}, "sourceId"),
        ({"targetId": "../etc"}, "targetId"),
        ({"metadata": [1]}, "metadata"),
        ({"metadata": {"k": "a\x00"}}, "metadata"),
        ({"targetType": "npc", "targetId": "same"}, "targetId"),
    ],
)
async def test_a_bad_field_is_a_422_naming_it(
    gateway: httpx.AsyncClient, cast: People, changes: dict[str, object], field: str
) -> None:
    body = {**_link("same", "other"), **changes}
    response = await gateway.post("/api/relationships", json=body, headers=cast.alice.headers)
    assert response.status_code == 422, response.text
    assert [f["field"] for f in response.json()["fields"]] == [field]


async def test_a_missing_field_is_a_422_naming_it(gateway: httpx.AsyncClient, cast: People) -> None:
    body = _link("a", "b")
    del body["relationshipType"]
    response = await gateway.post("/api/relationships", json=body, headers=cast.alice.headers)
    assert response.status_code == 422, response.text
    assert "`relationshipType`" in response.json()["fields"][0]["message"]


async def test_another_member_cannot_see_or_remove_a_link_and_an_admin_can(
    gateway: httpx.AsyncClient, cast: People
) -> None:
    link = await _create(gateway, cast.alice.headers, _link(str(uuid.uuid4()), str(uuid.uuid4())))
    url = f"/api/relationships/{link['id']}"
    assert (await gateway.get(url, headers=cast.bob.headers)).status_code == 404
    assert (await gateway.delete(url, headers=cast.bob.headers)).status_code == 404
    source = {"sourceId": link["sourceId"]}
    assert (await gateway.get("/api/relationships", params=source, headers=cast.bob.headers)).json()[
        "relationships"
    ] == []
    named = {**source, "ownerId": cast.alice.id}
    assert (await gateway.get("/api/relationships", params=named, headers=cast.bob.headers)).json()[
        "relationships"
    ] == []
    graph = await gateway.get(f"/api/relationships/graph/{link['sourceId']}", headers=cast.bob.headers)
    assert graph.json() == {"nodes": [], "edges": [], "truncated": False}

    as_admin = await gateway.get("/api/relationships", params=named, headers=cast.admin.headers)
    assert [r["id"] for r in as_admin.json()["relationships"]] == [link["id"]]
    assert (await gateway.get(url, headers=cast.admin.headers)).status_code == 200
    assert (await gateway.delete(url, headers=cast.admin.headers)).status_code == 200
    assert (await gateway.get(url, headers=cast.alice.headers)).status_code == 404


async def test_no_one_links_to_another_users_private_project_or_asset(
    gateway: httpx.AsyncClient, nc: Client, cast: People
) -> None:
    project = await gateway.post("/api/projects", json={"name": "secret"}, headers=cast.alice.headers)
    project_id = project.json()["project"]["id"]
    private = await create_asset(nc, cast.alice.id, visibility="private")
    public = await create_asset(nc, cast.alice.id, visibility="public")
    for body, field in [
        ({"sourceType": "project", "sourceId": project_id}, "sourceId"),
        ({"targetType": "asset", "targetId": private["id"]}, "targetId"),
        ({"targetType": "asset", "targetId": str(uuid.uuid4())}, "targetId"),
        ({"targetType": "asset", "targetId": "not-a-uuid"}, "targetId"),
    ]:
        response = await gateway.post("/api/relationships", json={**_link("n", "q"), **body}, headers=cast.bob.headers)
        assert response.status_code == 422, response.text
        assert [f["field"] for f in response.json()["fields"]] == [field]
    # A public asset is anyone's to link to; Alice links her own project.
    await _create(gateway, cast.bob.headers, {**_link("n", "q"), "targetType": "asset", "targetId": public["id"]})
    await _create(gateway, cast.alice.headers, {**_link("n", "q"), "sourceType": "project", "sourceId": project_id})


async def test_the_list_filters_and_pages(gateway: httpx.AsyncClient, cast: People) -> None:
    npc = str(uuid.uuid4())
    made = [await _create(gateway, cast.alice.headers, _link(npc, f"q{i}", "mentions")) for i in range(4)]
    other = await _create(gateway, cast.alice.headers, _link(npc, "q9", "requires"))
    await _create(gateway, cast.alice.headers, _link("someone-else", "q9", "requires"))

    by_target = (await gateway.get("/api/relationships", params={"targetId": "q9"}, headers=cast.alice.headers)).json()
    assert len(by_target["relationships"]) == 2
    params = {"sourceId": npc, "type": "requires", "sourceType": "npc", "targetType": "quest"}
    filtered = (await gateway.get("/api/relationships", params=params, headers=cast.alice.headers)).json()
    assert [r["id"] for r in filtered["relationships"]] == [other["id"]]

    seen: list[object] = []
    query: dict[str, object] = {"sourceId": npc, "type": "mentions", "limit": 3}
    while True:
        page = (await gateway.get("/api/relationships", params=query, headers=cast.alice.headers)).json()
        seen += [r["id"] for r in page["relationships"]]
        if page["nextCursor"] is None:
            break
        query = {**query, "cursor": page["nextCursor"]}
    assert seen == [r["id"] for r in reversed(made)]
    for params, field in [({"type": "loves"}, "type"), ({"limit": 0}, "limit"), ({"sourceType": "A B"}, "sourceType")]:
        response = await gateway.get("/api/relationships", params=params, headers=cast.alice.headers)
        assert (response.status_code, response.json()["fields"][0]["field"]) == (422, field)


async def test_deleting_a_project_removes_the_links_to_it(gateway: httpx.AsyncClient, cast: People) -> None:
    project = await gateway.post("/api/projects", json={"name": "linked"}, headers=cast.alice.headers)
    project_id = project.json()["project"]["id"]
    link = await _create(
        gateway, cast.alice.headers, {**_link("n", "q", "part_of"), "targetType": "project", "targetId": project_id}
    )
    assert (await gateway.delete(f"/api/projects/{project_id}", headers=cast.alice.headers)).status_code == 200
    assert (await gateway.get(f"/api/relationships/{link['id']}", headers=cast.alice.headers)).status_code == 404


async def test_deleting_an_asset_removes_the_links_to_it(gateway: httpx.AsyncClient, nc: Client, cast: People) -> None:
    asset = await create_asset(nc, cast.alice.id)
    to_asset = {**_link("n", "q", "mentions"), "targetType": "asset", "targetId": asset["id"]}
    mine = await _create(gateway, cast.alice.headers, to_asset)
    bobs = await _create(gateway, cast.bob.headers, to_asset)  # a public asset: Bob may link it too
    kept = await _create(gateway, cast.alice.headers, _link("n", "q", "mentions"))
    deleted = await gateway.delete(f"/api/assets/{asset['id']}", headers=cast.alice.headers)
    assert deleted.status_code == 200, deleted.text

    # The links go when the assets service consumes the asset's deleted event.
    gone = [(mine["id"], cast.alice.headers), (bobs["id"], cast.bob.headers)]
    for _ in range(100):
        statuses = [(await gateway.get(f"/api/relationships/{i}", headers=h)).status_code for i, h in gone]
        if statuses == [404, 404]:
            break
        await asyncio.sleep(0.05)
    assert statuses == [404, 404]
    assert (await gateway.get(f"/api/relationships/{kept['id']}", headers=cast.alice.headers)).status_code == 200
