"""Every shape of a credential that fails to parse or verify is a 401, never a 500.

Tokens are built by hand, field by field, and signed with the published test key, so
each case reaches the check it is about (a bad header before any signature check, a bad
claim after a good signature).
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import httpx
import pytest
from jwt.algorithms import ECAlgorithm

from tests.gateway.test_auth import assert_unauthorized
from tests.privy import APP_ID, FakePrivy, bearer

_ES256 = ECAlgorithm(ECAlgorithm.SHA256)
_MISSING = object()


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def segment(value: Any) -> str:
    return b64(value if isinstance(value, bytes) else json.dumps(value).encode())


def signed(privy: FakePrivy, header: Any, claims: Any, *, kid: str = "key-1") -> str:
    signing_input = f"{segment(header)}.{segment(claims)}"
    signature = _ES256.sign(signing_input.encode(), privy.signing[kid])
    return f"{signing_input}.{b64(signature)}"


def good_claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": "privy.io",
        "aud": APP_ID,
        "sub": f"did:privy:shape-{uuid.uuid4().hex[:10]}",
        "sid": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 600,
    }
    for name, value in changes.items():
        if value is _MISSING:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


GOOD_HEADER = {"alg": "ES256", "typ": "JWT", "kid": "key-1"}

# Header shapes: each replaces or adds one field of an otherwise good header.
HEADERS: dict[str, Any] = {
    "alg missing": {"typ": "JWT", "kid": "key-1"},
    "alg null": {**GOOD_HEADER, "alg": None},
    "alg number": {**GOOD_HEADER, "alg": 256},
    "alg list": {**GOOD_HEADER, "alg": ["ES256"]},
    "alg object": {**GOOD_HEADER, "alg": {"name": "ES256"}},
    "alg none": {**GOOD_HEADER, "alg": "none"},
    "alg lower case": {**GOOD_HEADER, "alg": "es256"},
    "kid number": {**GOOD_HEADER, "kid": 1},
    "kid list": {**GOOD_HEADER, "kid": ["key-1"]},
    "kid object": {**GOOD_HEADER, "kid": {"id": "key-1"}},
    "kid bool": {**GOOD_HEADER, "kid": True},
    "kid empty": {**GOOD_HEADER, "kid": ""},
    "kid huge": {**GOOD_HEADER, "kid": "k" * 20_000},
    "typ number": {**GOOD_HEADER, "typ": 7},
    "typ list": {**GOOD_HEADER, "typ": ["JWT"]},
    "crit unknown": {**GOOD_HEADER, "crit": ["exp"]},
    "crit string": {**GOOD_HEADER, "crit": "exp"},
    "crit number": {**GOOD_HEADER, "crit": 1},
    "crit empty": {**GOOD_HEADER, "crit": []},
    "crit b64": {**GOOD_HEADER, "crit": ["b64"], "b64": False},
    "b64 without crit": {**GOOD_HEADER, "b64": False},
    "header is a list": ["ES256"],
    "header is a string": "ES256",
    "header is a number": 1,
    "header is null": None,
    "header is not JSON": b"{alg: ES256",
    "header is not UTF-8": b'{"alg":"\xff"}',
    "header nests deeply": b'{"alg":"ES256","x":' + b"[" * 2_500 + b"]" * 2_500 + b"}",
}

# Claim shapes: each replaces one claim of a good, correctly signed token. Every claim
# gets every JSON type it must not have (a bool is not a NumericDate, though Python's
# int() would take it), then values of the right type that are still wrong.
_WRONG_FOR_TEXT = (("null", None), ("number", 12), ("list", [1, 2]), ("object", {"a": 1}), ("bool", True))
_WRONG_FOR_DATE = (("null", None), ("text", "tomorrow"), ("list", [1, 2]), ("object", {"a": 1}), ("bool", True))
CLAIMS: dict[str, dict[str, Any]] = {
    **{f"{name} missing": {name: _MISSING} for name in ("iss", "aud", "sub", "iat", "exp")},
    **{f"{name} {kind}": {name: value} for name in ("iss", "aud", "sub", "sid") for kind, value in _WRONG_FOR_TEXT},
    **{f"{name} {kind}": {name: value} for name in ("iat", "exp", "nbf") for kind, value in _WRONG_FOR_DATE},
    "iss wrong": {"iss": "privy.io.evil"},
    "aud wrong": {"aud": "another-app"},
    "aud list without us": {"aud": ["another-app"]},
    "sub empty": {"sub": ""},
    "sid empty": {"sid": ""},
    "exp past": {"exp": int(time.time()) - 3600},
    "exp huge": {"exp": 10**30},
    "exp float huge": {"exp": 1e300},
    "exp far ahead": {"exp": int(time.time()) + 400 * 24 * 3600},
    "iat huge": {"iat": 10**30},
    "iat negative": {"iat": -(10**30)},
    "iat ancient": {"iat": 12},
    "iat in the future": {"iat": int(time.time()) + 3600},
    "nbf future": {"nbf": int(time.time()) + 3600},
    "nbf huge": {"nbf": 10**30},
}

PAYLOADS: dict[str, Any] = {
    "payload is a list": [1, 2],
    "payload is a string": "claims",
    "payload is null": None,
    "payload is not JSON": b"{sub: 1",
    "payload is not UTF-8": b'{"sub":"\xff"}',
    "payload nests deeply": b'{"sub":' + b"[" * 2_500 + b"]" * 2_500 + b"}",
}

RAW: dict[str, str] = {
    "one segment": "abc",
    "two segments": "abc.def",
    "four segments": "a.b.c.d",
    "empty segments": "..",
    "not base64": "!!!.???.***",
    "non-ASCII": "é.é.é",
    "huge": "a" * 60_000 + ".b.c",
}


@pytest.mark.parametrize("name", list(HEADERS))
async def test_a_bad_token_header_is_a_401(gateway: httpx.AsyncClient, privy: FakePrivy, name: str) -> None:
    token = signed(privy, HEADERS[name], good_claims())
    assert_unauthorized(await gateway.get("/api/users/me", headers=bearer(token)))
    # A public route too: a credential that is presented must be valid.
    assert_unauthorized(await gateway.get("/api/assets", headers=bearer(token)))


@pytest.mark.parametrize("name", list(CLAIMS))
async def test_a_bad_claim_is_a_401(gateway: httpx.AsyncClient, privy: FakePrivy, name: str) -> None:
    token = signed(privy, GOOD_HEADER, good_claims(**CLAIMS[name]))
    response = await gateway.get("/api/users/me", headers=bearer(token))
    assert_unauthorized(response)


@pytest.mark.parametrize("name", list(PAYLOADS))
async def test_a_payload_that_is_not_a_claims_object_is_a_401(
    gateway: httpx.AsyncClient, privy: FakePrivy, name: str
) -> None:
    assert_unauthorized(await gateway.get("/api/users/me", headers=bearer(signed(privy, GOOD_HEADER, PAYLOADS[name]))))


@pytest.mark.parametrize("name", list(RAW))
async def test_a_token_that_is_not_a_jws_is_a_401(gateway: httpx.AsyncClient, name: str) -> None:
    # Bytes, so that non-ASCII reaches the gateway as sent (UTF-8).
    header = f"Bearer {RAW[name]}".encode()
    assert_unauthorized(await gateway.get("/api/users/me", headers={"Authorization": header}))


async def test_the_good_shapes_of_this_table_sign_in(gateway: httpx.AsyncClient, privy: FakePrivy) -> None:
    """The table's baseline really is valid, so each refusal above is about its one change."""
    for claims in (good_claims(), good_claims(aud=[APP_ID, "other"]), good_claims(sid=_MISSING)):
        response = await gateway.get("/api/users/me", headers=bearer(signed(privy, GOOD_HEADER, claims)))
        assert response.status_code == 200, response.text
