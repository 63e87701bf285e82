"""Users: they appear on first sight, sign in, complete their profile, keep settings,
are granted roles, and are deleted."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.contracts.identity import ProfileCompleted, UserDeleted, user_event_subject
from assetforge.common.errors import BadRequest, NotFound, Unauthorized, ValidationFailed
from assetforge.common.jsonvalue import holds_nul, too_deep
from assetforge.gateway import schemas
from assetforge.gateway.repository.activity import ActivityRepository
from assetforge.gateway.repository.api_keys import ApiKeyRepository
from assetforge.gateway.repository.users import UserRepository, add_user_event
from assetforge.gateway.service.notices import identity_changed

DEFAULT_ROLE = "member"
SETTINGS_MAX_BYTES = 16 * 1024
SETTINGS_MAX_DEPTH = 8
SETTINGS_MAX_KEY_CHARS = 128
# The activity log names the settings a change touched, not all of them.
ACTIVITY_MAX_KEYS = 20


@dataclass(frozen=True, slots=True)
class SignIn:
    """Who a verified credential says the caller is."""

    subject: str  # the Privy DID
    session_id: str | None
    # Development tokens only (AUTH_MODE=dev): the role their user should have.
    dev_role: schemas.Role | None = None


async def sign_in(session: AsyncSession, who: SignIn) -> schemas.User:
    """The user a verified token names, created on first sight. A new Privy session is a
    login (recorded in the activity log); otherwise last_login_at moves at most once a minute."""
    users = UserRepository(session)
    seen = await users.get_or_create(who.subject, who.dev_role or DEFAULT_ROLE)
    if seen.deleted:
        raise Unauthorized("this account has been deleted")
    user, last_session, created = seen.user, seen.last_session_id, seen.created
    user_id = uuid.UUID(user.id)
    if who.dev_role and who.dev_role != user.role:
        user = await users.set_role(user_id, who.dev_role) or user
    if created or (who.session_id and who.session_id != last_session):
        user = await users.record_login(user_id, who.session_id)
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


async def touch_login(session: AsyncSession, user_id: str) -> None:
    await UserRepository(session).touch_login(uuid.UUID(user_id))


async def current_user(session: AsyncSession, user_id: str) -> schemas.User:
    user = await UserRepository(session).get(uuid.UUID(user_id))
    if user is None:
        raise Unauthorized("the account no longer exists")
    return user


async def complete_profile(session: AsyncSession, user_id: str, profile: schemas.CompleteProfile) -> schemas.User:
    """Store the profile; emits ``evt.gateway.user.<id>.profile_completed`` (each time)."""
    tidy = msgspec.structs.replace(profile, display_name=profile.display_name.strip())
    users = UserRepository(session)
    user = await users.complete_profile(uuid.UUID(user_id), tidy)
    if user is None:
        raise Unauthorized("the account no longer exists")
    await ActivityRepository(session).add(
        user_id=user_id, action="user.profile_completed", entity_type="user", entity_id=user_id
    )
    event = ProfileCompleted(
        user_id=user_id,
        joined_at=user.created_at,
        signup_number=await users.signup_number(user),
        completed_at=datetime.now(tz=UTC),
    )
    await add_user_event(session, user_event_subject(user_id, "profile_completed"), event)
    identity_changed(session, user_id=user_id)
    return user


async def update_settings(session: AsyncSession, user_id: str, changes: dict[str, Any]) -> schemas.User:
    """Shallow-merge ``changes`` into the user's settings (null removes a key).

    Settings are kept in the identity cache and sent with every ``/api/users/me``, so they
    are bounded: at most ``SETTINGS_MAX_BYTES`` as JSON once merged, ``SETTINGS_MAX_DEPTH``
    levels deep, keys of at most ``SETTINGS_MAX_KEY_CHARS`` characters.
    """
    _check_settings(changes)
    user = await current_user(session, user_id)
    merged = {key: value for key, value in {**user.settings, **changes}.items() if value is not None}
    size = len(msgspec.json.encode(merged))
    if size > SETTINGS_MAX_BYTES:
        raise ValidationFailed.of(
            "settings", f"may take at most {SETTINGS_MAX_BYTES} bytes as JSON; these would take {size}"
        )
    updated = await UserRepository(session).set_settings(uuid.UUID(user_id), merged)
    keys = sorted(changes)
    await ActivityRepository(session).add(
        user_id=user_id,
        action="user.settings_updated",
        entity_type="user",
        entity_id=user_id,
        details={"keys": keys[:ACTIVITY_MAX_KEYS], "keyCount": len(keys)},
    )
    identity_changed(session, user_id=user_id)
    return updated or user


def _check_settings(changes: dict[str, Any]) -> None:
    if holds_nul(changes):
        raise ValidationFailed.of("settings", "must not contain NUL (U+0000) characters")
    if any(len(key) > SETTINGS_MAX_KEY_CHARS for key in changes):
        raise ValidationFailed.of("settings", f"keys may be at most {SETTINGS_MAX_KEY_CHARS} characters")
    if too_deep(changes, SETTINGS_MAX_DEPTH):
        raise ValidationFailed.of("settings", f"may nest at most {SETTINGS_MAX_DEPTH} levels")


async def list_users(
    session: AsyncSession, role: str | None, search: str | None, limit: int, offset: int
) -> schemas.UserPage:
    users, total = await UserRepository(session).page(role, search, limit, offset)
    return schemas.UserPage(users=users, total=total, limit=limit, offset=offset)


async def change_role(session: AsyncSession, admin_id: str, user_id: uuid.UUID, role: schemas.Role) -> schemas.User:
    if str(user_id) == admin_id:
        raise BadRequest("you cannot change your own role")
    user = await UserRepository(session).set_role(user_id, role)
    if user is None:
        raise NotFound("user not found")
    await ActivityRepository(session).add(
        user_id=admin_id,
        action="user.role_changed",
        entity_type="user",
        entity_id=str(user_id),
        details={"role": role},
    )
    identity_changed(session, user_id=user.id)
    return user


async def delete_user(session: AsyncSession, admin_id: str, user_id: uuid.UUID) -> None:
    """Delete a user (not oneself): signed out everywhere, their API keys revoked, their
    row emptied of personal data and kept so their DID cannot sign back in; emits
    ``evt.gateway.user.<id>.deleted`` so other services can let go of what is theirs."""
    if str(user_id) == admin_id:
        raise BadRequest("you cannot delete your own account")
    deleted_at = await UserRepository(session).delete(user_id)
    if deleted_at is None:
        raise NotFound("user not found")
    for digest in await ApiKeyRepository(session).revoke_all(user_id):
        identity_changed(session, digest=digest)
    # Every cached identity of the user (tokens and keys) on every replica, once committed.
    identity_changed(session, user_id=str(user_id))
    await ActivityRepository(session).add(
        user_id=admin_id, action="user.deleted", entity_type="user", entity_id=str(user_id)
    )
    event = UserDeleted(user_id=str(user_id), deleted_at=deleted_at)
    await add_user_event(session, user_event_subject(str(user_id), "deleted"), event)
