"""Personal API keys: ``af_live_…`` in production, ``af_test_…`` elsewhere.

32 random bytes, shown once. Stored as SHA-256 (a key has 256 bits of entropy, so a
slow password hash adds nothing) with a short prefix to find the row; the hash is
compared in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

LIVE = "af_live_"
TEST = "af_test_"
# The environment tag and eight characters of the secret: enough to find the row,
# useless for guessing the rest.
PREFIX_LENGTH = len(LIVE) + 8


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
