"""Who may read an asset's files: the assets service decides, as it does for the asset.

``assets.v1.asset.get`` with the caller's principal answers 404 for an asset the caller
may not see, so a file of a private asset is a 404 for anyone but its owner or an
admin, exactly like the asset itself. A page of thumbnails would ask that once per
image, so "this asset is public" is kept for a few seconds (any caller may read a
public asset's files). Any event of the asset drops it at once: every replica listens
on the asset's event subjects with a core subscription. A lost event is bounded by the
TTL. Private answers are never kept.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from typing import Protocol

import msgspec
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from assetforge.common.bus.context import Principal
from assetforge.common.contracts import assets as contract
from assetforge.common.errors import BadRequest, Forbidden, NotFound, ValidationFailed
from assetforge.gateway.files.paths import not_found

log = logging.getLogger(__name__)

TTL_S = 5.0
MAX_ENTRIES = 10_000


class Requester(Protocol):
    """The bus, speaking for the request being served (deps.RequestBus)."""

    async def request_raw(self, subject: str, message: msgspec.Struct) -> bytes: ...


class _Seen(msgspec.Struct, rename="camel"):
    """The two fields of an asset that decide who reads its files."""

    visibility: contract.Visibility
    owner_id: str | None = None


_decoder = msgspec.json.Decoder(_Seen)


async def writable_by(bus: Requester, asset_id: str, principal: Principal) -> str:
    """The owner of an asset the caller may change the files of: its owner or an admin.
    404 when the caller may not see it, 403 when they may see but not change it."""
    seen = _decoder.decode(await bus.request_raw(contract.ASSET_GET, contract.GetAsset(id=asset_id)))
    if seen.owner_id != principal.user_id and not principal.is_admin:
        raise Forbidden("only the asset's owner or an admin may change its files")
    return seen.owner_id or principal.user_id


class AssetAccess:
    def __init__(self, ttl_s: float = TTL_S, max_entries: int = MAX_ENTRIES) -> None:
        self._ttl = ttl_s
        self._max = max_entries
        self._public: OrderedDict[str, float] = OrderedDict()
        # One lookup per asset in flight for anonymous callers; the others wait for it.
        self._pending: dict[str, asyncio.Future[bool]] = {}
        self._subscription: Subscription | None = None

    async def start(self, client: Client) -> None:
        self._subscription = await client.subscribe(contract.ASSET_EVENTS_FILTER, cb=self._changed)

    async def stop(self) -> None:
        if self._subscription is not None:
            try:
                await self._subscription.unsubscribe()
            except Exception as exc:  # noqa: BLE001 - the connection may already be closing
                log.debug("asset events unsubscribe failed: %s", exc)

    async def readable(self, bus: Requester, asset_id: str, *, anonymous: bool) -> bool:
        """Whether the asset is public; raises the file's 404 when the caller may not
        see it at all."""
        until = self._public.get(asset_id)
        if until is not None:
            if time.monotonic() < until:
                return True
            del self._public[asset_id]
        if not anonymous:
            return await self._ask(bus, asset_id)
        lookup = self._pending.get(asset_id)
        if lookup is None:
            # A task of its own: a caller that goes away does not cancel the others' answer.
            lookup = self._pending[asset_id] = asyncio.ensure_future(self._ask(bus, asset_id))
            lookup.add_done_callback(lambda done: self._settled(asset_id, done))
        return await asyncio.shield(lookup)

    def _settled(self, asset_id: str, lookup: asyncio.Future[bool]) -> None:
        self._pending.pop(asset_id, None)
        if not lookup.cancelled():
            # Retrieved, so a failure whose every caller had gone logs nothing.
            lookup.exception()

    def forget(self, asset_id: str) -> None:
        self._public.pop(asset_id, None)

    async def _ask(self, bus: Requester, asset_id: str) -> bool:
        try:
            reply = await bus.request_raw(contract.ASSET_GET, contract.GetAsset(id=asset_id))
        except (NotFound, ValidationFailed, BadRequest):
            raise not_found() from None
        seen = _decoder.decode(reply)
        public = seen.visibility is contract.Visibility.PUBLIC
        if public:
            self._public[asset_id] = time.monotonic() + self._ttl
            self._public.move_to_end(asset_id)
            while len(self._public) > self._max:
                self._public.popitem(last=False)
        return public

    async def _changed(self, message: Msg) -> None:
        tokens = message.subject.split(".")
        if len(tokens) == 5:
            self.forget(tokens[3])
