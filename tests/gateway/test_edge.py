"""What every response carries, CORS and CSRF, and the body limit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.privy import FakePrivy, bearer
from tests.support import RunningService, start_service

SECURITY_HEADERS = {
    "cross-origin-opener-policy": "same-origin-allow-popups",
    "cross-origin-embedder-policy": "credentialless",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "geolocation=(), microphone=(), camera=(), payment=()",
}


@pytest.mark.parametrize("path", ["/api/health/live", "/api/assets", "/api/nowhere", "/metrics", "/swagger"])
async def test_every_response_carries_the_security_headers(gateway: httpx.AsyncClient, path: str) -> None:
    response = await gateway.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, name
    assert "strict-transport-security" not in response.headers  # production only


@pytest.fixture
async def strict_gateway(environ: dict[str, str]) -> AsyncIterator[RunningService]:
    """A gateway that allows one frontend origin and takes at most 1 MB."""
    gateway = await start_service(
        "gateway",
        {
            **environ,
            # Spelled as people paste them: a slash, capitals, the default port.
            "FRONTEND_URL": "https://studio.example/ , HTTPS://Beta.Example:443, http://Dev.Example:8080",
            "MAX_REQUEST_BODY_MB": "1",
        },
    )
    yield gateway
    await gateway.stop()


async def test_a_preflight_from_an_allowed_origin_is_answered(strict_gateway: RunningService) -> None:
    async with httpx.AsyncClient(base_url=strict_gateway.url) as client:
        response = await client.options(
            "/api/users/settings",
            headers={
                "Origin": "https://studio.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "https://studio.example"
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "Authorization" in response.headers["access-control-allow-headers"]
    assert int(response.headers["access-control-max-age"]) > 0
    assert response.headers["vary"] == "Origin"


async def test_a_preflight_from_another_origin_is_refused(strict_gateway: RunningService) -> None:
    async with httpx.AsyncClient(base_url=strict_gateway.url) as client:
        response = await client.options(
            "/api/users/settings", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
        )
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers


async def test_allowed_origins_are_echoed_and_others_get_no_cors_headers(strict_gateway: RunningService) -> None:
    async with httpx.AsyncClient(base_url=strict_gateway.url) as client:
        allowed = await client.get("/api/health/live", headers={"Origin": "https://beta.example"})
        other = await client.get("/api/health/live", headers={"Origin": "https://evil.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://beta.example"
    assert allowed.headers["vary"] == "Origin"
    assert other.status_code == 200
    assert "access-control-allow-origin" not in other.headers


async def test_configured_origins_match_whatever_their_spelling(strict_gateway: RunningService) -> None:
    """Browsers send origins in lower case without the default port; the list is compared
    as origins, not as strings."""
    async with httpx.AsyncClient(base_url=strict_gateway.url) as client:
        for origin in ("https://beta.example", "http://dev.example:8080"):
            allowed = await client.get("/api/health/live", headers={"Origin": origin})
            assert allowed.headers.get("access-control-allow-origin") == origin
        for origin in ("http://beta.example", "http://dev.example", "https://beta.example:8443"):
            refused = await client.get("/api/health/live", headers={"Origin": origin})
            assert "access-control-allow-origin" not in refused.headers, origin


async def test_a_cross_origin_write_is_refused_unless_made_with_an_api_key(
    strict_gateway: RunningService, privy: FakePrivy, owner: str
) -> None:
    token = privy.token(owner)
    async with httpx.AsyncClient(base_url=strict_gateway.url) as client:
        forged = await client.post(
            "/api/users/settings",
            headers={**bearer(token), "Origin": "https://evil.example"},
            json={"settings": {"a": 1}},
        )
        assert forged.status_code == 403
        assert forged.json()["error"] == "FORBIDDEN"
        key = (await client.post("/api/users/api-keys", headers=bearer(token), json={"name": "cli"})).json()["key"]
        scripted = await client.post(
            "/api/users/settings",
            headers={**bearer(key), "Origin": "https://evil.example"},
            json={"settings": {"a": 1}},
        )
    assert scripted.status_code == 200


async def test_development_without_frontend_url_allows_localhost(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/health/live", headers={"Origin": "http://localhost:5173"})
    assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
    refused = await gateway.get("/api/health/live", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in refused.headers


async def test_a_body_over_the_limit_is_refused_without_reading_it(strict_gateway: RunningService) -> None:
    """Announce 101 MB (over the 1 MB limit here), send a little, and get 413 at once:
    the gateway answers from the headers and never waits for the rest."""
    host, port = strict_gateway.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    started = time.monotonic()
    writer.write(
        b"POST /api/users/settings HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"Content-Length: 105906176\r\n\r\n" + b"x" * 65536
    )
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), timeout=5)
    elapsed = time.monotonic() - started
    writer.close()
    assert status_line.startswith(b"HTTP/1.1 413"), status_line
    assert elapsed < 2


async def test_a_body_within_the_limit_reaches_the_route(
    strict_gateway: RunningService, privy: FakePrivy, owner: str
) -> None:
    """500 KB passes the edge (limit 1 MB here) and is judged by the route's own rule:
    settings hold at most 16 KB, which the 422 names."""
    async with httpx.AsyncClient(base_url=strict_gateway.url) as client:
        response = await client.post(
            "/api/users/settings", headers=bearer(privy.token(owner)), json={"settings": {"note": "x" * 500_000}}
        )
    assert response.status_code == 422, response.text
    assert response.json()["fields"] == [
        {"field": "settings", "message": response.json()["message"].removeprefix("settings ")}
    ]
    assert "16384 bytes" in response.json()["message"]
