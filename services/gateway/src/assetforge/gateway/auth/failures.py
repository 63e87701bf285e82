"""Why a presented credential was refused: the ``outcome`` label of ``auth_attempts_total``,
named here once, so rewording a message cannot change a metric."""

from __future__ import annotations

from enum import StrEnum

from assetforge.common.errors import Unauthorized


class Failure(StrEnum):
    MALFORMED = "malformed"  # the Authorization header is not "Bearer <credential>"
    INVALID = "invalid"  # not a well-formed, correctly signed token with valid claims
    EXPIRED = "expired"
    SIGNED_OUT = "signed_out"
    UNKNOWN_KEY = "unknown_key"  # signed with a key Privy does not publish
    BAD_ALGORITHM = "bad_algorithm"
    WRONG_AUDIENCE = "wrong_audience"
    WRONG_ISSUER = "wrong_issuer"
    INVALID_KEY = "invalid_key"  # an af_ key that matches no live key


class CredentialRefused(Unauthorized):
    """A 401 for a presented credential, with the reason metrics count it under."""

    def __init__(self, message: str, reason: Failure) -> None:
        super().__init__(message)
        self.reason = reason
