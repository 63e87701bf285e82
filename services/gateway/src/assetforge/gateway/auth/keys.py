"""Where the public keys that verify Privy tokens come from.

A PEM key from the environment (``PRIVY_VERIFICATION_KEY``), or the app's JWKS fetched
over HTTPS and cached. The JWKS is never fetched per request: it is loaded once, and
fetched again only when a token names a key id we do not know (Privy rotated its key),
once per unknown id: an id still unknown after that refresh is remembered as unknown
for a while. Refreshes are also spaced ``min_interval`` apart, so a flood of tokens
with made-up key ids cannot turn the gateway into a JWKS hammer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Protocol

import httpx
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from jwt import PyJWK
from jwt.exceptions import PyJWKError

log = logging.getLogger(__name__)


class UnknownKey(Exception):
    """No key with that id (after one refresh)."""


class KeySource(Protocol):
    async def key_for(self, kid: str | None) -> EllipticCurvePublicKey: ...


def load_pem_key(pem: str) -> EllipticCurvePublicKey:
    # Environment variables often carry the PEM's newlines escaped.
    key = load_pem_public_key(pem.replace("\\n", "\n").encode())
    if not isinstance(key, EllipticCurvePublicKey):
        raise TypeError("PRIVY_VERIFICATION_KEY is not an EC (P-256) public key")
    return key


class StaticKey:
    def __init__(self, key: EllipticCurvePublicKey) -> None:
        self._key = key

    async def key_for(self, kid: str | None) -> EllipticCurvePublicKey:  # noqa: ARG002 - one key for every id
        return self._key


class JwksKeys:
    def __init__(
        self, url: str, client: httpx.AsyncClient, *, min_interval: float = 1.0, forget_unknown_after: float = 300.0
    ) -> None:
        self._url = url
        self._client = client
        self._min_interval = min_interval
        self._forget_after = forget_unknown_after
        self._keys: dict[str, EllipticCurvePublicKey] = {}
        self._unknown: dict[str | None, float] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str | None) -> EllipticCurvePublicKey:
        key = self._lookup(kid)
        if key is not None:
            return key
        now = time.monotonic()
        if now - self._unknown.get(kid, float("-inf")) < self._forget_after:
            raise UnknownKey(f"no signing key {kid!r}")
        async with self._lock:
            key = self._lookup(kid)  # another request may have refreshed meanwhile
            if key is None and time.monotonic() - self._fetched_at >= self._min_interval:
                await self._refresh()
                key = self._lookup(kid)
                if key is None:
                    if len(self._unknown) > 10_000:
                        self._unknown.clear()
                    self._unknown[kid] = time.monotonic()
        if key is None:
            raise UnknownKey(f"no signing key {kid!r}")
        return key

    def _lookup(self, kid: str | None) -> EllipticCurvePublicKey | None:
        if kid is None:
            # A token without a key id is acceptable only when the set has a single key.
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        self._fetched_at = time.monotonic()
        try:
            response = await self._client.get(self._url, timeout=5.0)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as error:
            log.warning("could not fetch the Privy JWKS from %s: %s", self._url, error)
            return
        keys: dict[str, EllipticCurvePublicKey] = {}
        for entry in document.get("keys", []) if isinstance(document, dict) else []:
            try:
                jwk = PyJWK(entry, algorithm="ES256")
            except PyJWKError:
                continue  # not an ES256 key: never usable here
            if isinstance(jwk.key, EllipticCurvePublicKey):
                keys[str(entry.get("kid", ""))] = jwk.key
        self._keys = keys
        log.info("loaded %d signing keys from the Privy JWKS", len(keys))
