"""GET /api/assets: gateway -> NATS -> assets service -> PostgreSQL, and back."""

from __future__ import annotations

import httpx
from nats.aio.client import Client

from tests.helpers import create_asset
from tests.privy import FakePrivy, bearer


async def test_lists_assets_from_postgres_through_the_bus(gateway: httpx.AsyncClient, nc: Client, owner: str) -> None:
    created = [await create_asset(nc, owner, name=f"blade {i}") for i in range(3)]

    response = await gateway.get("/api/assets", params={"ownerId": owner})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert [a["id"] for a in body["assets"]] == [a["id"] for a in reversed(created)]  # newest first
    assert body["assets"][0]["ownerId"] == owner
    assert body["nextCursor"] is None


async def test_pages_follow_the_cursor_without_gaps_or_repeats(
    gateway: httpx.AsyncClient, nc: Client, owner: str
) -> None:
    created = [await create_asset(nc, owner, name=f"shield {i}") for i in range(5)]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"ownerId": owner, "limit": 2, **({"cursor": cursor} if cursor else {})}
        body = (await gateway.get("/api/assets", params=params)).json()
        seen += [a["id"] for a in body["assets"]]
        pages += 1
        cursor = body["nextCursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [a["id"] for a in reversed(created)]


async def test_private_assets_are_listed_only_for_their_owner(
    gateway: httpx.AsyncClient, nc: Client, owner: str
) -> None:
    public = await create_asset(nc, owner, name="public axe")
    private = await create_asset(nc, owner, name="secret axe", visibility="private")

    anonymous = (await gateway.get("/api/assets", params={"ownerId": owner})).json()
    assert [a["id"] for a in anonymous["assets"]] == [public["id"]]

    fetched = await gateway.get(f"/api/assets/{private['id']}")
    assert fetched.status_code == 404  # anonymous callers cannot see it
    assert (await gateway.get(f"/api/assets/{public['id']}")).json()["name"] == "public axe"


async def test_a_signed_in_owner_lists_their_own_private_assets(
    gateway: httpx.AsyncClient, nc: Client, privy: FakePrivy, owner: str
) -> None:
    token = privy.token(owner)
    me = await gateway.get("/api/users/me", headers=bearer(token))
    assert me.status_code == 200, me.text
    user_id = me.json()["user"]["id"]  # the principal's id, which owns what they create
    public = await create_asset(nc, user_id, name="public bow")
    private = await create_asset(nc, user_id, name="secret bow", visibility="private")

    as_owner = await gateway.get("/api/assets", params={"ownerId": user_id}, headers=bearer(token))
    assert as_owner.status_code == 200, as_owner.text
    assert [a["id"] for a in as_owner.json()["assets"]] == [private["id"], public["id"]]  # newest first
    # Without the owner filter too: the caller's own private asset is listed among the public ones.
    everything = (await gateway.get("/api/assets", headers=bearer(token))).json()["assets"]
    assert private["id"] in [a["id"] for a in everything]
    own = await gateway.get(f"/api/assets/{private['id']}", headers=bearer(token))
    assert own.status_code == 200, own.text
    assert own.json()["name"] == "secret bow"

    anonymous = await gateway.get("/api/assets", params={"ownerId": user_id})
    assert [a["id"] for a in anonymous.json()["assets"]] == [public["id"]]

    stranger = bearer(privy.token(f"{owner}-stranger"))
    as_stranger = await gateway.get("/api/assets", params={"ownerId": user_id}, headers=stranger)
    assert as_stranger.status_code == 200, as_stranger.text
    assert [a["id"] for a in as_stranger.json()["assets"]] == [public["id"]]
    assert (await gateway.get(f"/api/assets/{private['id']}", headers=stranger)).status_code == 404


async def test_filters_by_type_and_text(gateway: httpx.AsyncClient, nc: Client, owner: str) -> None:
    await create_asset(nc, owner, name="Iron Helm", type="armor")
    sword = await create_asset(nc, owner, name="Frost Sword 100%", type="weapon")

    by_type = (await gateway.get("/api/assets", params={"ownerId": owner, "type": "weapon"})).json()
    assert [a["id"] for a in by_type["assets"]] == [sword["id"]]
    by_text = (await gateway.get("/api/assets", params={"ownerId": owner, "q": "frost sword 100%"})).json()
    assert [a["id"] for a in by_text["assets"]] == [sword["id"]]
    wildcard = (await gateway.get("/api/assets", params={"ownerId": owner, "q": "%"})).json()
    assert [a["id"] for a in wildcard["assets"]] == [sword["id"]]  # % is a character, not a wildcard
