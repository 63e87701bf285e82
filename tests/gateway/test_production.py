"""A gateway with NODE_ENV=production: HSTS, no cross-origin access without
FRONTEND_URL, and tokens verified against PRIVY_VERIFICATION_KEY instead of a JWKS."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from assetforge.common.devstack import free_port
from tests.privy import APP_ID, FakePrivy, bearer, public_pem
from tests.support import RunningService, start_service


@pytest.fixture
async def production_gateway(environ: dict[str, str], privy: FakePrivy) -> AsyncIterator[RunningService]:
    settings = {
        **environ,
        "NODE_ENV": "production",
        "PORT": str(free_port()),
        "PRIVY_APP_ID": APP_ID,
        "PRIVY_VERIFICATION_KEY": public_pem(privy.signing["key-1"]).replace("\n", "\\n"),
        "PRIVY_JWKS_URL": "http://127.0.0.1:9/unused",
    }
    gateway = await start_service("gateway", settings)
    yield gateway
    await gateway.stop()


async def test_production_adds_hsts_and_refuses_cross_origin_calls(
    production_gateway: RunningService, privy: FakePrivy, owner: str
) -> None:
    async with httpx.AsyncClient(base_url=production_gateway.url) as client:
        live = await client.get("/api/health/live", headers={"Origin": "http://localhost:5173"})
        write = await client.post(
            "/api/users/settings",
            headers={**bearer(privy.token(owner)), "Origin": "http://localhost:5173"},
            json={"settings": {}},
        )
        me = await client.get("/api/users/me", headers=bearer(privy.token(owner)))
    assert live.headers["strict-transport-security"].startswith("max-age=")
    assert "access-control-allow-origin" not in live.headers  # no FRONTEND_URL: no origin is allowed
    assert write.status_code == 403
    assert me.status_code == 200  # verified with the PEM key, no JWKS involved
    assert me.json()["user"]["privyUserId"] == owner
