"""Signing out: a session ends, and every token it was issued is refused from then on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.errors import BadRequest
from assetforge.gateway.repository.activity import ActivityRepository
from assetforge.gateway.repository.blocklist import BlocklistRepository
from assetforge.gateway.service.notices import identity_changed

# Privy's tokens live an hour, development tokens a day: a token that claims to live
# longer is refused (auth/tokens.py), so a block of this length covers every token a
# session was issued before it was signed out.
TOKEN_MAX_LIFETIME_S = 7 * 24 * 3600
# The clock skew tokens are allowed.
LEEWAY_S = 30


async def is_signed_out(session: AsyncSession, session_key: bytes) -> bool:
    return await BlocklistRepository(session).contains(session_key)


async def sign_out(session: AsyncSession, user_id: str, session_key: bytes | None) -> None:
    """End the session the presented token belongs to.

    Every token of the session is refused, not only the one presented: a token's text is
    not what it is (see auth/tokens.py), and a refreshed token is the same session.
    """
    if session_key is None:
        raise BadRequest("API keys are not signed out; revoke the key instead")
    until = datetime.now(tz=UTC) + timedelta(seconds=TOKEN_MAX_LIFETIME_S + LEEWAY_S)
    await BlocklistRepository(session).add(session_key, until)
    await ActivityRepository(session).add(user_id=user_id, action="auth.logout", entity_type="user", entity_id=user_id)
    identity_changed(session, session_key=session_key)


async def purge_signed_out(session: AsyncSession) -> int:
    """Forget signed-out sessions whose tokens have all expired; how many went."""
    return await BlocklistRepository(session).purge_expired()
