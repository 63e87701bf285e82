"""Tell every gateway replica to forget cached identities after a change.

A role change, a revoked key or a sign-out is written to the database first; then this
publishes on core NATS (no queue group: every replica hears it) so each replica drops
the affected cache entries. If a notice is lost, the cache's time limit still bounds
how long a replica may act on the old identity (AUTH_CACHE_TTL_S).
"""

from __future__ import annotations

import logging

import msgspec
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from assetforge.gateway.auth.authenticator import Authenticator

log = logging.getLogger(__name__)

SUBJECT = "gateway.v1.identity.changed"


class IdentityChanged(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    user_id: str | None = None
    # Hex SHA-256 of a credential that must no longer be honoured.
    credential_hash: str | None = None
    # Hex session key (auth/tokens.py) of a session that was signed out.
    session_key: str | None = None


class IdentityEvents:
    def __init__(self, authenticator: Authenticator) -> None:
        self._authenticator = authenticator
        self._client: Client | None = None
        self._subscription: Subscription | None = None

    async def start(self, client: Client) -> None:
        self._client = client
        self._subscription = await client.subscribe(SUBJECT, cb=self._received)

    async def stop(self) -> None:
        if self._subscription is not None:
            try:
                await self._subscription.unsubscribe()
            except Exception as exc:  # noqa: BLE001 - the connection may already be closing
                log.debug("identity events unsubscribe failed: %s", exc)

    async def announce(
        self, *, user_id: str | None = None, digest: bytes | None = None, session_key: bytes | None = None
    ) -> None:
        """Forget here at once, then tell the other replicas."""
        self._authenticator.forget(user_id=user_id, digest=digest, session_key=session_key)
        if self._client is None:
            return
        notice = IdentityChanged(
            user_id=user_id,
            credential_hash=digest.hex() if digest else None,
            session_key=session_key.hex() if session_key else None,
        )
        try:
            await self._client.publish(SUBJECT, msgspec.json.encode(notice))
        except Exception as exc:  # noqa: BLE001 - the cache's time limit still applies
            log.warning("could not announce an identity change: %s", exc)

    async def _received(self, message: Msg) -> None:
        try:
            notice = msgspec.json.decode(message.data, type=IdentityChanged)
            digest = bytes.fromhex(notice.credential_hash) if notice.credential_hash else None
            session_key = bytes.fromhex(notice.session_key) if notice.session_key else None
        except (msgspec.DecodeError, ValueError):
            log.warning("ignoring a malformed identity notice")
            return
        self._authenticator.forget(user_id=notice.user_id, digest=digest, session_key=session_key)
