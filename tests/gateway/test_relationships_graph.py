"""GET /api/relationships/graph/{entityId}: an entity and everything within two links of it,
over the caller's own links, with cycles walked once."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.gateway.people import People, people_of
from tests.privy import FakePrivy


@pytest.fixture
async def cast(gateway: httpx.AsyncClient, privy: FakePrivy, database_url: str) -> People:
    return await people_of(gateway, privy, database_url)


async def _link(
    gateway: httpx.AsyncClient, headers: dict[str, str], source: tuple[str, str], target: tuple[str, str], kind: str
) -> str:
    body = {
        "sourceType": source[0],
        "sourceId": source[1],
        "targetType": target[0],
        "targetId": target[1],
        "relationshipType": kind,
    }
    response = await gateway.post("/api/relationships", json=body, headers=headers)
    assert response.status_code == 201, response.text
    link_id: str = response.json()["relationship"]["id"]
    return link_id


async def test_the_graph_reaches_depth_two_exactly_and_walks_a_cycle_once(
    gateway: httpx.AsyncClient, cast: People
) -> None:
    def entity(kind: str) -> tuple[str, str]:
        return kind, str(uuid.uuid4())

    root, a, b, c = entity("npc"), entity("quest"), entity("location"), entity("lore")
    d, f = entity("npc"), entity("lore")
    me = cast.alice.headers
    root_a = await _link(gateway, me, root, a, "gives_quest")
    root_d = await _link(gateway, me, root, d, "ally_of")
    d_a = await _link(gateway, me, d, a, "mentions")  # a triangle: root, d, a
    a_b = await _link(gateway, me, a, b, "located_in")
    b_a = await _link(gateway, me, b, a, "part_of")  # a cycle back to depth 1
    await _link(gateway, me, b, c, "related_to")  # c is three links away
    await _link(gateway, me, c, f, "theme_for")  # f four
    await _link(gateway, cast.bob.headers, root, entity("npc"), "enemy_of")  # Bob's: not Alice's graph

    response = await gateway.get(f"/api/relationships/graph/{root[1]}", headers=me)
    assert response.status_code == 200, response.text
    graph = response.json()
    depths = {(n["type"], n["id"]): n["depth"] for n in graph["nodes"]}
    assert depths == {root: 0, a: 1, d: 1, b: 2}
    assert len(graph["nodes"]) == 4  # each node once, however many paths reach it
    assert {e["id"] for e in graph["edges"]} == {root_a, root_d, d_a, a_b, b_a}
    assert graph["truncated"] is False
    edge = next(e for e in graph["edges"] if e["id"] == root_a)
    assert edge == {
        "id": root_a,
        "source": root[1],
        "sourceType": "npc",
        "target": a[1],
        "targetType": "quest",
        "type": "gives_quest",
        "strength": 0.5,
    }
    assert [n["depth"] for n in graph["nodes"]] == sorted(n["depth"] for n in graph["nodes"])

    # From the far end, the same walk: links are followed both ways.
    from_c = (await gateway.get(f"/api/relationships/graph/{c[1]}", headers=me)).json()
    assert {(n["type"], n["id"]): n["depth"] for n in from_c["nodes"]} == {c: 0, b: 1, f: 1, a: 2}


async def test_an_entity_without_links_has_an_empty_graph(gateway: httpx.AsyncClient, cast: People) -> None:
    response = await gateway.get(f"/api/relationships/graph/{uuid.uuid4()}", headers=cast.alice.headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"nodes": [], "edges": [], "truncated": False}


async def test_an_admin_reads_another_users_graph_by_naming_them(gateway: httpx.AsyncClient, cast: People) -> None:
    npc, quest = ("npc", str(uuid.uuid4())), ("quest", str(uuid.uuid4()))
    link = await _link(gateway, cast.alice.headers, npc, quest, "gives_quest")
    url = f"/api/relationships/graph/{npc[1]}"
    assert (await gateway.get(url, headers=cast.admin.headers)).json()["edges"] == []  # the admin's own links
    named = await gateway.get(url, params={"ownerId": cast.alice.id}, headers=cast.admin.headers)
    assert [e["id"] for e in named.json()["edges"]] == [link]
    as_bob = await gateway.get(url, params={"ownerId": cast.alice.id}, headers=cast.bob.headers)
    assert as_bob.json()["edges"] == []


@pytest.mark.parametrize("entity_id", ["x" * 129, "-leading-dash", "a b"])
async def test_a_bad_entity_id_is_a_422_naming_it(gateway: httpx.AsyncClient, cast: People, entity_id: str) -> None:
    response = await gateway.get(f"/api/relationships/graph/{entity_id}", headers=cast.alice.headers)
    assert response.status_code == 422, response.text
    assert [f["field"] for f in response.json()["fields"]] == ["entity_id"]
