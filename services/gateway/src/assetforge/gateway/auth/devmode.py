"""Development sign-in (AUTH_MODE=dev, refused in production).

A local ES256 key pair under ``.data/dev-auth`` stands in for Privy's: the gateway
verifies with the public half, ``make token`` signs with the private half. Tokens look
exactly like Privy's (issuer ``privy.io``, audience the app id), so everything past
verification is the production path.
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey, EllipticCurvePublicKey

from assetforge.gateway.auth.tokens import ALGORITHM, ISSUER

KEY_ID = "assetforge-dev"
PRIVATE = "private.pem"


def dev_private_key(directory: Path) -> EllipticCurvePrivateKey:
    """The development signing key, created on first use."""
    path = directory / PRIVATE
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.write_bytes(pem)
        path.chmod(0o600)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, EllipticCurvePrivateKey):
        raise TypeError(f"{path} is not an EC private key")
    return loaded


def dev_public_key(directory: Path) -> EllipticCurvePublicKey:
    return dev_private_key(directory).public_key()


def mint_token(
    directory: Path, app_id: str, *, role: str = "member", user: str | None = None, ttl_s: int = 24 * 3600
) -> str:
    """A Privy-shaped access token for development user ``did:privy:dev-<user>``.

    ``user`` defaults to the role's name (``dev-member``, ``dev-admin``); any other name
    is a separate user, so two people can be tried side by side. ValueError for a name
    that is not 1-40 of ``a-z 0-9 _ -``.
    """
    name = role if user is None else user
    if not re.fullmatch(r"[a-z0-9_-]{1,40}", name):
        raise ValueError(f"user name must be 1-40 characters of a-z, 0-9, _ and -, got {name!r}")
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": app_id,
        "sub": f"did:privy:dev-{name}",
        "sid": str(uuid.uuid4()),
        "iat": now,
        "exp": now + ttl_s,
        "af_role": role,
    }
    return jwt.encode(claims, dev_private_key(directory), algorithm=ALGORITHM, headers={"kid": KEY_ID})
