"""The catalog through the gateway: gateway -> NATS -> assets service -> PostgreSQL, and back.

Lists are bare JSON arrays (the original frontend's shape), newest first, the next page
in ``Link`` and ``X-Next-Cursor``; an asset is registered from the caller's own uploads.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from nats.aio.client import Client

from tests.gateway.people import People, people_of
from tests.gateway.test_assets_support import eventually, ids, listed, new_asset
from tests.helpers import activity_count, create_asset
from tests.media import files
from tests.privy import FakePrivy


@pytest.fixture
async def people(gateway: httpx.AsyncClient, privy: FakePrivy, database_url: str) -> People:
    return await people_of(gateway, privy, database_url)


async def upload(gateway: httpx.AsyncClient, headers: dict[str, str], data: bytes, name: str) -> str:
    response = await gateway.post("/api/media/uploads", headers=headers, files={"file": (name, data)}, timeout=60)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_a_list_is_a_bare_array_newest_first(gateway: httpx.AsyncClient, nc: Client, owner: str) -> None:
    created = [await create_asset(nc, owner, name=f"blade {i}") for i in range(3)]

    response = await gateway.get("/api/assets", params={"ownerId": owner})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert ids(body) == ids(list(reversed(created)))
    assert body[0]["ownerId"] == owner
    assert "link" not in response.headers
    assert "x-next-cursor" not in response.headers


async def test_the_next_page_is_in_link_and_x_next_cursor(gateway: httpx.AsyncClient, nc: Client, owner: str) -> None:
    created = [await create_asset(nc, owner, name=f"shield {i}") for i in range(5)]
    seen: list[str] = []
    url: str | None = f"/api/assets?ownerId={owner}&limit=2"
    pages = 0
    while url is not None:
        response = await gateway.get(url)
        assert response.status_code == 200, response.text
        seen += ids(response.json())
        pages += 1
        link = response.headers.get("link")
        if link is None:
            assert "x-next-cursor" not in response.headers
            url = None
            continue
        target, rel = link.split(";")
        assert rel.strip() == 'rel="next"'
        url = target.strip().removeprefix("<").removesuffix(">")
        assert f"cursor={response.headers['x-next-cursor']}" in url
        assert "limit=2" in url
    assert pages == 3
    assert seen == ids(list(reversed(created)))


async def test_the_default_page_is_two_hundred(gateway: httpx.AsyncClient, nc: Client, owner: str) -> None:
    first = await create_asset(nc, owner, name="alone")
    body = await listed(gateway, ownerId=owner)
    assert ids(body) == [first["id"]]
    assert (await gateway.get("/api/assets", params={"limit": 201})).status_code == 422


async def test_filters_by_type_status_and_project(gateway: httpx.AsyncClient, nc: Client, owner: str) -> None:
    project = str(uuid.uuid4())
    helm = await create_asset(nc, owner, name="Iron Helm", type="armor", status="approved")
    sword = await create_asset(nc, owner, name="Frost Sword", type="weapon", projectId=project)

    assert ids(await listed(gateway, ownerId=owner, type="weapon")) == [sword["id"]]
    assert ids(await listed(gateway, ownerId=owner, status="approved")) == [helm["id"]]
    assert ids(await listed(gateway, ownerId=owner, projectId=project)) == [sword["id"]]
    assert await listed(gateway, ownerId=owner, type="prop") == []


async def test_an_asset_has_the_original_frontends_fields(gateway: httpx.AsyncClient, people: People) -> None:
    asset = await new_asset(gateway, people.alice, tags=["rusty", "old"], metadata={"source": "test"})
    fetched = await gateway.get(f"/api/assets/{asset['id']}")
    assert fetched.status_code == 200
    body = fetched.json()
    assert body == asset
    for name in ("cdnUrl", "cdnThumbnailUrl", "cdnConceptArtUrl", "cdnRiggedModelUrl", "modelFile", "generatedAt"):
        assert body[name] is None, name
    assert body["cdnFiles"] == []
    assert body["hasModel"] is False
    assert body["isFavorite"] is False
    assert body["tags"] == ["rusty", "old"]
    assert body["ownerId"] == people.alice.id
    assert body["status"] == "draft"
    assert body["metadata"] == {
        "source": "test",
        "status": "draft",
        "isFavorite": False,
        "isBaseModel": True,
        "isVariant": False,
    }


async def test_an_asset_is_registered_from_the_callers_uploads(gateway: httpx.AsyncClient, people: People) -> None:
    model = await upload(gateway, people.alice.headers, files.glb(uuid.uuid4().int % 10_000), "sword.glb")
    image = await upload(gateway, people.alice.headers, files.png(uuid.uuid4().int % 10_000), "sword.png")

    asset = await new_asset(gateway, people.alice, files=[model, image], description="a sword")

    assert asset["files"] == [model, image]
    assert asset["hasModel"] is True
    assert asset["modelFile"] == "sword.glb"
    assert asset["modelUrl"] == f"/api/media/{model}/content"
    assert asset["thumbnailUrl"] == f"/api/media/{image}/content"
    redirect = await gateway.get(f"/api/assets/{asset['id']}/model")
    assert redirect.status_code == 302
    assert redirect.headers["location"] == f"/api/media/{model}/content"


async def test_files_must_be_the_callers_own_uploads(gateway: httpx.AsyncClient, people: People) -> None:
    theirs = await upload(gateway, people.bob.headers, files.png(uuid.uuid4().int % 10_000), "b.png")
    for bad in (theirs, str(uuid.uuid4()), "not-an-id"):
        body = {"name": "stolen", "type": "weapon", "files": [bad]}
        response = await gateway.post("/api/assets", json=body, headers=people.alice.headers)
        assert response.status_code == 422, response.text
        assert [f["field"] for f in response.json()["fields"]] == ["files"]
    # An admin may not register someone else's files either: an asset is made of its owner's.
    response = await gateway.post(
        "/api/assets", json={"name": "x", "type": "prop", "files": [theirs]}, headers=people.admin.headers
    )
    assert response.status_code == 422, response.text


async def test_creating_needs_a_signed_in_user(gateway: httpx.AsyncClient) -> None:
    response = await gateway.post("/api/assets", json={"name": "x", "type": "weapon"})
    assert response.status_code == 401


async def test_the_model_redirect_is_a_404_without_a_model(gateway: httpx.AsyncClient, people: People) -> None:
    asset = await new_asset(gateway, people.alice)
    response = await gateway.get(f"/api/assets/{asset['id']}/model")
    assert response.status_code == 404
    assert response.json()["error"] == "NOT_FOUND"
    assert (await gateway.get(f"/api/assets/{uuid.uuid4()}/model")).status_code == 404


async def test_trailing_slashes_are_accepted(gateway: httpx.AsyncClient, people: People) -> None:
    asset = await new_asset(gateway, people.alice)
    assert (await gateway.get("/api/assets/", params={"ownerId": people.alice.id})).json()[0]["id"] == asset["id"]
    assert (await gateway.get(f"/api/assets/{asset['id']}/")).status_code == 200


async def test_the_activity_log_records_creation(gateway: httpx.AsyncClient, people: People, database_url: str) -> None:
    asset = await new_asset(gateway, people.alice)
    await eventually(lambda: activity_count(database_url, asset["id"]))
