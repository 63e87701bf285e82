"""Bad input and failing dependencies get clear answers in the one error format: a JSON
body with the code (``error``), a readable ``message``, the ``requestId`` the response's
``X-Request-Id`` header also carries and, for bad input, ``fields`` naming each wrong field."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import nats
import pytest
from nats.aio.msg import Msg

from assetforge.common.contracts import assets as contract
from assetforge.common.devstack import EmbeddedNats
from tests.support import RunningService, service_env, start_service


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    body: dict[str, object] = response.json()
    assert body["error"] == code
    assert isinstance(body["message"], str)
    assert body["message"]
    assert body["requestId"] == response.headers["x-request-id"]
    return body


async def test_unknown_route_is_a_404_in_the_error_format(gateway: httpx.AsyncClient) -> None:
    assert_error(await gateway.get("/api/no-such-thing"), 404, "NOT_FOUND")


async def test_request_id_is_echoed_when_the_client_sends_one(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/no-such-thing", headers={"X-Request-Id": "client-chosen-42"})
    assert response.headers["x-request-id"] == "client-chosen-42"
    assert response.json()["requestId"] == "client-chosen-42"
    ok = await gateway.get("/api/health/live", headers={"X-Request-Id": "client-chosen-43"})
    assert ok.headers["x-request-id"] == "client-chosen-43"


async def test_an_unprintable_request_id_is_replaced(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/health/live", headers={"X-Request-Id": "x" * 300})
    assert response.headers["x-request-id"] != "x" * 300
    assert response.headers["x-request-id"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "abc"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"projectId": "not-a-uuid"}, "projectId"),
        ({"type": "spaceship"}, "type"),
        ({"status": "lost"}, "status"),
        ({"q": "x" * 201}, "q"),
    ],
)
async def test_a_malformed_query_parameter_is_named(
    gateway: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    # The catalog's rule: a known field with a bad value is a 422 naming it.
    body = assert_error(await gateway.get("/api/assets", params=params), 422, "VALIDATION_ERROR")
    assert [f["field"] for f in body["fields"]] == [field]  # type: ignore[attr-defined]


async def test_a_forged_cursor_is_a_validation_error_naming_it(gateway: httpx.AsyncClient) -> None:
    body = assert_error(await gateway.get("/api/assets", params={"cursor": "bm9wZQ"}), 422, "VALIDATION_ERROR")
    assert body["fields"] == [{"field": "cursor", "message": "not a cursor returned by this API"}]


async def test_a_missing_asset_is_a_404(gateway: httpx.AsyncClient) -> None:
    assert_error(await gateway.get("/api/assets/0195f3a0-0000-7000-8000-000000000000"), 404, "NOT_FOUND")


async def test_a_wrong_method_is_refused_in_the_error_format(gateway: httpx.AsyncClient) -> None:
    response = await gateway.delete("/api/health/live")
    assert_error(response, 405, "BAD_REQUEST")


@pytest.fixture
async def lonely_gateway(
    tmp_path_factory: pytest.TempPathFactory, own_database_url: str
) -> AsyncIterator[tuple[RunningService, EmbeddedNats]]:
    """A gateway on a NATS (and so a database) of its own, where no real assets service answers."""
    server = EmbeddedNats(tmp_path_factory.mktemp("lonely-nats")).start()
    gateway = await start_service("gateway", service_env(server.url, own_database_url, NATS_REQUEST_TIMEOUT_S="0.5"))
    yield gateway, server
    await gateway.stop()
    server.stop()


async def test_a_service_that_does_not_answer_in_time_is_a_504(
    lonely_gateway: tuple[RunningService, EmbeddedNats],
) -> None:
    gateway, server = lonely_gateway
    stalled: asyncio.Event = asyncio.Event()
    nc = await nats.connect(server.url)

    async def never_answers(_: Msg) -> None:
        stalled.set()

    await nc.subscribe(contract.ASSET_LIST, queue="assets", cb=never_answers)
    await nc.flush()  # the server knows of the subscriber before the gateway asks
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
        started = asyncio.get_running_loop().time()
        response = await client.get("/api/assets")
        elapsed = asyncio.get_running_loop().time() - started
    await nc.close()
    assert stalled.is_set()
    body = assert_error(response, 504, "GATEWAY_TIMEOUT")
    assert "assets" in str(body["message"])
    assert elapsed < 3  # the configured 0.5 s, not a hang


async def test_a_service_with_no_replica_running_is_a_503(
    lonely_gateway: tuple[RunningService, EmbeddedNats],
) -> None:
    gateway, _ = lonely_gateway
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
        assert_error(await client.get("/api/assets"), 503, "SERVICE_UNAVAILABLE")
        ready = await client.get("/api/health/ready")
    assert ready.status_code == 503
    assert ready.json()["checks"]["assets"] is False
    assert ready.json()["checks"]["nats"] is True
    # The pod itself stays in rotation: other routes may still work.
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
        assert (await client.get("/health/ready")).status_code == 200
