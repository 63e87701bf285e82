"""Every gateway replica forgets cached identities once a change to them has committed.

The rules that change an identity (a role, a profile, settings, a revoked key, a
sign-out) queue an :class:`IdentityChanged` on their unit of work (service/notices.py).
After the commit, the database's after-commit hook hands them here: this replica forgets
at once, before the response leaves, and the notice goes out on core NATS (no queue
group: every replica hears it) so the others forget too. If a notice is lost, the
cache's time limit still bounds how long a replica may act on the old identity
(AUTH_CACHE_TTL_S).
"""

from __future__ import annotations

import asyncio
import logging

import msgspec
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.contracts.identity import IDENTITY_CHANGED, IdentityChanged
from assetforge.gateway.auth.authenticator import Authenticator
from assetforge.gateway.service.notices import take

log = logging.getLogger(__name__)

_decoder = msgspec.json.Decoder(IdentityChanged)


class IdentityEvents:
    def __init__(self, authenticator: Authenticator) -> None:
        self._authenticator = authenticator
        self._client: Client | None = None
        self._subscription: Subscription | None = None
        self._sending: set[asyncio.Task[None]] = set()

    async def start(self, client: Client) -> None:
        self._client = client
        self._subscription = await client.subscribe(IDENTITY_CHANGED, cb=self._received)

    async def stop(self) -> None:
        if self._sending:
            await asyncio.wait(self._sending, timeout=2)
        if self._subscription is not None:
            try:
                await self._subscription.unsubscribe()
            except Exception as exc:  # noqa: BLE001 - the connection may already be closing
                log.debug("identity events unsubscribe failed: %s", exc)

    def after_commit(self, session: AsyncSession) -> None:
        """Hook for ``Database.on_commit``: apply and announce what the unit of work queued."""
        for notice in take(session):
            self._forget(notice)
            if self._client is not None:
                task = asyncio.create_task(self._announce(self._client, notice))
                self._sending.add(task)
                task.add_done_callback(self._sending.discard)

    async def _announce(self, client: Client, notice: IdentityChanged) -> None:
        try:
            await client.publish(IDENTITY_CHANGED, msgspec.json.encode(notice))
        except Exception as exc:  # noqa: BLE001 - the cache's time limit still applies
            log.warning("could not announce an identity change: %s", exc)

    async def _received(self, message: Msg) -> None:
        try:
            self._forget(_decoder.decode(message.data))
        except (msgspec.DecodeError, ValueError):
            log.warning("ignoring a malformed identity notice")

    def _forget(self, notice: IdentityChanged) -> None:
        self._authenticator.forget(
            user_id=notice.user_id,
            digest=bytes.fromhex(notice.credential_hash) if notice.credential_hash else None,
            session_key=bytes.fromhex(notice.session_key) if notice.session_key else None,
        )
