"""A private asset exists only for its owner and admins: every read path (list, filters,
search, get, variants, model) shows it to them and to nobody else, and answers others
exactly as if it did not exist."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.gateway.people import People, Person, people_of
from tests.gateway.test_assets_support import ids, listed, new_asset
from tests.privy import FakePrivy


@pytest.fixture
async def people(gateway: httpx.AsyncClient, privy: FakePrivy, database_url: str) -> People:
    return await people_of(gateway, privy, database_url)


async def _pair(gateway: httpx.AsyncClient, owner: Person) -> tuple[dict[str, Any], dict[str, Any]]:
    word = f"zq{uuid.uuid4().int % 10**8:08d}"
    public = await new_asset(gateway, owner, name=f"public {word}", type="armor")
    private = await new_asset(gateway, owner, name=f"secret {word}", type="armor", visibility="private")
    return public, private


async def test_the_owner_lists_their_own_private_asset(gateway: httpx.AsyncClient, people: People) -> None:
    public, private = await _pair(gateway, people.alice)
    alice = people.alice.headers

    assert ids(await listed(gateway, alice, ownerId=people.alice.id)) == [private["id"], public["id"]]
    assert private["id"] in ids(await listed(gateway, alice))  # without a filter too
    assert private["id"] in ids(await listed(gateway, alice, type="armor"))
    assert private["id"] in ids(await listed(gateway, alice, status="draft"))
    word = private["name"].split()[-1]
    assert ids(await listed(gateway, alice, q=word)) == [private["id"], public["id"]]
    assert (await gateway.get(f"/api/assets/{private['id']}", headers=alice)).status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "bob"])
async def test_others_never_see_a_private_asset(gateway: httpx.AsyncClient, people: People, who: str) -> None:
    public, private = await _pair(gateway, people.alice)
    headers = people.bob.headers if who == "bob" else None
    word = private["name"].split()[-1]

    for params in ({"ownerId": people.alice.id}, {}, {"type": "armor"}, {"status": "draft"}, {"q": word}):
        seen = ids(await listed(gateway, headers, **params, limit=200))
        assert private["id"] not in seen, params
    assert ids(await listed(gateway, headers, ownerId=people.alice.id)) == [public["id"]]
    assert ids(await listed(gateway, headers, q=word)) == [public["id"]]
    for path in ("", "/variants", "/model"):
        response = await gateway.get(f"/api/assets/{private['id']}{path}", headers=headers)
        assert response.status_code == 404, path
        assert response.json()["error"] == "NOT_FOUND"
        # The same answer as for an id that names nothing.
        missing = await gateway.get(f"/api/assets/{uuid.uuid4()}{path}", headers=headers)
        assert missing.json()["message"] == response.json()["message"], path


async def test_an_owner_filter_on_someone_else_shows_only_their_public_assets(
    gateway: httpx.AsyncClient, people: People
) -> None:
    public, _ = await _pair(gateway, people.alice)
    assert ids(await listed(gateway, people.bob.headers, ownerId=people.alice.id)) == [public["id"]]


async def test_an_admin_sees_every_asset(gateway: httpx.AsyncClient, people: People) -> None:
    public, private = await _pair(gateway, people.alice)
    admin = people.admin.headers

    assert ids(await listed(gateway, admin, ownerId=people.alice.id)) == [private["id"], public["id"]]
    assert private["id"] in ids(await listed(gateway, admin, type="armor"))
    assert ids(await listed(gateway, admin, q=private["name"].split()[-1])) == [private["id"], public["id"]]
    assert (await gateway.get(f"/api/assets/{private['id']}", headers=admin)).status_code == 200
    assert (await gateway.get(f"/api/assets/{private['id']}/variants", headers=admin)).json() == []


async def test_making_an_asset_private_hides_it_at_once(gateway: httpx.AsyncClient, people: People) -> None:
    public, _ = await _pair(gateway, people.alice)
    changed = await gateway.patch(
        f"/api/assets/{public['id']}", json={"visibility": "private"}, headers=people.alice.headers
    )
    assert changed.status_code == 200, changed.text
    assert (await gateway.get(f"/api/assets/{public['id']}")).status_code == 404
    assert public["id"] not in ids(await listed(gateway, ownerId=people.alice.id))
