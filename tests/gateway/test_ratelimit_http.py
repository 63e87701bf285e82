"""Rate limiting through real gateways sharing the suite's NATS.

Every request here comes from 127.0.0.1, so each test uses a window length of its own:
the window is part of the counter's stream and subject, so their counts never meet.
"""

from __future__ import annotations

import asyncio
import random
import uuid

import httpx

from assetforge.common.devstack import EmbeddedNats
from tests.privy import FakePrivy, bearer
from tests.support import RunningService, running_stack, service_env

ON = {"DISABLE_RATE_LIMITING": "false", "AUTH_MODE": "dev"}


async def test_two_gateways_allow_exactly_the_limit_together(nats_server: EmbeddedNats, database_url: str) -> None:
    env = service_env(nats_server.url, database_url, RATE_LIMIT_MAX="30", RATE_LIMIT_WINDOW_MS="58000", **ON)
    async with (
        running_stack(env, names=("gateway",)) as one,
        running_stack(env, names=("gateway",)) as two,
        httpx.AsyncClient() as client,
    ):
        # A path no route serves: counted, and answered (404) without the other services.
        path = f"/api/nothing-{uuid.uuid4().hex}"
        urls = [one["gateway"].url + path, two["gateway"].url + path] * 25
        responses = await asyncio.gather(*(client.get(url) for url in urls))
        live = await client.get(one["gateway"].url + "/api/health/live")
    refused = [r for r in responses if r.status_code == 429]
    assert len(responses) - len(refused) == 30
    assert all(r.headers.get_list("retry-after") == [str(r.json()["retryAfter"])] for r in refused)
    assert live.status_code == 200
    assert "x-ratelimit-limit" not in live.headers


async def test_forwarded_for_counts_only_from_trusted_proxies(nats_server: EmbeddedNats, database_url: str) -> None:
    for trusted, window, expected in (
        ("", "59000", [False, False, False, True]),
        ("127.0.0.1/32", "59500", [False] * 4),
    ):
        env = service_env(
            nats_server.url,
            database_url,
            TRUSTED_PROXIES=trusted,
            RATE_LIMIT_MAX="3",
            RATE_LIMIT_WINDOW_MS=window,
            **ON,
        )
        async with running_stack(env, names=("gateway",)) as stack, httpx.AsyncClient() as client:
            path = f"{stack['gateway'].url}/api/nothing-{uuid.uuid4().hex}"
            # A new address in X-Forwarded-For each time: a new client only if the peer is trusted.
            responses = [await client.get(path, headers={"x-forwarded-for": f"192.0.2.{n}"}) for n in range(4)]
        assert [r.status_code == 429 for r in responses] == expected, trusted


async def test_disabled_limiting_counts_nothing(gateway: httpx.AsyncClient) -> None:
    """The shared test stack runs with DISABLE_RATE_LIMITING: no limiter, no headers."""
    responses = [await gateway.get("/api/assets", params={"limit": 1}) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert all("x-ratelimit-limit" not in r.headers for r in responses)


async def test_failed_sign_ins_are_limited_per_address(
    environ: dict[str, str], privy: FakePrivy, owner: str, stack: dict[str, RunningService]
) -> None:
    env = {
        **environ,
        "DISABLE_RATE_LIMITING": "false",
        "AUTH_FAILURE_LIMIT": "3",
        "TRUSTED_PROXIES": "127.0.0.1/32",
        "RATE_LIMIT_WINDOW_MS": "57000",
    }
    # Addresses of this test's own: the suite's NATS keeps every test's counts.
    address, elsewhere = (f"198.51.100.{n}" for n in random.sample(range(1, 255), 2))
    here = {"x-forwarded-for": address}
    good = privy.token(owner)
    async with running_stack(env, names=("gateway",)) as one, httpx.AsyncClient(base_url=one["gateway"].url) as client:
        assert (await client.get("/api/users/me", headers=here | bearer(good))).status_code == 200
        guesses = [await client.get("/api/users/me", headers=here | bearer("not.a.jwt")) for _ in range(5)]
        assert [r.status_code for r in guesses] == [401, 401, 401, 429, 429]
        refused = guesses[-1]
        assert refused.json()["error"] == "RATE_LIMIT_EXCEEDED"
        assert refused.headers["retry-after"] == str(refused.json()["retryAfter"])
        assert 1 <= refused.json()["retryAfter"] <= 70

        # A credential this replica has verified before still works; a new one waits.
        assert (await client.get("/api/users/me", headers=here | bearer(good))).status_code == 200
        fresh = privy.token(f"{owner}-other")
        assert (await client.get("/api/users/me", headers=here | bearer(fresh))).status_code == 429
        # Without a credential nothing is guessed: public routes are served.
        assert (await client.get("/api/assets", headers=here)).status_code == 200
        # Other addresses are not affected.
        other = await client.get("/api/users/me", headers={"x-forwarded-for": elsewhere} | bearer("not.a.jwt"))
        assert other.status_code == 401
