"""Identity notices: raised by the rules that change an identity, sent once the change
has committed (by the database's after-commit hook, see auth/invalidation.py), so no
replica forgets an identity for a change that then rolled back."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.contracts.identity import IdentityChanged

_KEY = "gateway.identity_notices"


def identity_changed(
    session: AsyncSession, *, user_id: str | None = None, digest: bytes | None = None, session_key: bytes | None = None
) -> None:
    """Queue a notice on the unit of work: every replica forgets what it names after commit."""
    notice = IdentityChanged(
        user_id=user_id,
        credential_hash=digest.hex() if digest else None,
        session_key=session_key.hex() if session_key else None,
    )
    session.info.setdefault(_KEY, []).append(notice)


def take(session: AsyncSession) -> list[IdentityChanged]:
    """The notices a committed unit of work queued (each handed out once)."""
    notices: list[IdentityChanged] = session.info.pop(_KEY, [])
    return notices
