"""Sign-out ends the session, whatever spelling of its token comes back.

Several strings verify as one token: padding, spare bits in a segment's last
character, characters a lenient base64 decoder skips, and ECDSA's (r, n - s) twin of
every signature. None of them may get a signed-out session back in, on this replica
or on another, from the database or from a cache.
"""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.gateway.test_auth import assert_unauthorized
from tests.gateway.test_token_shapes import GOOD_HEADER, b64, good_claims, signed
from tests.privy import FakePrivy, bearer
from tests.support import RunningService, start_service, wait_until

# The order of P-256's group: (r, s) and (r, N - s) are both valid signatures.
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def _decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def twin(token: str) -> str:
    """The same token with the other valid signature, (r, N - s)."""
    head, body, signature = token.split(".")
    raw = _decode(signature)
    s = int.from_bytes(raw[32:], "big")
    return f"{head}.{body}.{b64(raw[:32] + (N - s).to_bytes(32, 'big'))}"


def respellings(token: str) -> dict[str, str]:
    """Other strings a lenient decoder reads as the same bytes."""
    head, body, signature = token.split(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    # 64 bytes take 86 characters with 4 spare bits in the last one.
    last = alphabet.index(signature[-1])
    spare = alphabet[last ^ 0b0001]
    return {
        "padded": f"{token}==",
        "padded payload": f"{head}.{body}{'=' * (-len(body) % 4)}.{signature}",
        "spare bits": f"{head}.{body}.{signature[:-1]}{spare}",
        "stray characters": f"{head}.{body}.{signature[:10]}!{signature[10:]}",
        "standard alphabet": f"{head}.{body}.{signature.replace('-', '+').replace('_', '/')}",
    }


async def _me(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get("/api/users/me", headers=bearer(token))


async def test_the_twin_signature_is_valid_but_respellings_are_refused(
    gateway: httpx.AsyncClient, privy: FakePrivy, owner: str
) -> None:
    token = privy.token(owner)
    assert (await _me(gateway, twin(token))).status_code == 200
    for name, spelling in respellings(token).items():
        if spelling == token:
            continue  # nothing to respell (no '-' or '_' in this signature)
        refused = await _me(gateway, spelling)
        assert refused.status_code == 401, name
        assert_unauthorized(refused, "malformed")


async def test_no_spelling_of_a_signed_out_token_gets_back_in(
    gateway: httpx.AsyncClient, privy: FakePrivy, owner: str
) -> None:
    token = privy.token(owner)
    other = twin(token)
    # Both spellings verified and cached before the sign-out.
    assert (await _me(gateway, token)).status_code == 200
    assert (await _me(gateway, other)).status_code == 200

    assert (await gateway.post("/api/auth/logout", headers=bearer(token))).status_code == 204

    assert_unauthorized(await _me(gateway, token), "signed out")
    assert_unauthorized(await _me(gateway, other), "signed out")
    for spelling in respellings(token).values():
        assert_unauthorized(await _me(gateway, spelling))


async def test_signing_out_ends_every_token_of_the_session(
    gateway: httpx.AsyncClient, privy: FakePrivy, owner: str
) -> None:
    """A refreshed token of the same session (same sid, newer iat) is refused too."""
    first = privy.token(owner, session_id="session-refreshed")
    assert (await gateway.post("/api/auth/logout", headers=bearer(first))).status_code == 204
    refreshed = privy.token(owner, session_id="session-refreshed", expires_in=7200)
    assert_unauthorized(await _me(gateway, refreshed), "signed out")
    # Another session of the same user is unaffected.
    assert (await _me(gateway, privy.token(owner))).status_code == 200


async def test_a_token_without_a_session_is_revoked_by_its_sign_in_instant(
    gateway: httpx.AsyncClient, privy: FakePrivy, owner: str
) -> None:
    issued = int(time.time())
    without_sid = {k: v for k, v in good_claims(sub=owner, iat=issued).items() if k != "sid"}
    token = signed(privy, GOOD_HEADER, without_sid)
    assert (await _me(gateway, token)).status_code == 200
    assert (await gateway.post("/api/auth/logout", headers=bearer(token))).status_code == 204
    assert_unauthorized(await _me(gateway, twin(token)), "signed out")
    later = {**without_sid, "iat": issued - 5}
    assert (await _me(gateway, signed(privy, GOOD_HEADER, later))).status_code == 200


@pytest.fixture
async def second_gateway(environ: dict[str, str], stack: dict[str, RunningService]) -> AsyncIterator[str]:
    service = await start_service("gateway", environ)
    yield service.url
    await service.stop()


async def test_another_replica_forgets_the_session_too(
    gateway: httpx.AsyncClient, second_gateway: str, privy: FakePrivy, owner: str
) -> None:
    token = privy.token(owner)
    async with httpx.AsyncClient(base_url=second_gateway, timeout=10) as other:
        # The other replica has the twin spelling cached.
        assert (await _me(other, twin(token))).status_code == 200
        assert (await gateway.post("/api/auth/logout", headers=bearer(token))).status_code == 204

        async def refused() -> bool:
            return (await _me(other, twin(token))).status_code == 401

        await wait_until(refused, timeout=5)
        assert_unauthorized(await _me(other, twin(token)), "signed out")
