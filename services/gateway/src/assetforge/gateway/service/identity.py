"""Identity rules: users appear on first sight, sign-ins are recorded, profiles and
settings change, keys are issued and revoked, roles are granted."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.contracts.errors import FieldError
from assetforge.common.errors import BadRequest, NotFound, Unauthorized, ValidationFailed
from assetforge.common.jsonvalue import holds_nul, too_deep
from assetforge.gateway import schemas
from assetforge.gateway.auth import api_keys
from assetforge.gateway.auth.tokens import LEEWAY_S, MAX_LIFETIME_S, TokenClaims
from assetforge.gateway.repository import ActivityRepository, ApiKeyRepository, BlocklistRepository, UserRepository

DEFAULT_ROLE = "member"
SETTINGS_MAX_BYTES = 16 * 1024
SETTINGS_MAX_DEPTH = 8
SETTINGS_MAX_KEY_CHARS = 128
# The activity log names the settings a change touched, not all of them.
ACTIVITY_MAX_KEYS = 20
# An expiry further out is a typo, or an attempt to overflow a date.
API_KEY_MAX_YEARS = 10


async def sign_in(session: AsyncSession, claims: TokenClaims) -> schemas.User:
    """The user a verified token names, created on first sight. A new Privy session is a
    login (recorded in the activity log); otherwise last_login_at moves at most once a minute."""
    users = UserRepository(session)
    user, last_session, created = await users.get_or_create(claims.subject, claims.dev_role or DEFAULT_ROLE)
    user_id = uuid.UUID(user.id)
    if claims.dev_role and claims.dev_role != user.role:
        user = await users.update(user_id, role=claims.dev_role) or user
    if created or (claims.session_id and claims.session_id != last_session):
        user = await users.record_login(user_id, claims.session_id)
        await ActivityRepository(session).add(
            user_id=user.id,
            action="auth.login",
            entity_type="user",
            entity_id=user.id,
            details={"firstSignIn": created},
        )
    else:
        await users.touch_login(user_id)
    return user


async def is_signed_out(session: AsyncSession, session_key: bytes) -> bool:
    return await BlocklistRepository(session).contains(session_key)


async def sign_out(session: AsyncSession, user_id: str, session_key: bytes | None) -> bytes:
    """End the session the presented token belongs to; its key, so caches can forget it.

    Every token of the session is refused, not only the one presented: a token's text is
    not what it is (see auth/tokens.py). The block lasts as long as any token the session
    was issued before now can live.
    """
    if session_key is None:
        raise BadRequest("API keys are not signed out; revoke the key instead")
    until = datetime.now(tz=UTC) + timedelta(seconds=MAX_LIFETIME_S + LEEWAY_S)
    await BlocklistRepository(session).add(session_key, until)
    await ActivityRepository(session).add(user_id=user_id, action="auth.logout", entity_type="user", entity_id=user_id)
    return session_key


@dataclass(frozen=True, slots=True)
class FoundKey:
    user_id: str
    key_id: str
    expires_at: datetime | None


async def purge_signed_out(session: AsyncSession) -> int:
    """Forget blocklisted tokens that have expired anyway; how many went."""
    return await BlocklistRepository(session).purge_expired()


async def find_api_key(session: AsyncSession, key: str) -> FoundKey | None:
    """The live key matching ``key`` (compared in constant time), or None."""
    for candidate in await ApiKeyRepository(session).candidates(api_keys.prefix_of(key)):
        if api_keys.matches(key, bytes(candidate.key_hash)):
            return FoundKey(str(candidate.user_id), str(candidate.id), candidate.expires_at)
    return None


async def mark_key_used(session: AsyncSession, key_id: str) -> None:
    await ApiKeyRepository(session).mark_used(uuid.UUID(key_id))


async def touch_login(session: AsyncSession, user_id: str) -> None:
    await UserRepository(session).touch_login(uuid.UUID(user_id))


async def current_user(session: AsyncSession, user_id: str) -> schemas.User:
    user = await UserRepository(session).get(uuid.UUID(user_id))
    if user is None:
        raise Unauthorized("the account no longer exists")
    return user


async def complete_profile(session: AsyncSession, user_id: str, profile: schemas.CompleteProfile) -> schemas.User:
    user = await UserRepository(session).update(
        uuid.UUID(user_id),
        display_name=profile.display_name.strip(),
        email=profile.email,
        discord_username=profile.discord_username,
        profile_completed=True,
    )
    if user is None:
        raise Unauthorized("the account no longer exists")
    await ActivityRepository(session).add(
        user_id=user_id, action="user.profile_completed", entity_type="user", entity_id=user_id
    )
    return user


async def update_settings(session: AsyncSession, user_id: str, changes: dict[str, Any]) -> schemas.User:
    """Shallow-merge ``changes`` into the user's settings (null removes a key).

    Settings are kept in the identity cache and sent with every ``/api/users/me``, so they
    are bounded: at most ``SETTINGS_MAX_BYTES`` as JSON once merged, ``SETTINGS_MAX_DEPTH``
    levels deep, keys of at most ``SETTINGS_MAX_KEY_CHARS`` characters.
    """
    _check_settings(changes)
    users = UserRepository(session)
    user = await current_user(session, user_id)
    merged = {**user.settings, **changes}
    merged = {key: value for key, value in merged.items() if value is not None}
    size = len(msgspec.json.encode(merged))
    if size > SETTINGS_MAX_BYTES:
        raise _invalid("settings", f"may take at most {SETTINGS_MAX_BYTES} bytes as JSON; these would take {size}")
    updated = await users.update(uuid.UUID(user_id), settings=merged)
    keys = sorted(changes)
    await ActivityRepository(session).add(
        user_id=user_id,
        action="user.settings_updated",
        entity_type="user",
        entity_id=user_id,
        details={"keys": keys[:ACTIVITY_MAX_KEYS], "keyCount": len(keys)},
    )
    return updated or user


def _check_settings(changes: dict[str, Any]) -> None:
    if holds_nul(changes):
        raise _invalid("settings", "must not contain NUL (U+0000) characters")
    if any(len(key) > SETTINGS_MAX_KEY_CHARS for key in changes):
        raise _invalid("settings", f"keys may be at most {SETTINGS_MAX_KEY_CHARS} characters")
    if too_deep(changes, SETTINGS_MAX_DEPTH):
        raise _invalid("settings", f"may nest at most {SETTINGS_MAX_DEPTH} levels")


async def create_api_key(
    session: AsyncSession, user_id: str, request: schemas.CreateApiKey, *, live: bool
) -> schemas.ApiKeyCreated:
    if request.expires_at is not None:
        _check_expiry(request.expires_at)
    new = api_keys.generate(live=live)
    key_id = await ApiKeyRepository(session).add(
        uuid.UUID(user_id), request.name.strip(), new.prefix, new.digest, request.expires_at
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
        raise _invalid("expiresAt", "must include a time zone")
    try:
        # An extreme offset can push the instant out of datetime's range (year 1 to 9999).
        instant = expires_at.astimezone(UTC)
    except OverflowError as error:
        raise _invalid("expiresAt", f"must be within {API_KEY_MAX_YEARS} years from now") from error
    now = datetime.now(tz=UTC)
    if instant <= now:
        raise _invalid("expiresAt", "must be in the future")
    if instant > now + timedelta(days=365 * API_KEY_MAX_YEARS):
        raise _invalid("expiresAt", f"must be within {API_KEY_MAX_YEARS} years from now")


async def list_api_keys(session: AsyncSession, user_id: str) -> schemas.ApiKeyList:
    return schemas.ApiKeyList(keys=await ApiKeyRepository(session).for_user(uuid.UUID(user_id)))


async def revoke_api_key(session: AsyncSession, user_id: str, key_id: uuid.UUID) -> bytes:
    """Revoke the key; its hash, so caches can forget it."""
    digest = await ApiKeyRepository(session).revoke(uuid.UUID(user_id), key_id)
    if digest is None:
        raise NotFound("API key not found")
    await ActivityRepository(session).add(
        user_id=user_id, action="api_key.revoked", entity_type="api_key", entity_id=str(key_id)
    )
    return digest


async def list_users(
    session: AsyncSession, role: str | None, search: str | None, limit: int, offset: int
) -> schemas.UserPage:
    users, total = await UserRepository(session).page(role, search, limit, offset)
    return schemas.UserPage(users=users, total=total, limit=limit, offset=offset)


async def change_role(session: AsyncSession, admin_id: str, user_id: uuid.UUID, role: str) -> schemas.User:
    if str(user_id) == admin_id:
        raise BadRequest("you cannot change your own role")
    user = await UserRepository(session).update(user_id, role=role)
    if user is None:
        raise NotFound("user not found")
    await ActivityRepository(session).add(
        user_id=admin_id,
        action="user.role_changed",
        entity_type="user",
        entity_id=str(user_id),
        details={"role": role},
    )
    return user


async def activity_page(
    session: AsyncSession, user_id: str | None, action: str | None, page: int, limit: int
) -> schemas.ActivityPage:
    entries, total = await ActivityRepository(session).page(user_id, action, limit, (page - 1) * limit)
    return schemas.ActivityPage(entries=entries, page=page, limit=limit, total=total)


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{field} {message}", [FieldError(field=field, message=message)])
