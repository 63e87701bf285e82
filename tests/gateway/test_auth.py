"""One guard for every route: Privy tokens (ES256, privy.io, our audience), personal
API keys, and sign-out; anything else is a 401 in the error format."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from nats.aio.client import Client

from assetforge.gateway.service.sign_out import purge_signed_out
from tests.helpers import create_asset, scalar
from tests.privy import FakePrivy, bearer, public_pem


def assert_unauthorized(response: httpx.Response, reason: str | None = None) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["error"] == "UNAUTHORIZED"
    assert body["requestId"] == response.headers["x-request-id"]
    assert response.headers["www-authenticate"].startswith("Bearer")
    if reason:
        assert reason in body["message"]


async def test_a_valid_token_signs_in_and_creates_the_user(
    gateway: httpx.AsyncClient, privy: FakePrivy, database_url: str, owner: str
) -> None:
    response = await gateway.get("/api/users/me", headers=bearer(privy.token(owner)))
    assert response.status_code == 200, response.text
    user = response.json()["user"]
    assert user["privyUserId"] == owner
    assert user["role"] == "member"
    assert user["profileCompleted"] is False
    assert user["lastLoginAt"] is not None
    assert response.headers["cache-control"] == "no-store"
    logins = await scalar(
        database_url,
        "SELECT count(*) FROM gateway.activity_log WHERE user_id = :u AND action = 'auth.login'",
        u=user["id"],
    )
    assert logins == 1


async def test_the_same_user_keeps_one_account_across_tokens(
    gateway: httpx.AsyncClient, privy: FakePrivy, owner: str
) -> None:
    first = (await gateway.get("/api/users/me", headers=bearer(privy.token(owner)))).json()["user"]
    second = (await gateway.get("/api/users/me", headers=bearer(privy.token(owner)))).json()["user"]
    assert first["id"] == second["id"]


async def test_no_credentials_on_a_user_route_is_a_401(gateway: httpx.AsyncClient) -> None:
    assert_unauthorized(await gateway.get("/api/users/me"), "sign in")


async def test_an_expired_token_is_refused(gateway: httpx.AsyncClient, privy: FakePrivy, owner: str) -> None:
    assert_unauthorized(
        await gateway.get("/api/users/me", headers=bearer(privy.token(owner, expires_in=-120))), "expired"
    )


async def test_a_token_for_another_app_is_refused(gateway: httpx.AsyncClient, privy: FakePrivy, owner: str) -> None:
    token = privy.token(owner, audience="someone-else")
    assert_unauthorized(await gateway.get("/api/users/me", headers=bearer(token)), "another application")


async def test_a_token_from_another_issuer_is_refused(gateway: httpx.AsyncClient, privy: FakePrivy, owner: str) -> None:
    token = privy.token(owner, issuer="evil.example")
    assert_unauthorized(await gateway.get("/api/users/me", headers=bearer(token)), "not from Privy")


def _part(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _unsigned(owner: str) -> str:
    claims = {
        "iss": "privy.io",
        "aud": "test-app",
        "sub": owner,
        "iat": int(time.time()),
        "exp": int(time.time()) + 600,
    }
    return f"{_part({'alg': 'none', 'typ': 'JWT'})}.{_part(claims)}."


async def test_alg_none_is_refused(gateway: httpx.AsyncClient, owner: str) -> None:
    assert_unauthorized(await gateway.get("/api/users/me", headers=bearer(_unsigned(owner))), "algorithm")


async def test_hs256_signed_with_the_public_key_is_refused(
    gateway: httpx.AsyncClient, privy: FakePrivy, owner: str
) -> None:
    """The classic key-confusion attack: the public key used as an HMAC secret."""
    secret = public_pem(privy.signing["key-1"]).encode()
    claims = {
        "iss": "privy.io",
        "aud": "test-app",
        "sub": owner,
        "iat": int(time.time()),
        "exp": int(time.time()) + 600,
    }
    # Built by hand: PyJWT itself refuses to sign HS256 with a public key.
    signing_input = f"{_part({'alg': 'HS256', 'typ': 'JWT', 'kid': 'key-1'})}.{_part(claims)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{base64.urlsafe_b64encode(signature).decode().rstrip('=')}"
    assert_unauthorized(await gateway.get("/api/users/me", headers=bearer(token)), "algorithm")


async def test_an_unknown_key_id_refreshes_the_jwks_once(
    gateway: httpx.AsyncClient, privy: FakePrivy, owner: str
) -> None:
    # A rotated key: signed with a key Privy publishes only now.
    await asyncio.sleep(1.1)  # refreshes are spaced at least a second apart
    rotated = privy.add_key(f"rotated-{time.monotonic_ns()}")
    before = privy.fetches
    response = await gateway.get("/api/users/me", headers=bearer(privy.token(owner, kid=rotated)))
    assert response.status_code == 200, response.text
    assert privy.fetches == before + 1

    # A key nobody publishes: one refresh for it, then 401s without asking Privy again.
    await asyncio.sleep(1.1)  # refreshes are spaced at least a second apart
    forged = privy.add_key(f"forged-{time.monotonic_ns()}", publish=False)
    for _ in range(3):
        refused = await gateway.get("/api/users/me", headers=bearer(privy.token(owner, kid=forged)))
        assert_unauthorized(refused, "unknown signing key")
    assert privy.fetches == before + 2


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "bearer", "Token abc"])
async def test_a_malformed_authorization_header_is_refused(gateway: httpx.AsyncClient, header: str) -> None:
    assert_unauthorized(await gateway.get("/api/users/me", headers={"Authorization": header}))


async def test_garbage_in_place_of_a_token_is_refused(gateway: httpx.AsyncClient) -> None:
    assert_unauthorized(await gateway.get("/api/users/me", headers=bearer("not.a.jwt")))
    # Even on a public route: a credential that is presented must be valid.
    assert_unauthorized(await gateway.get("/api/assets", headers=bearer("not.a.jwt")))


async def test_a_signed_out_token_is_refused_until_it_expires(
    gateway: httpx.AsyncClient, privy: FakePrivy, owner: str, database_url: str
) -> None:
    token = privy.token(owner)
    assert (await gateway.get("/api/users/me", headers=bearer(token))).status_code == 200
    assert (await gateway.post("/api/auth/logout", headers=bearer(token))).status_code == 204

    assert_unauthorized(await gateway.get("/api/users/me", headers=bearer(token)), "signed out")
    # Another session of the same user is unaffected.
    assert (await gateway.get("/api/users/me", headers=bearer(privy.token(owner)))).status_code == 200
    stored = await scalar(database_url, "SELECT count(*) FROM gateway.token_blocklist WHERE expires_at > now()")
    assert stored >= 1


async def _new_key(gateway: httpx.AsyncClient, token: str, **body: object) -> dict[str, str]:
    response = await gateway.post("/api/users/api-keys", headers=bearer(token), json={"name": "ci", **body})
    assert response.status_code == 201, response.text
    created: dict[str, str] = response.json()
    return created


async def test_an_api_key_authenticates_until_revoked(
    gateway: httpx.AsyncClient, privy: FakePrivy, owner: str, database_url: str
) -> None:
    token = privy.token(owner)
    created = await _new_key(gateway, token)
    assert created["key"].startswith("af_test_")
    assert created["key"].startswith(created["prefix"])

    me = await gateway.get("/api/users/me", headers=bearer(created["key"]))
    assert me.status_code == 200
    assert me.json()["user"]["privyUserId"] == owner

    stored = await scalar(
        database_url, "SELECT count(*) FROM gateway.api_keys WHERE key_hash = :k", k=created["key"].encode()
    )
    assert stored == 0  # only its hash is kept

    listed = (await gateway.get("/api/users/api-keys", headers=bearer(token))).json()["keys"]
    assert [k["keyId"] for k in listed] == [created["keyId"]]
    assert "key" not in listed[0]

    assert (await gateway.delete(f"/api/users/api-keys/{created['keyId']}", headers=bearer(token))).status_code == 204
    assert_unauthorized(await gateway.get("/api/users/me", headers=bearer(created["key"])), "invalid API key")
    revoked = (await gateway.get("/api/users/api-keys", headers=bearer(token))).json()["keys"][0]
    assert revoked["revokedAt"] is not None


async def test_an_expired_api_key_is_refused(gateway: httpx.AsyncClient, privy: FakePrivy, owner: str) -> None:
    soon = (datetime.now(tz=UTC) + timedelta(seconds=2)).isoformat()
    created = await _new_key(gateway, privy.token(owner), expiresAt=soon)
    assert (await gateway.get("/api/users/me", headers=bearer(created["key"]))).status_code == 200
    await asyncio.sleep(2.5)
    assert_unauthorized(await gateway.get("/api/users/me", headers=bearer(created["key"])))


async def test_a_wrong_api_key_is_refused(gateway: httpx.AsyncClient, privy: FakePrivy, owner: str) -> None:
    created = await _new_key(gateway, privy.token(owner))
    tampered = created["key"][:-4] + ("AAAA" if not created["key"].endswith("AAAA") else "BBBB")
    assert_unauthorized(await gateway.get("/api/users/me", headers=bearer(tampered)), "invalid API key")
    assert_unauthorized(await gateway.get("/api/users/me", headers=bearer("af_live_" + "x" * 43)))


async def test_a_past_expiry_for_a_new_key_is_a_validation_error(
    gateway: httpx.AsyncClient, privy: FakePrivy, owner: str
) -> None:
    past = (datetime.now(tz=UTC) - timedelta(days=1)).isoformat()
    response = await gateway.post(
        "/api/users/api-keys", headers=bearer(privy.token(owner)), json={"name": "old", "expiresAt": past}
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "expiresAt"


async def test_the_principal_reaches_the_services(
    gateway: httpx.AsyncClient, privy: FakePrivy, owner: str, nc: Client
) -> None:
    """A private asset of the caller is visible to them through the bus (Af-User-Id)."""
    token = privy.token(owner)
    me = (await gateway.get("/api/users/me", headers=bearer(token))).json()["user"]
    asset = await create_asset(nc, me["id"], visibility="private")
    assert (await gateway.get(f"/api/assets/{asset['id']}")).status_code == 404
    seen = await gateway.get(f"/api/assets/{asset['id']}", headers=bearer(token))
    assert seen.status_code == 200


async def test_expired_sign_outs_are_purged(stack: dict[str, object], database_url: str) -> None:
    expired = hashlib.sha256(b"long gone").digest()
    await scalar(
        database_url,
        "INSERT INTO gateway.token_blocklist (session_key, expires_at) VALUES (:h, now() - interval '1 hour') "
        "ON CONFLICT DO NOTHING RETURNING 1",
        h=expired,
    )
    runtime = stack["gateway"].runtime  # type: ignore[attr-defined]
    async with runtime.database.unit_of_work() as session:
        assert await purge_signed_out(session) >= 1
    left = await scalar(database_url, "SELECT count(*) FROM gateway.token_blocklist WHERE session_key = :h", h=expired)
    assert left == 0
