"""Keyset pages stay consistent while assets are added, and a text search is ranked:
the best matches first (a name above a description above a tag), paged the same way."""

from __future__ import annotations

import asyncio
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


def _next(response: httpx.Response) -> str | None:
    link = response.headers.get("link")
    return link.split(";")[0].strip()[1:-1] if link else None


async def _walk(gateway: httpx.AsyncClient, url: str, headers: dict[str, str] | None, between: Any = None) -> list[str]:
    """Every page from ``url`` by its Link header; ``between`` runs after each page."""
    seen: list[str] = []
    next_url: str | None = url
    while next_url is not None:
        response = await gateway.get(next_url, headers=headers)
        assert response.status_code == 200, response.text
        seen += ids(response.json())
        next_url = _next(response)
        if between is not None:
            await between()
    return seen


@pytest.mark.parametrize("viewer", ["anonymous", "owner"])
async def test_pages_never_repeat_or_skip_while_newer_assets_arrive(
    gateway: httpx.AsyncClient, people: People, viewer: str
) -> None:
    alice = people.alice
    older = [
        await new_asset(gateway, alice, name=f"old {i}", visibility="private" if i % 3 == 0 else "public")
        for i in range(8)
    ]
    headers = alice.headers if viewer == "owner" else None
    expected = [a["id"] for a in reversed(older) if viewer == "owner" or a["visibility"] == "public"]
    newer: list[dict[str, Any]] = []

    async def add_newer() -> None:
        newer.append(await new_asset(gateway, alice, name="new", visibility="public"))

    seen = await _walk(gateway, f"/api/assets?ownerId={alice.id}&limit=2", headers, add_newer)

    assert seen == expected  # in order, each once, none of the newer ones
    assert len(set(seen)) == len(seen)
    assert not set(seen) & set(ids(newer))


async def test_pages_hold_while_assets_are_inserted_concurrently(gateway: httpx.AsyncClient, people: People) -> None:
    alice = people.alice
    older = [await new_asset(gateway, alice, name=f"steady {i}") for i in range(10)]
    stop = asyncio.Event()

    async def keep_inserting() -> None:
        while not stop.is_set():
            await new_asset(gateway, alice, name="interloper")

    inserter = asyncio.create_task(keep_inserting())
    try:
        seen = await _walk(gateway, f"/api/assets?ownerId={alice.id}&limit=3", alice.headers)
    finally:
        stop.set()
        await inserter
    # Pages began before or during the inserts: the newest rows may lead the first page,
    # but every older asset follows exactly once and in order.
    lead, tail = seen[: -len(older)], seen[-len(older) :]
    assert tail == ids(list(reversed(older)))
    assert not set(lead) & set(ids(older))
    assert len(set(seen)) == len(seen)


async def _word_assets(gateway: httpx.AsyncClient, owner: Person, word: str) -> dict[str, dict[str, Any]]:
    return {
        "tag": await new_asset(gateway, owner, name="plain one", tags=[word]),
        "name": await new_asset(gateway, owner, name=f"{word} blade"),
        "description": await new_asset(gateway, owner, name="plain two", description=f"a {word} inside"),
    }


async def test_a_search_ranks_name_above_description_above_tags(gateway: httpx.AsyncClient, people: People) -> None:
    word = f"kx{uuid.uuid4().int % 10**8:08d}"
    made = await _word_assets(gateway, people.alice, word)
    await new_asset(gateway, people.alice, name="unrelated")

    found = ids(await listed(gateway, q=word))

    assert found == [made["name"]["id"], made["description"]["id"], made["tag"]["id"]]


async def test_a_search_matches_words_and_prefixes_of_them(gateway: httpx.AsyncClient, people: People) -> None:
    word = f"qv{uuid.uuid4().int % 10**8:08d}"
    asset = await new_asset(gateway, people.alice, name=f"Gleaming {word} Swords")
    for q in (word, word.upper(), word[:6], f"{word} sword", f"swords {word}", f"{word}!!"):
        assert ids(await listed(gateway, q=q)) == [asset["id"]], q
    assert await listed(gateway, q=f"{word} axe") == []
    assert await listed(gateway, q="%") == []  # no word in it: nothing matches
    assert await listed(gateway, q="'&|!:*()") == []


async def test_search_pages_follow_the_ranking(gateway: httpx.AsyncClient, people: People) -> None:
    word = f"pz{uuid.uuid4().int % 10**8:08d}"
    made = [await _word_assets(gateway, people.alice, word) for _ in range(2)]
    by_rank = [made[i][kind]["id"] for kind in ("name", "description", "tag") for i in (1, 0)]

    seen = await _walk(gateway, f"/api/assets?q={word}&limit=2", None)

    assert seen == by_rank


async def test_a_cursor_belongs_to_its_kind_of_listing(gateway: httpx.AsyncClient, people: People) -> None:
    word = f"cz{uuid.uuid4().int % 10**8:08d}"
    for _ in range(3):
        await new_asset(gateway, people.alice, name=word)
    searched = await gateway.get("/api/assets", params={"q": word, "limit": 1})
    listed_page = await gateway.get("/api/assets", params={"ownerId": people.alice.id, "limit": 1})
    for params in (
        {"cursor": searched.headers["x-next-cursor"]},
        {"q": word, "cursor": listed_page.headers["x-next-cursor"]},
    ):
        response = await gateway.get("/api/assets", params=params)
        assert response.status_code == 422, response.text
        assert [f["field"] for f in response.json()["fields"]] == ["cursor"]
