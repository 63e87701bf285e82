"""The identity cache on its own: how long a verified caller is remembered, and when not.

A stale entry here means a request is served as a user after their token expired, their
role changed or they signed out, so each bound and each way of forgetting has a test.
No server is involved; the clock is the real one, with short lifetimes.
"""

from __future__ import annotations

import hashlib
import time

from assetforge.common.bus.context import Principal
from assetforge.gateway.auth.cache import Identity, IdentityCache

TTL_S = 60.0


def digest(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def identity(
    credential: str,
    user_id: str = "user-1",
    *,
    expires_at: float | None = None,
    session: str | None = None,
    api_key_id: str | None = None,
) -> Identity:
    return Identity(
        principal=Principal(user_id=user_id, role="member"),
        credential_hash=digest(credential),
        expires_at=expires_at,
        api_key_id=api_key_id,
        session_key=digest(session) if session else None,
        user={"id": user_id},
    )


def cached(cache: IdentityCache, *identities: Identity) -> list[bool]:
    """Which of the identities the cache still answers with."""
    return [cache.get(item.credential_hash) is item for item in identities]


def test_a_stored_identity_is_found_by_its_credential_and_nothing_else() -> None:
    cache = IdentityCache(max_entries=10, ttl_s=TTL_S)
    token = identity("token-a")
    cache.put(token)
    assert cache.get(token.credential_hash) is token
    assert cache.get(identity("token-b").credential_hash) is None


def test_the_least_recently_used_entry_goes_first_when_the_cache_is_full() -> None:
    cache = IdentityCache(max_entries=2, ttl_s=TTL_S)
    a, b, c = identity("a"), identity("b"), identity("c")
    cache.put(a)
    cache.put(b)
    assert cache.get(a.credential_hash) is a  # a is now the most recently used
    cache.put(c)
    assert cached(cache, a, b, c) == [True, False, True]


def test_without_reads_the_oldest_entry_goes_first() -> None:
    cache = IdentityCache(max_entries=2, ttl_s=TTL_S)
    a, b, c = identity("a"), identity("b"), identity("c")
    for item in (a, b, c):
        cache.put(item)
    assert cached(cache, a, b, c) == [False, True, True]


def test_storing_an_entry_again_makes_it_the_most_recent() -> None:
    cache = IdentityCache(max_entries=2, ttl_s=TTL_S)
    a, b, c = identity("a"), identity("b"), identity("c")
    cache.put(a)
    cache.put(b)
    cache.put(a)  # verified again: a is fresh, b is now the oldest
    cache.put(c)
    assert cached(cache, a, b, c) == [True, False, True]


def test_the_cache_never_holds_more_than_its_bound() -> None:
    cache = IdentityCache(max_entries=3, ttl_s=TTL_S)
    items = [identity(f"token-{n}") for n in range(10)]
    for item in items:
        cache.put(item)
    assert cached(cache, *items) == [False] * 7 + [True] * 3


def test_an_entry_is_forgotten_once_its_ttl_has_passed() -> None:
    cache = IdentityCache(max_entries=10, ttl_s=0.1)
    token = identity("token-a")
    cache.put(token)
    assert cache.get(token.credential_hash) is token
    time.sleep(0.15)
    assert cache.get(token.credential_hash) is None


def test_an_entry_never_outlives_the_credentials_own_expiry() -> None:
    cache = IdentityCache(max_entries=10, ttl_s=TTL_S)
    expiring = identity("token-a", expires_at=time.time() + 0.1)
    cache.put(expiring)
    assert cache.get(expiring.credential_hash) is expiring
    time.sleep(0.15)  # the token expired, well inside the cache's own TTL
    assert cache.get(expiring.credential_hash) is None


def test_an_already_expired_credential_is_never_served() -> None:
    cache = IdentityCache(max_entries=10, ttl_s=TTL_S)
    expired = identity("token-a", expires_at=time.time() - 1)
    cache.put(expired)
    assert cache.get(expired.credential_hash) is None


def test_a_credential_without_an_expiry_lives_for_the_ttl() -> None:
    cache = IdentityCache(max_entries=10, ttl_s=TTL_S)
    key = identity("api-key", expires_at=None, api_key_id="key-1")
    cache.put(key)
    time.sleep(0.01)
    assert cache.get(key.credential_hash) is key


def test_forgetting_a_credential_drops_that_entry_only() -> None:
    cache = IdentityCache(max_entries=10, ttl_s=TTL_S)
    token, key = identity("token-a"), identity("api-key", api_key_id="key-1")
    cache.put(token)
    cache.put(key)
    cache.forget_credential(key.credential_hash)
    cache.forget_credential(identity("never-cached").credential_hash)  # no error
    assert cached(cache, token, key) == [True, False]


def test_forgetting_a_user_drops_every_credential_of_theirs_and_no_one_elses() -> None:
    cache = IdentityCache(max_entries=10, ttl_s=TTL_S)
    token = identity("token-a", "user-1", session="session-1")
    key = identity("api-key", "user-1", api_key_id="key-1")
    other = identity("token-b", "user-2", session="session-2")
    for item in (token, key, other):
        cache.put(item)
    cache.forget_user("user-1")
    assert cached(cache, token, key, other) == [False, False, True]


def test_forgetting_a_session_drops_every_spelling_of_its_tokens_only() -> None:
    cache = IdentityCache(max_entries=10, ttl_s=TTL_S)
    # Two strings that verify as the same token are cached under two hashes.
    spelling_1 = identity("token-a", "user-1", session="session-1")
    spelling_2 = identity("token-a ", "user-1", session="session-1")
    other_session = identity("token-b", "user-1", session="session-2")
    key = identity("api-key", "user-1", api_key_id="key-1")
    for item in (spelling_1, spelling_2, other_session, key):
        cache.put(item)
    cache.forget_session(digest("session-1"))
    assert cached(cache, spelling_1, spelling_2, other_session, key) == [False, False, True, True]
