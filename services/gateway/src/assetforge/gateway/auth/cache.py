"""Verified identities, kept briefly so a hot path does not verify a signature (or
look up an API key) on every request.

Keyed by the SHA-256 of the presented credential, bounded in size (least recently used
goes first) and in age. Entries for a user are dropped when that user changes (role,
profile, keys, sign-out), on this replica directly and on the others through the
bus (see ``identity.IdentityEvents``).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assetforge.common.bus.context import Principal


@dataclass(frozen=True, slots=True)
class Identity:
    principal: Principal
    credential_hash: bytes
    # When the credential itself stops being valid (token expiry), as a Unix time.
    expires_at: float | None
    api_key_id: str | None
    # The Privy session a token belongs to (tokens.session_key); None for API keys.
    session_key: bytes | None
    # The user as /api/users/me shows it, so that route needs no query either.
    user: Any


# Where the edge leaves the caller it authenticated, in the ASGI scope of the request.
IDENTITY = "af.identity"


def identity_of(scope: Any) -> Identity | None:
    """The caller the edge authenticated for this request, if any."""
    identity: Identity | None = scope.get(IDENTITY)
    return identity


class IdentityCache:
    def __init__(self, max_entries: int, ttl_s: float) -> None:
        self._entries: OrderedDict[bytes, tuple[float, Identity]] = OrderedDict()
        self._max = max_entries
        self._ttl = ttl_s

    def get(self, credential_hash: bytes) -> Identity | None:
        found = self._entries.get(credential_hash)
        if found is None:
            return None
        stored_until, identity = found
        now = time.monotonic()
        if now >= stored_until or (identity.expires_at is not None and time.time() >= identity.expires_at):
            del self._entries[credential_hash]
            return None
        self._entries.move_to_end(credential_hash)
        return identity

    def put(self, identity: Identity) -> None:
        self._entries[identity.credential_hash] = (time.monotonic() + self._ttl, identity)
        self._entries.move_to_end(identity.credential_hash)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def forget_credential(self, credential_hash: bytes) -> None:
        self._entries.pop(credential_hash, None)

    def forget_user(self, user_id: str) -> None:
        self._forget_where(lambda identity: identity.principal.user_id == user_id)

    def forget_session(self, session_key: bytes) -> None:
        """Every cached spelling of the session's tokens: several strings verify as one token."""
        self._forget_where(lambda identity: identity.session_key == session_key)

    def _forget_where(self, stale: Callable[[Identity], bool]) -> None:
        for key in [key for key, (_, identity) in self._entries.items() if stale(identity)]:
            del self._entries[key]
