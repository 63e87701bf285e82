"""Projects through the gateway: gateway -> NATS -> assets service -> PostgreSQL, with two
members and an admin. A project is its owner's (and an admin's): anyone else gets 404."""

from __future__ import annotations

import httpx
import pytest
from nats.aio.client import Client

from tests.gateway.people import People, people_of
from tests.helpers import create_asset
from tests.privy import FakePrivy


@pytest.fixture
async def cast(gateway: httpx.AsyncClient, privy: FakePrivy, database_url: str) -> People:
    return await people_of(gateway, privy, database_url)


async def _project(gateway: httpx.AsyncClient, headers: dict[str, str], **fields: object) -> dict[str, object]:
    response = await gateway.post("/api/projects", json={"name": "Fantasy RPG", **fields}, headers=headers)
    assert response.status_code == 201, response.text
    project: dict[str, object] = response.json()["project"]
    return project


async def test_a_project_is_created_read_and_listed_in_the_original_wrappers(
    gateway: httpx.AsyncClient, cast: People
) -> None:
    created = await gateway.post(
        "/api/projects",
        json={"name": "Fantasy RPG", "description": "swords", "settings": {"poly": 5000}, "metadata": {"g": "x"}},
        headers=cast.alice.headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["success"] is True
    project = body["project"]
    assert project["ownerId"] == cast.alice.id
    assert (project["name"], project["description"]) == ("Fantasy RPG", "swords")
    assert (project["settings"], project["metadata"]) == ({"poly": 5000}, {"g": "x"})
    assert project["isArchived"] is False
    assert project["archivedAt"] is None

    fetched = await gateway.get(f"/api/projects/{project['id']}", headers=cast.alice.headers)
    assert fetched.status_code == 200, fetched.text
    assert fetched.json() == {"success": True, "project": project}

    listed = await gateway.get("/api/projects", headers=cast.alice.headers)
    assert listed.status_code == 200, listed.text
    assert listed.json() == {"success": True, "projects": [project], "nextCursor": None}


async def test_the_original_frontends_trailing_slash_is_accepted(gateway: httpx.AsyncClient, cast: People) -> None:
    created = await gateway.post("/api/projects/", json={"name": "slashed"}, headers=cast.alice.headers)
    assert created.status_code == 201, created.text
    listed = await gateway.get("/api/projects/", params={"includeArchived": "true"}, headers=cast.alice.headers)
    assert [p["name"] for p in listed.json()["projects"]] == ["slashed"]


async def test_projects_need_a_signed_in_user(gateway: httpx.AsyncClient) -> None:
    assert (await gateway.get("/api/projects")).status_code == 401
    assert (await gateway.post("/api/projects", json={"name": "x"})).status_code == 401


async def test_another_member_finds_nothing_and_an_admin_finds_everything(
    gateway: httpx.AsyncClient, cast: People
) -> None:
    project = await _project(gateway, cast.alice.headers)
    url = f"/api/projects/{project['id']}"
    bob = cast.bob.headers
    for method, path, body in [
        ("GET", url, None),
        ("PATCH", url, {"name": "mine now"}),
        ("DELETE", url, None),
        ("POST", f"{url}/archive", None),
        ("POST", f"{url}/restore", None),
        ("GET", f"{url}/assets", None),
        ("GET", f"{url}/stats", None),
    ]:
        response = await gateway.request(method, path, json=body, headers=bob)
        assert response.status_code == 404, f"{method} {path}: {response.text}"
        assert response.json()["error"] == "NOT_FOUND"
    assert (await gateway.get("/api/projects", headers=bob)).json()["projects"] == []
    # Naming the owner does not help a member; it lets an admin list someone else's.
    named = await gateway.get("/api/projects", params={"ownerId": cast.alice.id}, headers=bob)
    assert named.json()["projects"] == []
    as_admin = await gateway.get("/api/projects", params={"ownerId": cast.alice.id}, headers=cast.admin.headers)
    assert [p["id"] for p in as_admin.json()["projects"]] == [project["id"]]
    assert (await gateway.get(url, headers=cast.admin.headers)).status_code == 200
    renamed = await gateway.patch(url, json={"name": "moderated"}, headers=cast.admin.headers)
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["project"]["name"] == "moderated"
    assert renamed.json()["project"]["ownerId"] == cast.alice.id  # still Alice's
    # Untouched by Bob's attempts.
    mine = (await gateway.get(url, headers=cast.alice.headers)).json()["project"]
    assert (mine["name"], mine["isArchived"]) == ("moderated", False)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"name": 7}, "name"),
        ({"name": "ok", "description": "d" * 5001}, "description"),
        ({"name": "ok", "settings": [1, 2]}, "settings"),
        ({"name": "ok", "metadata": "text"}, "metadata"),
        ({"name": "ok", "settings": {"theme": ["dark", "a\x00b"]}}, "settings"),
        ({"name": "ok", "metadata": {"a\x00": 1}}, "metadata"),
    ],
)
async def test_a_bad_field_is_a_422_naming_it(
    gateway: httpx.AsyncClient, cast: People, body: dict[str, object], field: str
) -> None:
    response = await gateway.post("/api/projects", json=body, headers=cast.alice.headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "VALIDATION_ERROR"
    assert [f["field"] for f in response.json()["fields"]] == [field]


async def test_a_missing_name_is_a_422_that_says_so(gateway: httpx.AsyncClient, cast: People) -> None:
    response = await gateway.post("/api/projects", json={"description": "no name"}, headers=cast.alice.headers)
    assert response.status_code == 422, response.text
    # The edge names a missing field in the message (msgspec gives no path for it).
    assert "`name`" in response.json()["fields"][0]["message"]


async def test_unknown_fields_are_ignored_and_bad_queries_are_422s(gateway: httpx.AsyncClient, cast: People) -> None:
    project = await _project(gateway, cast.alice.headers, isFavorite=True, userId="someone else")
    assert project["ownerId"] == cast.alice.id
    url = f"/api/projects/{project['id']}"
    empty_name = await gateway.patch(url, json={"name": ""}, headers=cast.alice.headers)
    assert (empty_name.status_code, empty_name.json()["fields"][0]["field"]) == (422, "name")
    for params, field in [({"limit": 0}, "limit"), ({"limit": 201}, "limit"), ({"cursor": "nope"}, "cursor")]:
        response = await gateway.get("/api/projects", params=params, headers=cast.alice.headers)
        assert response.status_code == 422, response.text
        assert [f["field"] for f in response.json()["fields"]] == [field]


async def test_a_patch_changes_only_what_it_sends(gateway: httpx.AsyncClient, cast: People) -> None:
    project = await _project(gateway, cast.alice.headers, description="old", settings={"a": 1, "b": 2})
    url = f"/api/projects/{project['id']}"
    renamed = (await gateway.patch(url, json={"name": "New name"}, headers=cast.alice.headers)).json()["project"]
    assert (renamed["name"], renamed["description"], renamed["settings"]) == ("New name", "old", {"a": 1, "b": 2})
    assert renamed["updatedAt"] > project["updatedAt"]
    changed = await gateway.patch(url, json={"description": None, "settings": {"c": 3}}, headers=cast.alice.headers)
    after = changed.json()["project"]
    assert (after["name"], after["description"], after["settings"]) == ("New name", None, {"c": 3})
    unchanged = await gateway.patch(url, json={}, headers=cast.alice.headers)
    assert unchanged.json()["project"] == after


async def test_archived_projects_leave_the_list_unless_asked_for(gateway: httpx.AsyncClient, cast: People) -> None:
    kept = await _project(gateway, cast.alice.headers, name="kept")
    shelved = await _project(gateway, cast.alice.headers, name="shelved")
    archived = await gateway.post(f"/api/projects/{shelved['id']}/archive", headers=cast.alice.headers)
    assert archived.status_code == 200, archived.text
    assert archived.json()["success"] is True
    assert archived.json()["project"]["isArchived"] is True
    assert archived.json()["project"]["archivedAt"] is not None
    again = await gateway.post(f"/api/projects/{shelved['id']}/archive", headers=cast.alice.headers)
    assert again.json()["project"] == archived.json()["project"]  # already archived: nothing changes

    default = (await gateway.get("/api/projects", headers=cast.alice.headers)).json()["projects"]
    assert [p["id"] for p in default] == [kept["id"]]
    everything = await gateway.get("/api/projects", params={"includeArchived": "true"}, headers=cast.alice.headers)
    assert [p["id"] for p in everything.json()["projects"]] == [shelved["id"], kept["id"]]  # newest first
    # An archived project is still readable by id.
    assert (await gateway.get(f"/api/projects/{shelved['id']}", headers=cast.alice.headers)).status_code == 200

    restored = await gateway.post(f"/api/projects/{shelved['id']}/restore", headers=cast.alice.headers)
    assert restored.status_code == 200, restored.text
    assert (restored.json()["project"]["isArchived"], restored.json()["project"]["archivedAt"]) == (False, None)
    default = (await gateway.get("/api/projects", headers=cast.alice.headers)).json()["projects"]
    assert [p["id"] for p in default] == [shelved["id"], kept["id"]]


async def test_the_list_pages_with_a_cursor(gateway: httpx.AsyncClient, cast: People) -> None:
    created = [await _project(gateway, cast.alice.headers, name=f"p{i}") for i in range(5)]
    seen: list[object] = []
    params: dict[str, object] = {"limit": 2}
    pages = 0
    while True:
        body = (await gateway.get("/api/projects", params=params, headers=cast.alice.headers)).json()
        seen += [p["id"] for p in body["projects"]]
        pages += 1
        if body["nextCursor"] is None:
            break
        params = {"limit": 2, "cursor": body["nextCursor"]}
    assert pages == 3
    assert seen == [p["id"] for p in reversed(created)]


async def test_deleting_a_project_unassigns_its_assets_without_deleting_them(
    gateway: httpx.AsyncClient, nc: Client, cast: People
) -> None:
    project = await _project(gateway, cast.alice.headers)
    assets = [await create_asset(nc, cast.alice.id, name=f"blade {i}", projectId=project["id"]) for i in range(2)]
    elsewhere = await create_asset(nc, cast.alice.id, name="loose blade")
    url = f"/api/projects/{project['id']}"

    assert (await gateway.delete(url, headers=cast.bob.headers)).status_code == 404
    deleted = await gateway.delete(url, headers=cast.alice.headers)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json() == {"id": project["id"], "unassignedAssets": 2, "success": True}

    assert (await gateway.get(url, headers=cast.alice.headers)).status_code == 404
    for asset in [*assets, elsewhere]:
        kept = await gateway.get(f"/api/assets/{asset['id']}", headers=cast.alice.headers)
        assert kept.status_code == 200, kept.text
        assert kept.json()["projectId"] is None
    assert (await gateway.delete(url, headers=cast.alice.headers)).status_code == 404


async def test_an_admin_may_delete_anyones_project(gateway: httpx.AsyncClient, cast: People) -> None:
    project = await _project(gateway, cast.bob.headers)
    deleted = await gateway.delete(f"/api/projects/{project['id']}", headers=cast.admin.headers)
    assert deleted.status_code == 200, deleted.text
    assert (await gateway.get(f"/api/projects/{project['id']}", headers=cast.bob.headers)).status_code == 404
