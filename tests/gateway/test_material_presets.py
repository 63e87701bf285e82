"""Material presets through the gateway: the seeded system catalogue (public, read-only,
admins included), custom presets private to their owner, and validation naming the field."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy.exc import IntegrityError

from tests.gateway.people import People, people_of
from tests.gateway.test_world_configs_support import fields_of
from tests.helpers import scalar
from tests.privy import FakePrivy

BASE = "/api/material-presets"
ORIGINAL = {  # the original server's presets: ids, categories and tiers kept
    "bronze": ("metal", 1),
    "steel": ("metal", 2),
    "mithril": ("metal", 3),
    "wood": ("wood", 1),
    "oak": ("wood", 2),
    "willow": ("wood", 3),
    "leather": ("leather", 1),
    "hard-leather": ("leather", 2),
    "studded-leather": ("leather", 3),
}
FIELDS = {"id", "name", "displayName", "category", "tier", "color", "stylePrompt", "isSystem"}
CUSTOM = {"displayName": "Frost Iron", "stylePrompt": "pale blue iron rimed with frost", "category": "metal", "tier": 4}


@pytest.fixture
async def people(gateway: httpx.AsyncClient, privy: FakePrivy, database_url: str) -> People:
    return await people_of(gateway, privy, database_url)


async def _ids(gateway: httpx.AsyncClient, headers: dict[str, str] | None = None, **params: str) -> list[str]:
    response = await gateway.get(BASE, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [p["id"] for p in response.json()]


async def test_the_system_catalogue_is_seeded_and_public(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get(BASE)  # no credentials
    assert response.status_code == 200
    presets = response.json()
    assert isinstance(presets, list)  # a bare array, as the original frontend reads it
    by_id = {p["id"]: p for p in presets}
    for preset_id, (category, tier) in ORIGINAL.items():
        assert (by_id[preset_id]["category"], by_id[preset_id]["tier"]) == (category, tier), preset_id
    assert {"iron", "adamant", "rune", "maple", "yew", "diamond"} <= set(by_id)
    assert by_id["mithril"]["displayName"] == "Mithril"
    assert by_id["hard-leather"]["name"] == "hard-leather"
    for preset in presets:
        assert set(preset) == FIELDS
        assert preset["isSystem"] is True
        assert 1 <= preset["tier"] <= 5
        assert re.fullmatch(r"#[0-9A-F]{6}", preset["color"])
        assert preset["stylePrompt"].strip()
    assert {p["category"] for p in presets} == {"metal", "wood", "leather", "gem"}
    metals = [p for p in presets if p["category"] == "metal"]
    assert [p["tier"] for p in metals] == sorted(p["tier"] for p in metals)


async def test_the_category_filter(gateway: httpx.AsyncClient, people: People) -> None:
    metal = (await gateway.get(BASE, params={"category": "metal"})).json()
    assert {p["category"] for p in metal} == {"metal"}
    assert {"bronze", "steel", "mithril"} <= {p["id"] for p in metal}
    assert await _ids(gateway, category="unheard-of") == []
    mine = (await gateway.post(f"{BASE}/custom", json=CUSTOM, headers=people.alice.headers)).json()
    assert mine["id"] in await _ids(gateway, people.alice.headers, category="metal")
    assert mine["id"] not in await _ids(gateway, people.alice.headers, category="wood")
    assert fields_of(await gateway.get(BASE, params={"category": "Not A Category"})) == ["category"]


async def test_a_custom_preset_is_its_owners(gateway: httpx.AsyncClient, people: People) -> None:
    created = await gateway.post(f"{BASE}/custom", json={**CUSTOM, "unknown": 1}, headers=people.alice.headers)
    assert created.status_code == 201, created.text
    preset = created.json()
    assert set(preset) == FIELDS
    assert re.fullmatch(r"custom-[0-9a-f]{32}", preset["id"])  # never a system id
    assert (preset["name"], preset["color"], preset["isSystem"]) == ("frost-iron", "#808080", False)

    assert preset["id"] in await _ids(gateway, people.alice.headers)
    assert preset["id"] not in await _ids(gateway, people.bob.headers)
    assert preset["id"] not in await _ids(gateway)
    assert preset["id"] not in await _ids(gateway, people.bob.headers, ownerId=people.alice.id)  # members: own only
    assert preset["id"] not in await _ids(gateway, people.admin.headers)
    assert preset["id"] in await _ids(gateway, people.admin.headers, ownerId=people.alice.id)

    url = f"{BASE}/{preset['id']}"
    assert (await gateway.put(url, json={"tier": 5}, headers=people.bob.headers)).status_code == 404
    assert (await gateway.delete(url, headers=people.bob.headers)).status_code == 404
    assert (await gateway.put(url, json={"tier": 5})).status_code == 401

    changed = await gateway.put(url, json={"tier": 5, "color": "#112233"}, headers=people.alice.headers)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["tier"], changed.json()["color"], changed.json()["displayName"]) == (
        5,
        "#112233",
        "Frost Iron",
    )
    by_admin = await gateway.put(url, json={"displayName": "Rime Iron"}, headers=people.admin.headers)
    assert by_admin.json()["displayName"] == "Rime Iron"

    deleted = await gateway.delete(url, headers=people.alice.headers)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["success"] is True
    assert preset["id"] not in await _ids(gateway, people.alice.headers)
    assert (await gateway.delete(url, headers=people.alice.headers)).status_code == 404


async def test_an_admin_deletes_a_members_custom_preset(gateway: httpx.AsyncClient, people: People) -> None:
    preset = (await gateway.post(f"{BASE}/custom", json=CUSTOM, headers=people.bob.headers)).json()
    assert (await gateway.delete(f"{BASE}/{preset['id']}", headers=people.admin.headers)).status_code == 200
    assert preset["id"] not in await _ids(gateway, people.bob.headers)


async def test_system_presets_are_read_only_for_everyone(gateway: httpx.AsyncClient, people: People) -> None:
    """403, not 404: a system preset is public, so there is no id to hide; admins too,
    since the catalogue is the migrations' (see the service)."""
    before = (await gateway.get(BASE, params={"category": "metal"})).json()
    for person in (people.alice, people.admin):
        for response in (
            await gateway.put(f"{BASE}/bronze", json={"tier": 5}, headers=person.headers),
            await gateway.delete(f"{BASE}/steel", headers=person.headers),
        ):
            assert response.status_code == 403, response.text
            assert response.json()["error"] == "FORBIDDEN"
    assert (await gateway.put(f"{BASE}/bronze", json={"tier": 5})).status_code == 401
    assert (await gateway.get(BASE, params={"category": "metal"})).json() == before
    assert (
        await gateway.put(f"{BASE}/no-such-preset", json={"tier": 2}, headers=people.alice.headers)
    ).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**CUSTOM, "color": "red"}, "color"),
        ({**CUSTOM, "tier": 11}, "tier"),
        ({**CUSTOM, "tier": "high"}, "tier"),
        ({"displayName": "X"}, "stylePrompt"),
        ({**CUSTOM, "tier": "4"}, "tier"),  # exactly an integer, as documented
        ({"stylePrompt": "a texture"}, "displayName"),
        ({**CUSTOM, "displayName": "  "}, "displayName"),
        ({**CUSTOM, "category": "Metal!"}, "category"),
        ({**CUSTOM, "stylePrompt": "x" * 1001}, "stylePrompt"),
    ],
)
async def test_a_bad_preset_is_a_422_naming_the_field(
    gateway: httpx.AsyncClient, people: People, body: dict[str, object], field: str
) -> None:
    assert fields_of(await gateway.post(f"{BASE}/custom", json=body, headers=people.alice.headers)) == [field]


