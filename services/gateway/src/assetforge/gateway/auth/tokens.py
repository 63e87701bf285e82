"""Privy access tokens: ES256 JWTs from ``privy.io`` for our app, and nothing else."""

from __future__ import annotations

from dataclasses import dataclass

import jwt

from assetforge.gateway.auth.keys import KeySource, UnknownKey

ISSUER = "privy.io"
ALGORITHM = "ES256"
LEEWAY_S = 30


class InvalidToken(Exception):
    """The token is not a valid Privy access token for this app; the message says why."""


@dataclass(frozen=True, slots=True)
class TokenClaims:
    subject: str
    session_id: str | None
    expires_at: int
    # Development tokens only (AUTH_MODE=dev): the role their user should have.
    dev_role: str | None = None


async def verify_token(token: str, keys: KeySource, audience: str, *, accept_dev_role: bool = False) -> TokenClaims:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError as error:
        raise InvalidToken("malformed token") from error
    # Checked before any key is looked up: no "none", no HS256 keyed with the public key.
    if header.get("alg") != ALGORITHM:
        raise InvalidToken("unsupported signing algorithm")
    kid = header.get("kid")
    try:
        key = await keys.key_for(kid if isinstance(kid, str) else None)
    except UnknownKey as error:
        raise InvalidToken("unknown signing key") from error
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=ISSUER,
            leeway=LEEWAY_S,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise InvalidToken("token expired") from error
    except jwt.InvalidAudienceError as error:
        raise InvalidToken("token is for another application") from error
    except jwt.InvalidIssuerError as error:
        raise InvalidToken("token is not from Privy") from error
    except jwt.PyJWTError as error:
        raise InvalidToken("invalid token") from error
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject:
        raise InvalidToken("token names no user")
    role = claims.get("af_role") if accept_dev_role else None
    return TokenClaims(
        subject=subject,
        session_id=claims.get("sid") if isinstance(claims.get("sid"), str) else None,
        expires_at=int(claims["exp"]),
        dev_role=role if role in {"admin", "member"} else None,
    )
