"""Identity notices between gateway replicas."""

from __future__ import annotations

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