async def test_a_bad_change_is_a_422_naming_the_field(gateway: httpx.AsyncClient, people: People) -> None:
    preset = (await gateway.post(f"{BASE}/custom", json=CUSTOM, headers=people.alice.headers)).json()
    url = f"{BASE}/{preset['id']}"
    assert fields_of(await gateway.put(url, json={"tier": 0}, headers=people.alice.headers)) == ["tier"]
    assert fields_of(await gateway.put(url, json={"name": " "}, headers=people.alice.headers)) == ["name"]
    assert fields_of(await gateway.put(f"{BASE}/Not_An_Id", json={}, headers=people.alice.headers)) == ["preset_id"]


async def test_a_member_keeps_a_bounded_number_of_custom_presets(
    gateway: httpx.AsyncClient, people: People, database_url: str
) -> None:
    inserted = await scalar(
        database_url,
        "WITH made AS (INSERT INTO assets.material_presets"
        " (id, name, display_name, category, tier, color, style_prompt, owner_id)"
        " SELECT 'custom-bulk-' || n || '-' || :o, 'bulk', 'Bulk', 'custom', 1, '#000000', 'bulk', :o"
        " FROM generate_series(1, 100) AS n RETURNING 1) SELECT count(*) FROM made",
        o=people.bob.id,
    )
    assert inserted == 100
    refused = await gateway.post(f"{BASE}/custom", json=CUSTOM, headers=people.bob.headers)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "CONFLICT"
    system = len(await _ids(gateway))
    assert len(await _ids(gateway, people.bob.headers)) == system + 100  # the array stays bounded


async def test_the_database_keeps_custom_ids_apart_from_system_ones(database_url: str, people: People) -> None:
    with pytest.raises(IntegrityError, match="ck_material_presets_system_or_owned"):
        await scalar(
            database_url,
            "INSERT INTO assets.material_presets (id, name, display_name, category, tier, color, style_prompt,"
            " owner_id) VALUES ('gold', 'gold', 'Gold', 'metal', 2, '#FFD700', 'gold', :o) RETURNING 1",
            o=people.alice.id,
        )
