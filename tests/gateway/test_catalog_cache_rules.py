"""The catalog cache's own rules, with a clock and a connection of the test's: a fill
that raced a change is dropped, entries and bytes are bounded, old entries are not
served, nothing is served while NATS is away, and a reconnect empties it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assetforge.gateway.auth.cache import IDENTITY
from assetforge.gateway.catalog_cache import CatalogCache


@dataclass
class Connection:
    is_connected: bool = True
    stats: dict[str, int] = field(default_factory=lambda: {"reconnects": 0})

    async def subscribe(self, _subject: str, cb: Any) -> Any:  # noqa: ARG002 - nats' signature
        return Subscription()


class Subscription:
    async def unsubscribe(self) -> None:
        return None


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Req:
    """What the cache reads of a Litestar request."""

    path: str
    query: bytes = b""
    signed_in: bool = False
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def scope(self) -> dict[str, Any]:
        identity = object() if self.signed_in else None
        return {"path": self.path, "query_string": self.query, "path_template": "/api/assets", IDENTITY: identity}


async def _cache(
    entries: int = 8, max_bytes: int = 1 << 20, max_age_s: float = 5.0
) -> tuple[CatalogCache, Clock, Connection]:
    clock, connection = Clock(), Connection()
    cache = CatalogCache(entries, max_bytes, max_age_s, clock=clock)
    await cache.start(connection)  # type: ignore[arg-type]
    return cache, clock, connection


def _fill(cache: CatalogCache, request: Req, body: bytes, asset_id: str | None = None) -> None:
    cache.answer(request, cache.ticket(request), body, asset_id=asset_id)  # type: ignore[arg-type]


async def test_a_fill_that_raced_a_change_is_not_kept() -> None:
    cache, _, _ = await _cache()
    request = Req("/api/assets", b"limit=50")
    ticket = cache.ticket(request)  # type: ignore[arg-type]
    cache.changed("some-asset")  # the event lands while the bus is being asked
    cache.answer(request, ticket, b"[old]")  # type: ignore[arg-type]
    assert cache.lookup("/api/assets", b"limit=50") is None

    _fill(cache, request, b"[new]")
    kept = cache.lookup("/api/assets", b"limit=50")
    assert kept is not None
    assert kept.body == b"[new]"


async def test_a_change_drops_every_page_and_the_assets_own_entries_only() -> None:
    cache, _, _ = await _cache()
    _fill(cache, Req("/api/assets", b"limit=50"), b"[page]")
    _fill(cache, Req("/api/assets/a"), b"{a}", asset_id="a")
    _fill(cache, Req("/api/assets/b"), b"{b}", asset_id="b")
    cache.changed("a")
    assert cache.lookup("/api/assets", b"limit=50") is None
    assert cache.lookup("/api/assets/a", b"") is None
    assert cache.lookup("/api/assets/b", b"") is not None


async def test_signed_in_callers_neither_fill_nor_get_a_ticket() -> None:
    cache, _, _ = await _cache()
    request = Req("/api/assets", signed_in=True)
    assert cache.ticket(request) is None  # type: ignore[arg-type]
    response = cache.answer(request, None, b"[mine]")  # type: ignore[arg-type]
    assert "ETag" not in response.headers
    assert "Cache-Control" not in response.headers  # the edge adds no-store
    assert cache.lookup("/api/assets", b"") is None


async def test_entries_and_bytes_are_bounded_least_recently_used_first() -> None:
    cache, _, _ = await _cache(entries=4)  # two pages, two assets
    for query in (b"a", b"b"):
        _fill(cache, Req("/api/assets", query), b"[x]")
    assert cache.lookup("/api/assets", b"a") is not None  # a is now the most recent
    _fill(cache, Req("/api/assets", b"c"), b"[x]")
    assert cache.lookup("/api/assets", b"b") is None
    assert cache.lookup("/api/assets", b"a") is not None

    small, _, _ = await _cache(entries=100, max_bytes=2 * 100)  # 100 bytes for pages
    for query in (b"1", b"2", b"3"):
        _fill(small, Req("/api/assets", query), b"[" + b"x" * 38 + b"]")
    assert small.lookup("/api/assets", b"1") is None
    assert small.lookup("/api/assets", b"3") is not None


async def test_an_entry_is_not_served_past_its_age() -> None:
    cache, clock, _ = await _cache(max_age_s=2.0)
    _fill(cache, Req("/api/assets"), b"[x]")
    clock.now += 1.9
    assert cache.lookup("/api/assets", b"") is not None
    clock.now += 0.2
    assert cache.lookup("/api/assets", b"") is None


async def test_nothing_is_served_while_nats_is_away_and_a_reconnect_empties_it() -> None:
    cache, _, connection = await _cache()
    _fill(cache, Req("/api/assets"), b"[x]")
    connection.is_connected = False
    assert cache.lookup("/api/assets", b"") is None
    connection.is_connected = True
    connection.stats["reconnects"] = 1  # events of the time away were never heard
    assert cache.lookup("/api/assets", b"") is None
    _fill(cache, Req("/api/assets"), b"[x]")
    assert cache.lookup("/api/assets", b"") is not None


async def test_with_no_entries_it_is_off() -> None:
    cache, _, _ = await _cache(entries=0)
    request = Req("/api/assets")
    assert cache.ticket(request) is None  # type: ignore[arg-type]
    _fill(cache, request, b"[x]")
    assert cache.lookup("/api/assets", b"") is None
