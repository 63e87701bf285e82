"""Configs as documents: export and import round-trip byte for byte, clones, templates.

"Byte for byte", precisely: the body of ``GET /{id}/export`` (``{data, filename,
success}``) of a config imported from an export is the same bytes as that export. It
covers every member of ``data`` (the content: name, description, genre, tone, every
section with every member its items carry, settings, questConfig, itemsConfig, tags,
isTemplate, and formatVersion), their order, and the file name. What belongs to one
stored copy (id, ownerId, isActive, version, times) is not in ``data`` at all. A
document as first sent may differ from its first export only as JSONB keeps JSON: object
keys in its order, numbers without trailing zeros; after that, exports never change.
"""

from __future__ import annotations

import json

import httpx
import pytest

from tests.gateway.people import People, people_of
from tests.gateway.test_world_configs_support import BASE, create_config, fields_of, history_of
from tests.privy import FakePrivy

CONTENT = {
    "name": "Ærendal — the drowned realm",
    "description": 'Tides, salt and "quotes"',
    "genre": "fantasy",
    "tone": "grim",
    "races": [{"name": "Merfolk", "id": "merfolk", "traits": ["gills", "song"], "enabled": True, "lifespan": 1.50}],
    "factions": [
        {"id": "tide", "name": "Tide Court", "description": "", "alignment": "neutral", "allies": ["reef"]},
        {"id": "reef", "name": "Reef Guard", "alignment": "good", "rivals": []},
    ],
    "skills": [{"id": "swim", "name": "Swimming", "tier": 2, "prerequisites": []}],
    "settings": {"zeta": 1, "alpha": {"nested": [1, 2, {"deep": None}]}, "magicLevel": "high", "big": 12345678901234},
    "npcCategories": [{"id": "guard", "name": "Guards"}],
    "questConfig": {"difficulties": [{"id": "easy", "levelRange": {"min": 1, "max": 5}, "rewardMultiplier": 1.25}]},
    "itemsConfig": {"rarities": [{"id": "rare", "dropChance": 0.05}]},
    "tags": ["water", "dark"],
    "isTemplate": True,
}


@pytest.fixture
async def people(gateway: httpx.AsyncClient, privy: FakePrivy, database_url: str) -> People:
    return await people_of(gateway, privy, database_url)


async def _export(gateway: httpx.AsyncClient, headers: dict[str, str], config_id: str) -> httpx.Response:
    response = await gateway.get(f"{BASE}/{config_id}/export", headers=headers)
    assert response.status_code == 200, response.text
    return response


async def test_an_imported_export_exports_the_same_bytes(gateway: httpx.AsyncClient, people: People) -> None:
    original = await create_config(gateway, people.alice, **CONTENT)
    first = await _export(gateway, people.alice.headers, original["id"])
    exported = first.json()
    assert exported["success"] is True
    assert exported["filename"] == "world-config-rendal-the-drowned-realm.json"
    data = exported["data"]
    assert data["formatVersion"] == 1
    assert {k: v for k, v in data.items() if k != "formatVersion"} == CONTENT
    assert not {"id", "ownerId", "isActive", "version", "createdAt", "updatedAt"} & set(data)

    # Bob imports Alice's export: a config of his own, with a fresh id and version 1.
    imported = await gateway.post(f"{BASE}/import", json={"data": data}, headers=people.bob.headers)
    assert imported.status_code == 201, imported.text
    copy = imported.json()["config"]
    assert copy["id"] != original["id"]
    assert (copy["ownerId"], copy["version"], copy["isActive"]) == (people.bob.id, 1, False)
    assert (await history_of(gateway, people.bob, copy["id"]))[0]["changeType"] == "imported"

    second = await _export(gateway, people.bob.headers, copy["id"])
    assert second.content == first.content
    # And once more, from the export's raw bytes, as a file a user saved and uploads again.
    raw = b'{"data":' + json.dumps(json.loads(second.content)["data"]).encode() + b"}"
    again = await gateway.post(
        f"{BASE}/import", content=raw, headers={**people.alice.headers, "content-type": "application/json"}
    )
    third = await _export(gateway, people.alice.headers, again.json()["config"]["id"])
    assert third.content == first.content
    # The alias the original client calls answers the same.
    alias = await gateway.get(f"{BASE}/export/{original['id']}", headers=people.alice.headers)
    assert alias.content == first.content


