"""Personal API keys: ``af_live_…`` in production, ``af_test_…`` elsewhere; issued,
listed, found for a presented key, and revoked.

32 random bytes, shown once. Stored as SHA-256 (a key has 256 bits of entropy, so a
slow password hash adds nothing) with a short prefix to find the row; the hash is
compared in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.errors import NotFound, ValidationFailed
from assetforge.gateway import schemas
from assetforge.gateway.repository.activity import ActivityRepository
from assetforge.gateway.repository.api_keys import ApiKeyRepository
from assetforge.gateway.service.notices import identity_changed

LIVE = "af_live_"
TEST = "af_test_"
# The environment tag and eight characters of the secret: enough to find the row,
# useless for guessing the rest.
PREFIX_LENGTH = len(LIVE) + 8
# An expiry further out is a typo, or an attempt to overflow a date.
MAX_YEARS = 10


@dataclass(frozen=True, slots=True)
class NewKey:
    key: str
    prefix: str
    digest: bytes


def generate(*, live: bool) -> NewKey:
    secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    key = (LIVE if live else TEST) + secret
    return NewKey(key=key, prefix=key[:PREFIX_LENGTH], digest=digest(key))


def looks_like_key(token: str) -> bool:
    return token.startswith((LIVE, TEST)) and len(token) > PREFIX_LENGTH


def prefix_of(key: str) -> str:
    return key[:PREFIX_LENGTH]


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def matches(key: str, stored: bytes) -> bool:
    return hmac.compare_digest(digest(key), stored)


async def find_api_key(session: AsyncSession, key: str) -> schemas.FoundKey | None:
    """The live key matching ``key`` (compared in constant time), or None."""
    for candidate in await ApiKeyRepository(session).candidates(prefix_of(key)):
        if matches(key, bytes(candidate.key_hash)):
            return schemas.FoundKey(str(candidate.user_id), str(candidate.id), candidate.expires_at)
    return None


async def mark_key_used(session: AsyncSession, key_id: str) -> None:
    await ApiKeyRepository(session).mark_used(uuid.UUID(key_id))


async def create_api_key(
    session: AsyncSession, user_id: str, request: schemas.CreateApiKey, *, live: bool
) -> schemas.ApiKeyCreated:
    if request.expires_at is not None:
        _check_expiry(request.expires_at)
    new = generate(live=live)
    name = request.name.strip()
    key_id = await ApiKeyRepository(session).add(
        schemas.NewApiKey(user_id, name, new.prefix, new.digest, request.expires_at)
    )
    await ActivityRepository(session).add(
        user_id=user_id,
        action="api_key.created",
        entity_type="api_key",
        entity_id=key_id,
        details={"name": request.name, "prefix": new.prefix},
    )
    return schemas.ApiKeyCreated(key=new.key, key_id=key_id, prefix=new.prefix)


def _check_expiry(expires_at: datetime) -> None:
    if expires_at.tzinfo is None:
        raise ValidationFailed.of("expiresAt", "must include a time zone")
    try:
        # An extreme offset can push the instant out of datetime's range (year 1 to 9999).
        instant = expires_at.astimezone(UTC)
    except OverflowError as error:
        raise ValidationFailed.of("expiresAt", f"must be within {MAX_YEARS} years from now") from error
    now = datetime.now(tz=UTC)
    if instant <= now:
        raise ValidationFailed.of("expiresAt", "must be in the future")
    if instant > now + timedelta(days=365 * MAX_YEARS):
        raise ValidationFailed.of("expiresAt", f"must be within {MAX_YEARS} years from now")


async def list_api_keys(session: AsyncSession, user_id: str) -> schemas.ApiKeyList:
    return schemas.ApiKeyList(keys=await ApiKeyRepository(session).for_user(uuid.UUID(user_id)))


async def revoke_api_key(session: AsyncSession, user_id: str, key_id: uuid.UUID) -> None:
    """Revoke one of the user's keys; every replica forgets it once this commits."""
    digest_of_key = await ApiKeyRepository(session).revoke(uuid.UUID(user_id), key_id)
    if digest_of_key is None:
        raise NotFound("API key not found")
    await ActivityRepository(session).add(
        user_id=user_id, action="api_key.revoked", entity_type="api_key", entity_id=str(key_id)
    )
    identity_changed(session, digest=digest_of_key)
