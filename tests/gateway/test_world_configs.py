"""World configs through the gateway: the compatible shapes, privacy, changes counted as
versions with history rows, and validation naming the field."""

from __future__ import annotations

import httpx
import pytest

from tests.gateway.people import People, people_of
from tests.gateway.test_world_configs_support import BASE, create_config, fields_of, history_of
from tests.privy import FakePrivy

RICH = {
    "description": "A drowned kingdom",
    "genre": "fantasy",
    "tone": "grim",
    "races": [{"id": "merfolk", "name": "Merfolk", "description": "Sea people", "traits": ["gills"]}],
    "factions": [{"id": "tide", "name": "Tide Court", "description": "", "alignment": "neutral", "goals": ["rule"]}],
    "skills": [{"id": "swim", "name": "Swimming", "tier": 2}],
    "settings": {"magicLevel": "high"},
    "npcCategories": [{"id": "guard", "name": "Guards", "archetypes": ["sentry"]}],
    "questConfig": {"types": [{"id": "fetch", "name": "Fetch"}]},
    "itemsConfig": {"rarities": [{"id": "rare", "dropChance": 0.05}]},
    "tags": ["water", "dark"],
    "isTemplate": False,
}


@pytest.fixture
async def people(gateway: httpx.AsyncClient, privy: FakePrivy, database_url: str) -> People:
    return await people_of(gateway, privy, database_url)


async def test_only_a_name_is_needed_and_the_reply_is_the_original_shape(
    gateway: httpx.AsyncClient, people: People
) -> None:
    response = await gateway.post(BASE, json={"name": "Aldoria", "unknownField": 1}, headers=people.alice.headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["success"] is True
    config = body["config"]
    assert config["ownerId"] == people.alice.id
    assert (config["name"], config["isActive"], config["version"], config["isTemplate"]) == ("Aldoria", False, 1, False)
    assert config["races"] == config["factions"] == config["skills"] == config["npcCategories"] == []
    assert config["settings"] == config["questConfig"] == config["itemsConfig"] == {}
    assert "unknownField" not in config

    listed = await gateway.get(BASE, headers=people.alice.headers)
    assert listed.status_code == 200
    assert listed.json()["count"] == len(listed.json()["configs"]) == 1
    assert listed.json()["configs"][0]["id"] == config["id"]
    fetched = await gateway.get(f"{BASE}/{config['id']}/", headers=people.alice.headers)  # a trailing slash too
    assert fetched.status_code == 200, fetched.text
    assert fetched.json() == {"success": True, "config": config}


async def test_every_section_is_stored_and_returned_with_members_we_do_not_read(
    gateway: httpx.AsyncClient, people: People
) -> None:
    config = await create_config(gateway, people.alice, **RICH)
    for member, value in RICH.items():
        assert config[member] == value, member
    assert (await gateway.get(f"{BASE}/{config['id']}", headers=people.alice.headers)).json()["config"] == config


async def test_items_without_an_id_are_given_one(gateway: httpx.AsyncClient, people: People) -> None:
    config = await create_config(gateway, people.alice, races=[{"name": "Elves"}], skills=[{"name": "Archery"}])
    assert config["races"][0]["id"].startswith("race-")
    assert config["skills"][0]["id"].startswith("skill-")
    assert config["races"][0]["name"] == "Elves"


async def test_a_config_is_private_to_its_owner_and_open_to_admins(gateway: httpx.AsyncClient, people: People) -> None:
    config = await create_config(gateway, people.alice)
    url = f"{BASE}/{config['id']}"
    bob = people.bob.headers
    for method, path, body in [
        ("GET", url, None),
        ("PUT", url, {"name": "mine now"}),
        ("PATCH", url, {"name": "mine now"}),
        ("POST", f"{url}/activate", None),
        ("GET", f"{url}/export", None),
        ("GET", f"{url}/history", None),
        ("GET", f"{url}/validate", None),
        ("POST", f"{BASE}/clone", {"sourceId": config["id"]}),
        ("DELETE", url, None),
    ]:
        response = await gateway.request(method, path, json=body, headers=bob)
        assert response.status_code == 404, f"{method} {path}: {response.text}"  # as if it did not exist
    assert config["id"] not in [c["id"] for c in (await gateway.get(BASE, headers=bob)).json()["configs"]]
    assert (await gateway.get(url)).status_code == 401

    admin = people.admin.headers
    assert (await gateway.get(url, headers=admin)).status_code == 200
    everyone = (await gateway.get(BASE, headers=admin, params={"ownerId": people.alice.id})).json()["configs"]
    assert [c["id"] for c in everyone] == [config["id"]]
    changed = await gateway.patch(url, json={"genre": "noir"}, headers=admin)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["config"]["genre"], changed.json()["config"]["ownerId"]) == ("noir", people.alice.id)
    assert (await history_of(gateway, people.alice, config["id"]))[0]["changedBy"] == people.admin.id