async def test_an_import_ignores_what_belongs_to_a_stored_copy(gateway: httpx.AsyncClient, people: People) -> None:
    foreign = {"id": "x", "ownerId": "someone", "isActive": True, "version": 9, "name": "Imported", "genre": "sci-fi"}
    imported = await gateway.post(f"{BASE}/import", json={"data": foreign}, headers=people.alice.headers)
    assert imported.status_code == 201, imported.text
    config = imported.json()["config"]
    assert (config["name"], config["genre"], config["isActive"], config["version"]) == ("Imported", "sci-fi", False, 1)
    assert config["ownerId"] == people.alice.id


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"genre": "x"}, "data.name"),
        ({"name": "w", "factions": [{"name": "A", "alignment": "chaotic"}]}, "data.factions[0].alignment"),
        ({"name": "w", "formatVersion": 2}, "data.formatVersion"),
        ({"name": "w", "races": [{"name": 5}]}, "data.races[0].name"),
    ],
)
async def test_a_bad_import_names_the_field(
    gateway: httpx.AsyncClient, people: People, data: dict[str, object], field: str
) -> None:
    response = await gateway.post(f"{BASE}/import", json={"data": data}, headers=people.alice.headers)
    assert fields_of(response) == [field]


async def test_an_import_needs_a_document(gateway: httpx.AsyncClient, people: People) -> None:
    for body in ({}, {"data": [1]}, {"data": "text"}):
        response = await gateway.post(f"{BASE}/import", json=body, headers=people.alice.headers)
        assert fields_of(response) == ["data"], body


async def test_a_clone_copies_the_content_under_a_new_name(gateway: httpx.AsyncClient, people: People) -> None:
    source = await create_config(gateway, people.alice, **CONTENT)
    await gateway.post(f"{BASE}/{source['id']}/activate", headers=people.alice.headers)
    named = await gateway.post(
        f"{BASE}/clone", json={"sourceId": source["id"], "newName": "Second sea"}, headers=people.alice.headers
    )
    assert named.status_code == 201, named.text
    clone = named.json()["config"]
    assert clone["id"] != source["id"]
    assert (clone["name"], clone["isActive"], clone["version"]) == ("Second sea", False, 1)
    for member in ("races", "factions", "skills", "settings", "questConfig", "itemsConfig", "tags", "isTemplate"):
        assert clone[member] == CONTENT[member], member
    assert (await history_of(gateway, people.alice, clone["id"]))[0]["changeType"] == "cloned"

    default = await gateway.post(f"{BASE}/clone", json={"sourceId": source["id"]}, headers=people.alice.headers)
    assert default.json()["config"]["name"] == f"{CONTENT['name']} (copy)"
    # An admin's clone of Alice's config is the admin's own.
    by_admin = await gateway.post(f"{BASE}/clone", json={"sourceId": source["id"]}, headers=people.admin.headers)
    assert by_admin.json()["config"]["ownerId"] == people.admin.id
    assert fields_of(await gateway.post(f"{BASE}/clone", json={"sourceId": "nope"}, headers=people.alice.headers)) == [
        "sourceId"
    ]
    blank = await gateway.post(
        f"{BASE}/clone", json={"sourceId": source["id"], "newName": " "}, headers=people.alice.headers
    )
    assert fields_of(blank) == ["newName"]


async def test_templates_are_listed_and_make_new_configs(gateway: httpx.AsyncClient, people: People) -> None:
    template = await create_config(gateway, people.alice, **CONTENT)
    plain = await create_config(gateway, people.alice, name="not a template")
    for path in ("/templates", "/templates/list"):
        listed = await gateway.get(f"{BASE}{path}", headers=people.alice.headers)
        assert listed.status_code == 200, listed.text
        assert [t["id"] for t in listed.json()["templates"]] == [template["id"]]
        assert listed.json()["count"] == 1
    assert (await gateway.get(f"{BASE}/templates", headers=people.bob.headers)).json()["templates"] == []

    made = await gateway.post(
        f"{BASE}/from-template/{template['id']}",
        json={"name": "My sea", "tone": "hopeful"},
        headers=people.alice.headers,
    )
    assert made.status_code == 201, made.text
    config = made.json()["config"]
    assert (config["name"], config["tone"], config["genre"], config["isTemplate"]) == (
        "My sea",
        "hopeful",
        "fantasy",
        False,
    )
    assert config["races"] == CONTENT["races"]
    assert (await history_of(gateway, people.alice, config["id"]))[0]["changeType"] == "from_template"
    default = await gateway.post(f"{BASE}/from-template/{template['id']}", json={}, headers=people.alice.headers)
    assert default.json()["config"]["name"] == CONTENT["name"]

    assert (
        await gateway.post(f"{BASE}/from-template/{plain['id']}", json={}, headers=people.alice.headers)
    ).status_code == 404
    assert (
        await gateway.post(f"{BASE}/from-template/{template['id']}", json={}, headers=people.bob.headers)
    ).status_code == 404
    bad = {"factions": [{"name": "X", "alignment": "?"}]}
    response = await gateway.post(f"{BASE}/from-template/{template['id']}", json=bad, headers=people.alice.headers)
    assert fields_of(response) == ["factions[0].alignment"]
