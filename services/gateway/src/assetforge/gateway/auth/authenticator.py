"""One authenticator for every route: ``Authorization: Bearer <token>`` becomes an
:class:`Identity`, or a 401 when the credential is present but not valid.

Hot path: a credential seen recently is answered from the identity cache, with no
signature check and no query. First sight of a Privy token: the signature and claims
are verified, the blocklist is consulted, the user is created or signed in. First sight
of an API key: the key is looked up by prefix and compared by hash.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter

from assetforge.common.bus.context import Principal
from assetforge.common.db import Database
from assetforge.gateway.auth.cache import Identity, IdentityCache
from assetforge.gateway.auth.failures import CredentialRefused, Failure
from assetforge.gateway.auth.keys import KeySource
from assetforge.gateway.auth.tokens import InvalidToken, verify_token
from assetforge.gateway.service import api_keys, sign_out, users
from assetforge.gateway.service.api_keys import looks_like_key
from assetforge.gateway.service.users import SignIn
from assetforge.gateway.settings import AuthSettings

log = logging.getLogger(__name__)

# Background writes (last_used_at, last_login_at) happen at most this often per key or user.
TOUCH_INTERVAL_S = 60.0


@dataclass(frozen=True, slots=True)
class AuthMetrics:
    outcomes: Counter


def make_auth_metrics(registry: CollectorRegistry) -> AuthMetrics:
    return AuthMetrics(
        outcomes=Counter(
            "auth_attempts_total",
            "Credentials presented, by kind and outcome",
            ["kind", "outcome"],
            registry=registry,
        )
    )


def credential_hash(credential: str) -> bytes:
    return hashlib.sha256(credential.encode()).digest()


class Authenticator:
    def __init__(self, settings: AuthSettings, database: Database, keys: KeySource, metrics: AuthMetrics) -> None:
        self._settings = settings
        self._database = database
        self._keys = keys
        self._cache = IdentityCache(settings.cache_entries, settings.cache_ttl_s)
        self._outcomes = metrics.outcomes
        self._last_touch: dict[str, float] = {}
        self._background: set[asyncio.Task[None]] = set()

    def cached(self, authorization: str) -> Identity | None:
        """The identity of a credential verified recently, without verifying anything."""
        _, _, credential = authorization.partition(" ")
        return self._cache.get(credential_hash(credential.strip()))

    async def authenticate(self, authorization: str | None) -> Identity | None:
        """None when no credential was presented; raises Unauthorized for a bad one."""
        if authorization is None:
            return None
        scheme, _, credential = authorization.partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential or " " in credential:
            self._outcomes.labels("unknown", Failure.MALFORMED).inc()
            raise CredentialRefused("the Authorization header must be 'Bearer <token>'", Failure.MALFORMED)
        digest = credential_hash(credential)
        cached = self._cache.get(digest)
        kind = "api_key" if looks_like_key(credential) else "token"
        if cached is not None:
            self._outcomes.labels(kind, "cached").inc()
            self._after_use(cached)
            return cached
        try:
            found = await (self._api_key(credential, digest) if kind == "api_key" else self._token(credential, digest))
        except CredentialRefused as error:
            self._outcomes.labels(kind, error.reason).inc()
            raise
        self._outcomes.labels(kind, "verified").inc()
        self._cache.put(found)
        return found

    def forget(
        self, *, user_id: str | None = None, digest: bytes | None = None, session_key: bytes | None = None
    ) -> None:
        """Drop cached identities after a change to a user, a credential or a session."""
        if digest is not None:
            self._cache.forget_credential(digest)
        if user_id is not None:
            self._cache.forget_user(user_id)
        if session_key is not None:
            self._cache.forget_session(session_key)

    async def _token(self, token: str, digest: bytes) -> Identity:
        try:
            claims = await verify_token(
                token, self._keys, self._settings.app_id, accept_dev_role=self._settings.mode == "dev"
            )
        except InvalidToken as error:
            raise CredentialRefused(str(error), error.reason) from error
        async with self._database.unit_of_work() as session:
            if await sign_out.is_signed_out(session, claims.session_key):
                raise CredentialRefused("token signed out", Failure.SIGNED_OUT)
            user = await users.sign_in(session, SignIn(claims.subject, claims.session_id, claims.dev_role))
        self._last_touch[user.id] = time.monotonic()
        principal = Principal(user_id=user.id, role=user.role)
        return Identity(principal, digest, float(claims.expires_at), None, claims.session_key, user)

    async def _api_key(self, key: str, digest: bytes) -> Identity:
        async with self._database.unit_of_work() as session:
            found = await api_keys.find_api_key(session, key)
            if found is None:
                raise CredentialRefused("invalid API key", Failure.INVALID_KEY)
            user = await users.current_user(session, found.user_id)
            await api_keys.mark_key_used(session, found.key_id)
        self._last_touch[found.key_id] = time.monotonic()
        # The cache must not outlive the key's own expiry.
        expires_at = found.expires_at.timestamp() if found.expires_at else None
        return Identity(Principal(user_id=user.id, role=user.role), digest, expires_at, found.key_id, None, user)

    def _after_use(self, identity: Identity) -> None:
        """Record use in the background, at most once a minute per key or user."""
        subject = identity.api_key_id or identity.principal.user_id
        now = time.monotonic()
        if now - self._last_touch.get(subject, float("-inf")) < TOUCH_INTERVAL_S:
            return
        self._last_touch[subject] = now
        if identity.api_key_id is not None:
            self._spawn(lambda session: api_keys.mark_key_used(session, subject))
        else:
            self._spawn(lambda session: users.touch_login(session, subject))

    def _spawn(self, write: Callable[..., Awaitable[None]]) -> None:
        async def run() -> None:
            try:
                async with self._database.unit_of_work() as session:
                    await write(session)
            except Exception as exc:  # noqa: BLE001 - bookkeeping must never fail a request
                log.warning("could not record credential use: %s", exc)

        task = asyncio.create_task(run())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def purge_blocklist_forever(self, every_s: float = 3600.0) -> None:
        """Every hour, drop blocklist rows whose tokens have expired (run as a task)."""
        while True:
            try:
                async with self._database.unit_of_work() as session:
                    purged = await sign_out.purge_signed_out(session)
                if purged:
                    log.info("purged %d expired signed-out tokens", purged)
            except Exception as exc:  # noqa: BLE001 - try again next time
                log.warning("could not purge the token blocklist: %s", exc)
            await asyncio.sleep(every_s)

    async def drain(self) -> None:
        if self._background:
            await asyncio.wait(self._background, timeout=5)
