"""Changing assets: only the owner or an admin, a 422 naming the field for a bad value,
unknown fields ignored, metadata merged with the original frontend's mirrored keys, and
bulk updates that answer for every id without telling anything about others' assets."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.gateway.people import People, people_of
from tests.gateway.test_assets_support import eventually, new_asset
from tests.helpers import scalar
from tests.privy import FakePrivy


@pytest.fixture
async def people(gateway: httpx.AsyncClient, privy: FakePrivy, database_url: str) -> People:
    return await people_of(gateway, privy, database_url)


async def test_the_owner_changes_their_asset(gateway: httpx.AsyncClient, people: People) -> None:
    asset = await new_asset(gateway, people.alice, description="old")
    changes = {
        "name": "Renamed",
        "description": None,
        "type": "armor",
        "tier": 3,
        "category": "melee",
        "status": "approved",
        "visibility": "private",
        "isFavorite": True,
        "notes": "n" * 5000,
        "tags": ["a", "b"],
    }
    response = await gateway.patch(f"/api/assets/{asset['id']}", json=changes, headers=people.alice.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    for name, value in changes.items():
        assert body[name] == value, name
    assert body["metadata"]["tier"] == "3"
    assert body["metadata"]["status"] == "approved"
    assert body["metadata"]["isFavorite"] is True
    assert body["updatedAt"] > asset["updatedAt"]
    fetched = await gateway.get(f"/api/assets/{asset['id']}", headers=people.alice.headers)
    assert fetched.json() == body


async def test_only_the_owner_or_an_admin_changes_or_deletes(gateway: httpx.AsyncClient, people: People) -> None:
    public = await new_asset(gateway, people.alice)
    private = await new_asset(gateway, people.alice, visibility="private")
    bob = people.bob.headers

    # Bob sees the public one, so he is told he may not; the private one does not exist for him.
    assert (await gateway.patch(f"/api/assets/{public['id']}", json={"name": "mine"}, headers=bob)).status_code == 403
    assert (await gateway.delete(f"/api/assets/{public['id']}", headers=bob)).status_code == 403
    assert (await gateway.patch(f"/api/assets/{private['id']}", json={"name": "x"}, headers=bob)).status_code == 404
    assert (await gateway.delete(f"/api/assets/{private['id']}", headers=bob)).status_code == 404
    assert (await gateway.patch(f"/api/assets/{public['id']}", json={"name": "x"})).status_code == 401
    assert (await gateway.delete(f"/api/assets/{public['id']}")).status_code == 401
    unchanged = await gateway.get(f"/api/assets/{public['id']}")
    assert unchanged.json()["name"] == public["name"]

    admin = people.admin.headers
    changed = await gateway.patch(f"/api/assets/{private['id']}", json={"name": "by admin"}, headers=admin)
    assert changed.status_code == 200, changed.text
    assert changed.json()["ownerId"] == people.alice.id
    deleted = await gateway.delete(f"/api/assets/{private['id']}", headers=admin)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json() == {"success": True, "deleted": [private["id"]]}
    assert (await gateway.get(f"/api/assets/{private['id']}", headers=admin)).status_code == 404

    own = await gateway.delete(f"/api/assets/{public['id']}", headers=people.alice.headers)
    assert own.status_code == 200
    assert (await gateway.delete(f"/api/assets/{public['id']}", headers=people.alice.headers)).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"tier": 0}, "tier"),
        ({"tier": 6}, "tier"),
        ({"tier": "high"}, "tier"),
        ({"notes": "n" * 5001}, "notes"),
        ({"type": "spaceship"}, "type"),
        ({"visibility": "friends"}, "visibility"),
        ({"status": "lost"}, "status"),
        ({"name": ""}, "name"),
        ({"isFavorite": "yes"}, "isFavorite"),
        ({"tags": "one"}, "tags"),
        ({"metadata": {"tier": 9}}, "metadata.tier"),
        ({"metadata": {"tier": "x"}}, "metadata.tier"),
        ({"metadata": {"status": "lost"}}, "metadata.status"),
        ({"metadata": {"isFavorite": "yes"}}, "metadata.isFavorite"),
        ({"metadata": {"note": "a\u0000b"}}, "metadata"),
    ],
)
async def test_a_bad_value_is_a_422_naming_the_field(
    gateway: httpx.AsyncClient, people: People, changes: dict[str, Any], field: str
) -> None:
    asset = await new_asset(gateway, people.alice)
    response = await gateway.patch(f"/api/assets/{asset['id']}", json=changes, headers=people.alice.headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "VALIDATION_ERROR"
    assert [f["field"] for f in response.json()["fields"]] == [field]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "type": "weapon"}, "name"),
        ({"name": "x", "type": "spaceship"}, "type"),
        ({"name": "x", "type": "weapon", "visibility": "friends"}, "visibility"),
        ({"name": "x", "type": "weapon", "projectId": "not-a-uuid"}, "projectId"),
    ],
)
async def test_creating_with_a_bad_value_is_a_422_naming_the_field(
    gateway: httpx.AsyncClient, people: People, body: dict[str, Any], field: str
) -> None:
    response = await gateway.post("/api/assets", json=body, headers=people.alice.headers)
    assert response.status_code == 422, response.text
    assert [f["field"] for f in response.json()["fields"]] == [field]


async def test_creating_without_a_name_says_so(gateway: httpx.AsyncClient, people: People) -> None:
    response = await gateway.post("/api/assets", json={"type": "weapon"}, headers=people.alice.headers)
    assert response.status_code == 422, response.text
    assert "`name`" in response.json()["fields"][0]["message"]


async def test_unknown_fields_are_ignored(gateway: httpx.AsyncClient, people: People) -> None:
    created = await new_asset(gateway, people.alice, someday="maybe", ownerId="did:privy:forged")
    assert created["ownerId"] == people.alice.id
    changes = {"name": "kept", "ownerId": people.bob.id, "id": str(uuid.uuid4()), "whatever": {"x": 1}}
    response = await gateway.patch(f"/api/assets/{created['id']}", json=changes, headers=people.alice.headers)
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "kept"
    assert response.json()["ownerId"] == people.alice.id
    assert response.json()["id"] == created["id"]


async def test_metadata_is_merged_and_its_mirrored_keys_change_the_asset(
    gateway: httpx.AsyncClient, people: People
) -> None:
    asset = await new_asset(gateway, people.alice, metadata={"keep": 1, "drop": 2})
    changes = {"metadata": {"drop": None, "add": [1], "tier": "4", "isFavorite": True, "isVariant": True}}
    response = await gateway.patch(f"/api/assets/{asset['id']}", json=changes, headers=people.alice.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["tier"] == 4
    assert body["isFavorite"] is True
    assert body["isVariant"] is False  # read-only: the asset says what it is
    assert body["metadata"] == {
        "keep": 1,
        "add": [1],
        "tier": "4",
        "status": "draft",
        "isFavorite": True,
        "isBaseModel": True,
        "isVariant": False,
    }
    # A field sent beside its metadata key wins.
    both = {"tier": 2, "metadata": {"tier": "5"}}
    response = await gateway.patch(f"/api/assets/{asset['id']}", json=both, headers=people.alice.headers)
    assert response.json()["tier"] == 2


async def test_a_bulk_update_answers_for_every_id(
    gateway: httpx.AsyncClient, people: People, database_url: str
) -> None:
    mine = [await new_asset(gateway, people.alice) for _ in range(2)]
    bobs_public = await new_asset(gateway, people.bob)
    bobs_private = await new_asset(gateway, people.bob, visibility="private")
    missing = str(uuid.uuid4())
    asset_ids = [mine[0]["id"], bobs_public["id"], bobs_private["id"], missing, "nonsense", mine[1]["id"]]

    response = await gateway.post(
        "/api/assets/bulk-update",
        json={"assetIds": asset_ids, "updates": {"status": "approved", "isFavorite": True}},
        headers=people.alice.headers,
    )

    assert response.status_code == 200, response.text
    result = response.json()
    assert result["updated"] == 2
    assert result["failed"] == 4
    errors = {e["assetId"]: e["error"] for e in result["errors"]}
    assert errors[bobs_public["id"]] == "only the asset's owner or an admin may change it"
    # Bob's private asset answers exactly like an id that names nothing.
    assert errors[bobs_private["id"]] == errors[missing] == errors["nonsense"] == "not found"
    for asset in mine:
        fetched = (await gateway.get(f"/api/assets/{asset['id']}", headers=people.alice.headers)).json()
        assert (fetched["status"], fetched["isFavorite"]) == ("approved", True)
    untouched = (await gateway.get(f"/api/assets/{bobs_private['id']}", headers=people.bob.headers)).json()
    assert untouched["status"] == "draft"

    async def recorded() -> int:
        query = "SELECT count(*) FROM gateway.activity_log WHERE action = 'asset.updated' AND entity_id = :id"
        return int(await scalar(database_url, query, id=mine[1]["id"]))

    assert await eventually(recorded) == 1


async def test_an_admin_bulk_updates_anyones_assets(gateway: httpx.AsyncClient, people: People) -> None:
    theirs = await new_asset(gateway, people.bob, visibility="private")
    response = await gateway.post(
        "/api/assets/bulk-update",
        json={"assetIds": [theirs["id"]], "updates": {"tier": 5}},
        headers=people.admin.headers,
    )
    assert response.json() == {"updated": 1, "failed": 0, "errors": []}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"assetIds": [], "updates": {}}, "assetIds"),
        ({"assetIds": ["a"] * 201, "updates": {}}, "assetIds"),
        ({"assetIds": ["a"], "updates": {"tier": 0}}, "updates.tier"),
    ],
)
async def test_a_bad_bulk_update_is_a_422(
    gateway: httpx.AsyncClient, people: People, body: dict[str, Any], field: str
) -> None:
    response = await gateway.post("/api/assets/bulk-update", json=body, headers=people.alice.headers)
    assert response.status_code == 422, response.text
    assert [f["field"] for f in response.json()["fields"]] == [field]
