"""The gateway answers anonymous catalog reads from memory: no bus request on a hit, a
strong ETag with 304s, a change visible within 100 ms of its commit (this replica's own
writes at once, anyone else's through the events), and never a private asset, nor a
signed-in caller's page, served from it."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
import msgspec
import pytest
from nats.aio.client import Client

from assetforge.common.contracts import headers
from assetforge.common.contracts.assets import (
    ASSET_CREATED_FILTER,
    ASSET_GET,
    ASSET_LIST,
    ASSET_UPDATE,
    asset_event_subject,
)
from tests.gateway.people import People, Person, people_of
from tests.gateway.test_assets_support import ids, new_asset
from tests.privy import FakePrivy

FRESH_WITHIN_S = 0.1


@pytest.fixture
async def people(gateway: httpx.AsyncClient, privy: FakePrivy, database_url: str) -> People:
    return await people_of(gateway, privy, database_url)


class BusRequests:
    """Counts the requests on a subject (a plain subscription gets a copy of each)."""

    def __init__(self, nc: Client) -> None:
        self._nc = nc
        self.seen: dict[str, int] = {}

    async def watch(self, *subjects: str) -> None:
        for subject in subjects:
            self.seen[subject] = 0
            await self._nc.subscribe(subject, cb=self._count)
        await self._nc.flush()

    async def _count(self, message: Any) -> None:
        self.seen[message.subject] += 1

    async def settled(self) -> dict[str, int]:
        await self._nc.flush()
        await asyncio.sleep(0.05)
        return dict(self.seen)


@pytest.fixture
async def bus_requests(nc: Client) -> BusRequests:
    return BusRequests(nc)


def _word() -> str:
    return f"cq{uuid.uuid4().int % 10**10:010d}"


async def _announced_asset(gateway: httpx.AsyncClient, nc: Client, person: Person, **fields: Any) -> dict[str, Any]:
    """An asset whose ``created`` event has been delivered: counting bus requests must not
    race that event emptying the cache a moment later."""
    subscription = await nc.subscribe(ASSET_CREATED_FILTER)
    try:
        asset = await new_asset(gateway, person, **fields)
        while (await subscription.next_msg(timeout=5)).subject != asset_event_subject(asset["id"], "created"):
            pass
    finally:
        await subscription.unsubscribe()
    await nc.flush()
    return asset


async def _change_on_the_bus(nc: Client, owner: Person, asset_id: str, **changes: Any) -> None:
    """A change made through another replica: straight to the assets service, so this
    gateway learns of it only from the event."""
    command = {"id": asset_id, "changes": changes}
    reply = await nc.request(
        ASSET_UPDATE, msgspec.json.encode(command), timeout=10, headers={headers.USER_ID: owner.id}
    )
    assert (reply.headers or {}).get(headers.STATUS) != headers.STATUS_ERROR, reply.data


async def test_an_anonymous_page_is_served_from_memory_with_an_etag(
    gateway: httpx.AsyncClient, nc: Client, people: People, bus_requests: BusRequests
) -> None:
    word = _word()
    asset = await _announced_asset(gateway, nc, people.alice, name=f"cached {word}")
    await bus_requests.watch(ASSET_LIST)

    first = await gateway.get("/api/assets", params={"q": word})
    assert first.status_code == 200
    assert ids(first.json()) == [asset["id"]]
    etag = first.headers["etag"]
    assert etag.startswith('"')
    assert not etag.startswith("W/")
    assert first.headers["cache-control"] == "no-cache"
    again = await gateway.get("/api/assets", params={"q": word})
    assert again.content == first.content
    assert again.headers["etag"] == etag
    assert again.headers["content-type"] == "application/json"
    assert "x-request-id" in again.headers
    assert "x-content-type-options" in again.headers
    assert (await bus_requests.settled())[ASSET_LIST] == 1

    unchanged = await gateway.get("/api/assets", params={"q": word}, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == etag
    assert (await bus_requests.settled())[ASSET_LIST] == 1

    # A write through this gateway drops what it kept at once: read your own writes.
    renamed = await gateway.patch(
        f"/api/assets/{asset['id']}", json={"name": f"renamed {word}"}, headers=people.alice.headers
    )
    assert renamed.status_code == 200
    after = await gateway.get("/api/assets", params={"q": word}, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.json()[0]["name"] == f"renamed {word}"
    assert after.headers["etag"] != etag


async def test_a_public_asset_is_served_from_memory_until_it_changes(
    gateway: httpx.AsyncClient, nc: Client, people: People, bus_requests: BusRequests
) -> None:
    asset = await _announced_asset(gateway, nc, people.alice, name=f"single {_word()}")
    await bus_requests.watch(ASSET_GET)
    path = f"/api/assets/{asset['id']}"

    first = await gateway.get(path)
    second = await gateway.get(path, headers={"If-None-Match": first.headers["etag"]})
    third = await gateway.get(path)
    assert (first.status_code, second.status_code, third.status_code) == (200, 304, 200)
    assert third.content == first.content
    assert (await bus_requests.settled())[ASSET_GET] == 1

    await _change_on_the_bus(nc, people.alice, asset["id"], visibility="private")
    assert await _eventually_status(gateway, path, 404) < FRESH_WITHIN_S


async def _eventually_status(gateway: httpx.AsyncClient, path: str, status: int) -> float:
    """Seconds until an anonymous GET of ``path`` answers ``status`` (asked every 5 ms)."""
    started = time.monotonic()
    while (await gateway.get(path)).status_code != status:
        assert time.monotonic() - started < 5, f"{path} never answered {status}"
        await asyncio.sleep(0.005)
    return time.monotonic() - started


async def test_a_change_elsewhere_reaches_the_anonymous_list_within_100_ms(
    gateway: httpx.AsyncClient, nc: Client, people: People
) -> None:
    word = _word()
    asset = await new_asset(gateway, people.alice, name=f"v0 {word}")
    stale_for: list[float] = []
    for version in range(1, 21):
        page = await gateway.get("/api/assets", params={"q": word})
        assert page.json()[0]["name"] == f"v{version - 1} {word}"  # kept: the page is cached now
        await _change_on_the_bus(nc, people.alice, asset["id"], name=f"v{version} {word}")
        committed = time.monotonic()
        while (await gateway.get("/api/assets", params={"q": word})).json()[0]["name"] != f"v{version} {word}":
            assert time.monotonic() - committed < 5, f"version {version} never reached the list"
            await asyncio.sleep(0.002)
        stale_for.append(time.monotonic() - committed)
    assert max(stale_for) < FRESH_WITHIN_S, sorted(stale_for)


async def test_private_assets_and_signed_in_pages_never_come_from_memory(
    gateway: httpx.AsyncClient, nc: Client, people: People, bus_requests: BusRequests
) -> None:
    word = _word()
    public = await _announced_asset(gateway, nc, people.alice, name=f"open {word}")
    private = await _announced_asset(gateway, nc, people.alice, name=f"hidden {word}", visibility="private")
    await bus_requests.watch(ASSET_LIST, ASSET_GET)

    for _ in range(2):  # the second read is served from memory
        assert ids((await gateway.get("/api/assets", params={"q": word})).json()) == [public["id"]]
        assert (await gateway.get(f"/api/assets/{private['id']}")).status_code == 404
    alice = people.alice.headers
    for _ in range(2):  # a signed-in caller reaches the service every time
        mine = await gateway.get("/api/assets", params={"q": word}, headers=alice)
        assert ids(mine.json()) == [private["id"], public["id"]]
        assert mine.headers["cache-control"] == "no-store"
        assert (await gateway.get(f"/api/assets/{private['id']}", headers=alice)).status_code == 200
        theirs = await gateway.get("/api/assets", params={"q": word}, headers=people.bob.headers)
        assert ids(theirs.json()) == [public["id"]]
    # ... and what they were shown was not kept for anyone else.
    assert ids((await gateway.get("/api/assets", params={"q": word})).json()) == [public["id"]]
    assert (await gateway.get(f"/api/assets/{private['id']}")).status_code == 404
    seen = await bus_requests.settled()
    assert seen[ASSET_LIST] == 1 + 2 * 2  # one anonymous fill, then every signed-in read
    assert seen[ASSET_GET] == 3 + 2  # every anonymous 404 (never kept), every signed-in read
    assert "etag" not in mine.headers  # no-store: nothing would send it back


async def test_deleting_a_project_refreshes_the_pages_that_filter_by_it(
    gateway: httpx.AsyncClient, people: People
) -> None:
    project = await gateway.post("/api/projects", json={"name": "cached project"}, headers=people.alice.headers)
    assert project.status_code == 201, project.text
    project_id = project.json()["project"]["id"]
    asset = await new_asset(gateway, people.alice, projectId=project_id)
    listing = {"projectId": project_id}
    assert ids((await gateway.get("/api/assets", params=listing)).json()) == [asset["id"]]
    assert (await gateway.get(f"/api/assets/{asset['id']}")).json()["projectId"] == project_id

    deleted = await gateway.delete(f"/api/projects/{project_id}", headers=people.alice.headers)
    assert deleted.status_code == 200
    assert (await gateway.get("/api/assets", params=listing)).json() == []
    assert (await gateway.get(f"/api/assets/{asset['id']}")).json()["projectId"] is None
