"""Privy access tokens: ES256 JWTs from ``privy.io`` for our app, and nothing else.

Parsed strictly, by this module rather than a general JWT library, because a general
library is lenient exactly where an attacker needs it to be (tried against the running
gateway): its base64url decoder accepts padding, stray characters and non-zero spare
bits, so several strings verify as one token, and it raises error classes of its own
for header fields of an unexpected type. Here:

- a token is three segments of canonical, unpadded base64url (re-encoding a segment
  gives it back), at most ``MAX_TOKEN_CHARS`` long, or it is refused before anything else;
- the header is a JSON object with ``alg`` = ES256, and optionally a string ``kid`` and
  ``typ``; ``crit``, ``b64`` and anything else that would change how the token is read
  are refused;
- the signature is 64 bytes (r || s) checked with ``cryptography``;
- the claims are typed: strings are strings, dates are numbers (not booleans) within
  range, and a token may not live longer than ``MAX_LIFETIME_S``.

ECDSA signatures stay malleable ((r, s) and (r, n - s) both verify), so a verified
token's text is not what it *is*: :attr:`TokenClaims.session_key` is, and sign-out
revokes that.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import time
from dataclasses import dataclass
from typing import Any

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.hashes import SHA256

from assetforge.gateway.auth.failures import Failure
from assetforge.gateway.auth.keys import KeySource, UnknownKey
from assetforge.gateway.schemas.fields import Role
from assetforge.gateway.service.sign_out import LEEWAY_S, TOKEN_MAX_LIFETIME_S

ISSUER = "privy.io"
ALGORITHM = "ES256"
# Privy's access tokens are far shorter (about 1 KB); this bounds the work for garbage.
MAX_TOKEN_CHARS = 8192
# A token may not live longer than a sign-out blocks its session (service/sign_out.py).
MAX_LIFETIME_S = TOKEN_MAX_LIFETIME_S
# Seconds since 1970 beyond this (the year 2242) are not a date a token can carry.
_LATEST = 2**33
_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")
_HEADER_FIELDS = frozenset({"alg", "kid", "typ"})


class InvalidToken(Exception):
    """The token is not a valid Privy access token for this app; the message says why."""

    def __init__(self, message: str, reason: Failure = Failure.INVALID) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class TokenClaims:
    subject: str
    session_id: str | None
    expires_at: int
    # What a sign-out revokes: the session (or, without one, the user's sign-in instant).
    session_key: bytes
    # Development tokens only (AUTH_MODE=dev): the role their user should have.
    dev_role: Role | None = None


class _Claims(msgspec.Struct, frozen=True):
    iss: str
    aud: str | list[str]
    sub: str
    iat: int | float
    exp: int | float
    sid: str | msgspec.UnsetType = msgspec.UNSET
    nbf: int | float | msgspec.UnsetType = msgspec.UNSET
    af_role: Any = None


_claims_decoder = msgspec.json.Decoder(_Claims)


def _segment(text: str) -> bytes:
    """The bytes of one canonical base64url segment, or InvalidToken."""
    if _SEGMENT.fullmatch(text) is None or len(text) % 4 == 1:
        raise InvalidToken("malformed token")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise InvalidToken("malformed token") from error
    # Spare bits in the last character must be zero: only one spelling per byte string.
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != text:
        raise InvalidToken("malformed token")
    return raw


def _json(raw: bytes) -> Any:
    try:
        return msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError) as error:
        raise InvalidToken("malformed token") from error


def _key_id(header: Any) -> str | None:
    """The header's key id, after checking that the header says nothing else."""
    if not isinstance(header, dict):
        raise InvalidToken("malformed token")
    # Checked before any key is looked up: no "none", no HS256 keyed with the public key.
    if header.get("alg") != ALGORITHM:
        raise InvalidToken("unsupported signing algorithm", Failure.BAD_ALGORITHM)
    if "crit" in header or "b64" in header:
        raise InvalidToken("unsupported token header")
    kid, typ = header.get("kid"), header.get("typ")
    if not (kid is None or isinstance(kid, str)) or not (typ is None or isinstance(typ, str)):
        raise InvalidToken("malformed token")
    return kid


def _verify_signature(key: Any, signing_input: bytes, signature: bytes) -> None:
    if len(signature) != 64:
        raise InvalidToken("invalid token")
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        key.verify(der, signing_input, ECDSA(SHA256()))
    except InvalidSignature as error:
        raise InvalidToken("invalid token") from error


def _date(value: float) -> float:
    if isinstance(value, bool) or not 0 < value < _LATEST:
        raise InvalidToken("invalid token")
    return float(value)


def _check(claims: _Claims, audience: str, now: float) -> None:
    if claims.iss != ISSUER:
        raise InvalidToken("token is not from Privy", Failure.WRONG_ISSUER)
    audiences = [claims.aud] if isinstance(claims.aud, str) else claims.aud
    if audience not in audiences:
        raise InvalidToken("token is for another application", Failure.WRONG_AUDIENCE)
    if not claims.sub or claims.sid == "":
        raise InvalidToken("token names no user")
    issued, expires = _date(claims.iat), _date(claims.exp)
    if expires <= now - LEEWAY_S:
        raise InvalidToken("token expired", Failure.EXPIRED)
    if issued > now + LEEWAY_S or (claims.nbf is not msgspec.UNSET and _date(claims.nbf) > now + LEEWAY_S):
        raise InvalidToken("token is not valid yet")
    if expires - issued > MAX_LIFETIME_S:
        raise InvalidToken("token lives too long")


def session_key(subject: str, session_id: str | None, issued_at: float) -> bytes:
    """What a sign-out revokes: the Privy session, or else the user's sign-in instant."""
    name = f"sid|{subject}|{session_id}" if session_id else f"iat|{subject}|{issued_at!r}"
    return hashlib.sha256(name.encode()).digest()


async def verify_token(token: str, keys: KeySource, audience: str, *, accept_dev_role: bool = False) -> TokenClaims:
    if len(token) > MAX_TOKEN_CHARS:
        raise InvalidToken("malformed token")
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("malformed token")
    kid = _key_id(_json(_segment(parts[0])))
    payload, signature = _segment(parts[1]), _segment(parts[2])
    try:
        key = await keys.key_for(kid)
    except UnknownKey as error:
        raise InvalidToken("unknown signing key", Failure.UNKNOWN_KEY) from error
    _verify_signature(key, f"{parts[0]}.{parts[1]}".encode(), signature)
    try:
        claims = _claims_decoder.decode(payload)
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError) as error:
        raise InvalidToken("invalid token") from error
    _check(claims, audience, time.time())
    session_id = claims.sid if isinstance(claims.sid, str) else None
    role = claims.af_role if accept_dev_role else None
    return TokenClaims(
        subject=claims.sub,
        session_id=session_id,
        expires_at=int(claims.exp),
        session_key=session_key(claims.sub, session_id, claims.iat),
        dev_role="admin" if role == "admin" else "member" if role == "member" else None,
    )
