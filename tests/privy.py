"""A stand-in for Privy: ES256 keys, tokens shaped like Privy's, and a JWKS endpoint
on loopback that counts how often it is fetched."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey
from jwt.algorithms import ECAlgorithm

APP_ID = "test-app"


def new_key() -> EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def public_pem(key: EllipticCurvePrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@dataclass
class FakePrivy:
    """Serves ``/api/v1/apps/<app>/jwks.json`` with the keys in ``published``."""

    signing: dict[str, EllipticCurvePrivateKey] = field(default_factory=dict)
    published: set[str] = field(default_factory=set)
    fetches: int = 0
    url: str = ""

    def add_key(self, kid: str, *, publish: bool = True) -> str:
        self.signing[kid] = new_key()
        if publish:
            self.published.add(kid)
        return kid

    def token(
        self,
        subject: str,
        *,
        kid: str = "key-1",
        audience: str = APP_ID,
        issuer: str = "privy.io",
        expires_in: int = 3600,
        session_id: str | None = None,
        **extra: Any,
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": issuer,
            "aud": audience,
            "sub": subject,
            "sid": session_id or str(uuid.uuid4()),
            "iat": now,
            "exp": now + expires_in,
            **extra,
        }
        return jwt.encode(claims, self.signing[kid], algorithm="ES256", headers={"kid": kid})

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid in sorted(self.published):
            entry = json.loads(ECAlgorithm.to_jwk(self.signing[kid].public_key()))
            keys.append({**entry, "kid": kid, "alg": "ES256", "use": "sig"})
        return {"keys": keys}

    async def __call__(self, scope: dict[str, Any], _receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        if scope["path"].endswith("/jwks.json"):
            self.fetches += 1
            body, status = json.dumps(self.jwks()).encode(), 200
        else:
            body, status = b'{"error":"not found"}', 404
        await send(
            {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]}
        )
        await send({"type": "http.response.body", "body": body})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def subjects() -> Iterator[str]:
    while True:
        yield f"did:privy:{uuid.uuid4().hex[:16]}"
