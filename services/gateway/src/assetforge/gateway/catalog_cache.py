"""Anonymous catalog reads answered from memory: pages of ``GET /api/assets`` and public
``GET /api/assets/{id}``, as the bytes the assets service last replied.

- **Filled by the route** on a miss, only for an anonymous caller and only with a 200.
  **Served by the edge**, before routing, keyed by the raw path and query string: a key
  is only ever stored by a request the route accepted, so a hit needs no checks of its own.
- **Invalidated at once by a write this replica forwarded** (read your own writes), and
  **by the assets events** for every other change. Every replica holds core subscriptions on the
  asset and project events. Any of them empties the pages (a change can move any page) and
  drops the asset's own entries (a project's event drops every asset's: deleting a project
  unassigns its assets in one statement). A fill takes the generation before it asks the
  bus and is kept only if no event came since, so a fill racing a change is never stored.
- **Served only while NATS is connected**, and emptied after a reconnect, when events may
  have been missed; an entry is never served past ``max_age_s`` either, which bounds what
  an event lost some other way can cost.
- **Bounded** by entries and bytes, least recently used first, pages and assets apart.
- **Strong ETag** (BLAKE2b of the body): ``If-None-Match`` answers 304, from memory on a hit.

Signed-in callers never read or fill it: their pages hold their own private assets.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from litestar import MediaType, Request, Response
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from assetforge.common.contracts.assets import ASSET_EVENTS_FILTER
from assetforge.common.contracts.projects import PROJECT_EVENTS_FILTER
from assetforge.gateway.auth.cache import identity_of
from assetforge.gateway.files.conditional import matches

log = logging.getLogger(__name__)

Header = tuple[bytes, bytes]
Key = tuple[str, bytes]
# Anonymous replies may be kept by browsers but are checked each time (ETag); a shared
# cache never serves them to a request that carries credentials (no `public`).
_CACHE_CONTROL = "no-cache"
_VARY = "Authorization"
AnyRequest = Request[Any, Any, Any]


def etag_of(body: bytes) -> str:
    return f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'


@dataclass(frozen=True, slots=True)
class Kept:
    """A reply as the edge sends it again: headers ready for ASGI."""

    body: bytes
    headers: tuple[Header, ...]
    etag: str
    route: str
    asset_id: str | None
    until: float

    def unchanged_for(self, if_none_match: str | None) -> bool:
        """Whether a conditional GET names this reply (so a 304 answers it)."""
        return matches(if_none_match, self.etag)


class _Shelf:
    """One least-recently-used map with its own bounds."""

    def __init__(self, entries: int, max_bytes: int) -> None:
        self.entries = entries
        self.max_bytes = max_bytes
        self.kept: OrderedDict[Key, Kept] = OrderedDict()
        self.size = 0

    def put(self, key: Key, kept: Kept) -> list[Kept]:
        """Store, and return what was pushed out."""
        self.pop(key)
        self.kept[key] = kept
        self.size += len(kept.body)
        evicted = []
        while self.kept and (len(self.kept) > self.entries or self.size > self.max_bytes):
            _, old = self.kept.popitem(last=False)
            self.size -= len(old.body)
            evicted.append(old)
        return evicted

    def pop(self, key: Key) -> Kept | None:
        old = self.kept.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        return old

    def clear(self) -> None:
        self.kept.clear()
        self.size = 0


class CatalogCache:
    def __init__(
        self,
        entries: int,
        max_bytes: int,
        max_age_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.enabled = entries > 0
        # Half for pages, half for single assets, so a crawl of one cannot evict the other.
        self._pages = _Shelf(max(1, entries // 2), max_bytes // 2)
        self._assets = _Shelf(max(1, entries - entries // 2), max_bytes // 2)
        self._keys_of: dict[str, set[Key]] = {}
        self._max_age = max_age_s
        self._clock = clock
        # Raised by every event: a fill that started under an older value is not kept.
        self.generation = 0
        self._client: Client | None = None
        self._reconnects = 0
        self._subscriptions: list[Subscription] = []

    async def start(self, client: Client) -> None:
        if not self.enabled:
            return
        self._client = client
        self._reconnects = client.stats["reconnects"]
        self._subscriptions = [
            await client.subscribe(ASSET_EVENTS_FILTER, cb=self._asset_changed),
            await client.subscribe(PROJECT_EVENTS_FILTER, cb=self._project_changed),
        ]

    async def stop(self) -> None:
        self._client = None
        for subscription in self._subscriptions:
            try:
                await subscription.unsubscribe()
            except Exception as exc:  # noqa: BLE001 - the connection may already be closing
                log.debug("catalog events unsubscribe failed: %s", exc)
        self._subscriptions = []
        self.clear()

    # -- the edge's side --------------------------------------------------------------

    def lookup(self, path: str, query: bytes) -> Kept | None:
        if not (self._pages.kept or self._assets.kept):
            return None
        client = self._client
        if client is None or not client.is_connected:
            return None
        if client.stats["reconnects"] != self._reconnects:
            # Events sent while we were away are lost to a core subscription.
            self._reconnects = client.stats["reconnects"]
            self.clear()
            return None
        key = (path, query)
        shelf = self._pages if key in self._pages.kept else self._assets
        kept = shelf.kept.get(key)
        if kept is None:
            return None
        if self._clock() >= kept.until:
            self._forget(shelf, key)
            return None
        shelf.kept.move_to_end(key)
        return kept

    # -- the route's side -------------------------------------------------------------

    def ticket(self, request: AnyRequest) -> int | None:
        """The generation before the bus is asked, when this caller's reply may be kept."""
        if not self.enabled or self._client is None or identity_of(request.scope) is not None:
            return None
        return self.generation

    def answer(
        self,
        request: AnyRequest,
        ticket: int | None,
        body: bytes,
        headers: Mapping[str, str] | None = None,
        *,
        asset_id: str | None = None,
    ) -> Response[bytes]:
        """The route's 200, or a 304 for an anonymous caller whose copy is current; kept
        for the next anonymous caller when ``ticket`` is still the current generation.
        A signed-in caller's reply has no ETag: it is ``no-store``, so nothing would
        ever send it back (and hashing 40 KB pages is not free)."""
        if ticket is None:
            return Response(body, media_type=MediaType.JSON, headers=headers)
        etag = etag_of(body)
        sent = {**(headers or {}), "ETag": etag, "Vary": _VARY, "Cache-Control": _CACHE_CONTROL}
        if ticket == self.generation:
            self._keep(request, body, sent, etag, asset_id)
        if matches(request.headers.get("if-none-match"), etag):
            return Response(b"", status_code=304, headers={k: v for k, v in sent.items() if k != "Link"})
        return Response(body, media_type=MediaType.JSON, headers=sent)

    def _keep(self, request: AnyRequest, body: bytes, headers: dict[str, str], etag: str, asset_id: str | None) -> None:
        scope = request.scope
        key = (scope["path"], scope["query_string"])
        raw = tuple((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items())
        kept = Kept(
            body=body,
            headers=((b"content-type", b"application/json"), *raw),
            etag=etag,
            route=scope.get("path_template") or scope["path"],
            asset_id=asset_id,
            until=self._clock() + self._max_age,
        )
        if asset_id is None:
            self._pages.put(key, kept)
            return
        for old in self._assets.put(key, kept):
            self._unindex(old, key)
        self._keys_of.setdefault(asset_id, set()).add(key)

    # -- invalidation -----------------------------------------------------------------

    def clear(self) -> None:
        self.generation += 1
        self._pages.clear()
        self._assets.clear()
        self._keys_of.clear()

    def changed(self, asset_id: str | None = None) -> None:
        """An asset changed (a new one: ``None``): every page goes, and its own entries."""
        self.generation += 1
        self._pages.clear()
        for key in self._keys_of.pop(asset_id, ()) if asset_id else ():
            self._assets.pop(key)

    async def _asset_changed(self, message: Msg) -> None:
        # evt.assets.asset.<id>.<event>
        parts = message.subject.split(".")
        if len(parts) == 5:
            self.changed(parts[3])
        else:
            self.clear()

    async def _project_changed(self, _: Msg) -> None:
        self.clear()

    def _forget(self, shelf: _Shelf, key: Key) -> None:
        old = shelf.pop(key)
        if old is not None:
            self._unindex(old, key)

    def _unindex(self, old: Kept, key: Key) -> None:
        if old.asset_id is not None:
            keys = self._keys_of.get(old.asset_id)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._keys_of[old.asset_id]
