"""Identity notices between gateway replicas, and the gateway's events about users."""

from __future__ import annotations

from datetime import datetime

import msgspec

# Core NATS, no queue group: every gateway replica hears every notice.
IDENTITY_CHANGED = "gateway.v1.identity.changed"


class IdentityChanged(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """Forget cached identities: a user changed (role, profile, settings), a credential was
    revoked, or a session was signed out. Sent only after the change has committed."""

    user_id: str | None = None
    # Hex SHA-256 of a credential (an API key) that must no longer be honoured.
    credential_hash: str | None = None
    # Hex session key (the gateway's auth/tokens.py) of a session that was signed out.
    session_key: str | None = None


# Domain events about users, published through the gateway's outbox.
PROFILE_COMPLETED_FILTER = "evt.gateway.user.*.profile_completed"
USER_DELETED_FILTER = "evt.gateway.user.*.deleted"


def user_event_subject(user_id: str, event: str) -> str:
    return f"evt.gateway.user.{user_id}.{event}"


class ProfileCompleted(msgspec.Struct, frozen=True, rename="camel"):
    """Event: a user completed their profile (sent again each time they complete it)."""

    user_id: str
    # When the user signed up, and their place in sign-up order (1 = the first user):
    # facts about the account that rules elsewhere (achievements) may use.
    joined_at: datetime
    signup_number: int
    completed_at: datetime


class UserDeleted(msgspec.Struct, frozen=True, rename="camel"):
    """Event: an administrator deleted a user; what other services keep about them
    personally may go (what they made is theirs to decide)."""

    user_id: str
    deleted_at: datetime