async def test_put_and_patch_change_only_what_they_send_each_change_a_version(
    gateway: httpx.AsyncClient, people: People
) -> None:
    config = await create_config(gateway, people.alice, description="first")
    url = f"{BASE}/{config['id']}"
    headers = people.alice.headers

    patched = (await gateway.patch(url, json={"description": "second"}, headers=headers)).json()["config"]
    assert (patched["description"], patched["name"], patched["version"]) == ("second", "Aldoria", 2)
    races = [{"id": "orc", "name": "Orcs"}]
    put = (await gateway.put(url, json={"races": races, "tone": "epic"}, headers=headers)).json()["config"]
    assert (put["races"], put["tone"], put["description"], put["version"]) == (races, "epic", "second", 3)
    unchanged = (await gateway.put(url, json={"tone": "epic"}, headers=headers)).json()["config"]
    assert unchanged["version"] == 3  # nothing changed: no new version
    cleared = (await gateway.patch(url, json={"description": None}, headers=headers)).json()["config"]
    assert (cleared["description"], cleared["version"]) == (None, 4)

    history = await history_of(gateway, people.alice, config["id"])
    assert [h["version"] for h in history] == [4, 3, 2, 1]
    assert [h["changeType"] for h in history] == ["updated", "updated", "updated", "created"]
    assert [h["changedFields"] for h in history[:3]] == [["description"], ["tone", "races"], ["description"]]
    assert {h["changedBy"] for h in history} == {people.alice.id}
    assert all(h["configId"] == config["id"] for h in history)
    # Each row holds the whole config after its change: the one before is the previous row.
    assert [h["snapshot"]["description"] for h in history] == [None, "second", "second", "first"]
    assert history[1]["snapshot"]["races"] == races
    assert history[0]["snapshot"]["version"] == 4


async def test_history_pages_newest_first(gateway: httpx.AsyncClient, people: People) -> None:
    config = await create_config(gateway, people.alice)
    for genre in ("a", "b", "c", "d"):
        await gateway.patch(f"{BASE}/{config['id']}", json={"genre": genre}, headers=people.alice.headers)
    versions, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = await gateway.get(f"{BASE}/{config['id']}/history", params=params, headers=people.alice.headers)
        assert page.status_code == 200, page.text
        versions += [h["version"] for h in page.json()["history"]]
        cursor = page.json()["nextCursor"]
        if cursor is None:
            break
    assert versions == [5, 4, 3, 2, 1]
    bad = await gateway.get(f"{BASE}/{config['id']}/history", params={"cursor": "x"}, headers=people.alice.headers)
    assert fields_of(bad) == ["cursor"]


async def test_lists_page_newest_first_and_may_leave_templates_out(gateway: httpx.AsyncClient, people: People) -> None:
    made = [await create_config(gateway, people.bob, name=f"world {i}", isTemplate=i == 0) for i in range(3)]
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await gateway.get(BASE, params=params, headers=people.bob.headers)).json()
        assert page["count"] == len(page["configs"]) <= 2
        seen += [c["id"] for c in page["configs"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == [c["id"] for c in reversed(made)]
    no_templates = await gateway.get(BASE, params={"includeTemplates": "false"}, headers=people.bob.headers)
    assert [c["id"] for c in no_templates.json()["configs"]] == [made[2]["id"], made[1]["id"]]
    assert fields_of(await gateway.get(BASE, params={"cursor": "not-a-cursor"}, headers=people.bob.headers)) == [
        "cursor"
    ]
    assert fields_of(await gateway.get(BASE, params={"limit": 201}, headers=people.bob.headers)) == ["limit"]


async def test_delete_removes_the_config_and_its_history(gateway: httpx.AsyncClient, people: People) -> None:
    config = await create_config(gateway, people.alice)
    url = f"{BASE}/{config['id']}"
    deleted = await gateway.delete(url, headers=people.alice.headers)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["success"] is True
    assert (await gateway.get(url, headers=people.alice.headers)).status_code == 404
    assert (await gateway.get(f"{url}/history", headers=people.admin.headers)).status_code == 404
    assert (await gateway.delete(url, headers=people.alice.headers)).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 256}, "name"),
        ({}, "name"),
        ({"name": "w", "races": {"id": "x"}}, "races"),
        ({"name": "w", "races": [{"name": "a"}, 7]}, "races[1]"),
        ({"name": "w", "races": [{"id": "a", "name": "A"}, {"id": "a", "name": "B"}]}, "races[1].id"),
        ({"name": "w", "races": [{"id": "a"}]}, "races[0].name"),
        (
            {"name": "w", "factions": [{"name": "A", "alignment": "good"}] * 2 + [{"name": "C"}]},
            "factions[2].alignment",
        ),
        ({"name": "w", "factions": [{"name": "A", "alignment": "chaotic"}]}, "factions[0].alignment"),
        ({"name": "w", "skills": [{"name": "A", "tier": 11}]}, "skills[0].tier"),
        ({"name": "w", "tags": ["x" * 65]}, "tags[0]"),
        ({"name": "w", "isTemplate": "yes"}, "isTemplate"),
        ({"name": "w", "isTemplate": 0}, "isTemplate"),  # exactly a boolean, as documented
        ({"name": "w", "settings": []}, "settings"),
        ({"name": "w", "races": [{"name": "a\u0000b"}]}, "races"),
    ],
)
async def test_a_bad_value_is_a_422_naming_the_field(
    gateway: httpx.AsyncClient, people: People, body: dict[str, object], field: str
) -> None:
    response = await gateway.post(BASE, json=body, headers=people.alice.headers)
    assert fields_of(response) == [field]


async def test_a_bad_change_is_a_422_naming_the_field(gateway: httpx.AsyncClient, people: People) -> None:
    config = await create_config(gateway, people.alice)
    url = f"{BASE}/{config['id']}"
    headers = people.alice.headers
    assert fields_of(await gateway.patch(url, json={"name": " "}, headers=headers)) == ["name"]
    bad_faction = {"factions": [{"name": "A", "alignment": "good"}, {"name": "B", "alignment": 3}]}
    assert fields_of(await gateway.put(url, json=bad_faction, headers=headers)) == ["factions[1].alignment"]
    assert fields_of(await gateway.put(url, json={"isActive": "on"}, headers=headers)) == ["isActive"]
    assert (await gateway.get(url, headers=headers)).json()["config"]["version"] == 1  # nothing was written


async def test_validate_reports_every_problem_by_its_path(gateway: httpx.AsyncClient, people: People) -> None:
    document = {
        "name": "",
        "factions": [
            {"id": "a", "name": "A", "alignment": "good", "allies": ["b", "nobody"]},
            {"id": "b", "name": "B", "alignment": "good"},
            {"id": "c", "name": "C", "alignment": "lawful"},
        ],
        "skills": [{"id": "s", "name": "S", "prerequisites": ["missing"]}],
        "races": "elves",
    }
    response = await gateway.post(f"{BASE}/validate", json=document, headers=people.alice.headers)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["valid"] is False
    assert {e["field"] for e in report["errors"]} == {"name", "factions[2].alignment", "races"}
    assert {w["field"] for w in report["warnings"]} == {"factions[0].allies[1]", "skills[0].prerequisites[0]"}

    valid = await gateway.post(f"{BASE}/validate", json={"name": "fine", **RICH}, headers=people.alice.headers)
    assert valid.json() == {"valid": True, "errors": [], "warnings": []}
    config = await create_config(gateway, people.alice, **RICH)
    stored = await gateway.get(f"{BASE}/{config['id']}/validate", headers=people.alice.headers)
    assert stored.json()["valid"] is True
    assert (await gateway.post(f"{BASE}/validate", json={"name": "x"})).status_code == 401
