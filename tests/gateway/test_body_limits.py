"""Bodies and values a careless or hostile client sends: each is a 4xx that names what is
wrong, never a 500, and nothing of it is stored, cached or logged at length."""

from __future__ import annotations

import base64
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import msgspec
import pytest
from nats.aio.client import Client

from assetforge.common.contracts import assets as contract
from assetforge.common.contracts import headers as h
from tests.helpers import scalar
from tests.privy import FakePrivy, bearer


@pytest.fixture
async def signed_in(gateway: httpx.AsyncClient, privy: FakePrivy, owner: str) -> dict[str, str]:
    headers = bearer(privy.token(owner))
    assert (await gateway.get("/api/users/me", headers=headers)).status_code == 200
    return headers


@pytest.fixture
def no_tracebacks(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A client's mistake is not an error of ours: nothing is logged at ERROR for it."""
    with caplog.at_level(logging.ERROR):
        yield
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


def nested(depth: int, leaf: bytes = b"1") -> bytes:
    return b"[" * depth + leaf + b"]" * depth


def fields(response: httpx.Response) -> list[str]:
    return [f["field"] for f in response.json().get("fields", [])]


async def post_settings(gateway: httpx.AsyncClient, headers: dict[str, str], body: bytes) -> httpx.Response:
    return await gateway.post(
        "/api/users/settings", content=body, headers={**headers, "content-type": "application/json"}
    )


@pytest.mark.usefixtures("no_tracebacks")
@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        pytest.param(nested(100_000), 400, "body", id="100k levels"),
        pytest.param(b'{"settings":' + nested(5_000) + b"}", 400, "body", id="5k levels in settings"),
        pytest.param(b'{"settings":{"a":' + nested(40) + b"}}", 400, "settings", id="40 levels in settings"),
        pytest.param(b'{"settings":{"a":' + nested(10) + b"}}", 422, "settings", id="10 levels in settings"),
        pytest.param(b'{"settings":{"name":"\xff\xfe"}}', 400, "body", id="invalid UTF-8"),
        pytest.param(b'{"settings":{"name":"\xed\xa0\x80"}}', 400, "body", id="UTF-8 surrogate"),
        pytest.param(b'{"settings": {"a": 1', 400, "body", id="truncated JSON"),
        pytest.param(b"\xef\xbb\xbf{}", 400, "body", id="byte order mark"),
        pytest.param(b'{"settings":{"a":NaN}}', 400, "body", id="NaN"),
    ],
)
async def test_malformed_json_is_a_client_error_naming_the_field(
    gateway: httpx.AsyncClient, signed_in: dict[str, str], body: bytes, status: int, field: str
) -> None:
    response = await post_settings(gateway, signed_in, body)
    assert response.status_code == status, response.text
    assert fields(response) == [field]


@pytest.mark.usefixtures("no_tracebacks")
async def test_a_body_over_the_json_limit_is_refused_before_it_is_read(
    gateway: httpx.AsyncClient, signed_in: dict[str, str]
) -> None:
    huge = b'{"settings":{"blob":"' + b"x" * (20 * 1024 * 1024) + b'"}}'
    announced = await post_settings(gateway, signed_in, huge)
    assert announced.status_code == 413
    assert "1024 KB" in announced.json()["message"]

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"settings":{"blob":"'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}}'

    streamed = await gateway.post(
        "/api/users/settings", content=chunks(), headers={**signed_in, "content-type": "application/json"}
    )
    assert streamed.status_code == 413
    assert (await gateway.get("/api/users/me", headers=signed_in)).json()["user"]["settings"] == {}


async def test_settings_are_bounded_in_size_keys_and_depth(
    gateway: httpx.AsyncClient, signed_in: dict[str, str]
) -> None:
    big = {f"k{n}": "v" * 900 for n in range(20)}  # about 18 KB
    response = await gateway.post("/api/users/settings", json={"settings": big}, headers=signed_in)
    assert response.status_code == 422
    assert fields(response) == ["settings"]
    assert "16384 bytes" in response.json()["message"]

    # The cap is on what is stored: small updates cannot add up past it either.
    for n in range(15):
        ok = await gateway.post("/api/users/settings", json={"settings": {f"k{n}": "v" * 900}}, headers=signed_in)
        assert ok.status_code == 200, ok.text
    over = await gateway.post("/api/users/settings", json={"settings": {"k99": "v" * 3000}}, headers=signed_in)
    assert over.status_code == 422

    long_key = await gateway.post("/api/users/settings", json={"settings": {"k" * 200: 1}}, headers=signed_in)
    assert long_key.status_code == 422
    assert "128 characters" in long_key.json()["message"]

    me = (await gateway.get("/api/users/me", headers=signed_in)).json()["user"]
    assert len(msgspec.json.encode(me["settings"])) <= 16384


async def test_the_activity_log_records_what_changed_not_the_values(
    gateway: httpx.AsyncClient, signed_in: dict[str, str], database_url: str
) -> None:
    changes = {f"{'key' * 40}{n}": n for n in range(100)}
    response = await gateway.post("/api/users/settings", json={"settings": changes}, headers=signed_in)
    assert response.status_code == 200, response.text
    user_id = response.json()["user"]["id"]
    details = await scalar(
        database_url,
        "SELECT details FROM gateway.activity_log WHERE user_id = :u AND action = 'user.settings_updated' "
        "ORDER BY created_at DESC LIMIT 1",
        u=user_id,
    )
    assert details["keyCount"] == 100
    assert len(details["keys"]) == 20
    assert len(msgspec.json.encode(details)) <= 4096


@pytest.mark.usefixtures("no_tracebacks")
@pytest.mark.parametrize(
    "expires_at",
    [
        "9999-12-31T23:59:59-23:59",  # past year 9999 once in UTC
        "0001-01-01T00:00:00+23:59",  # before year 1 once in UTC
        "9999-12-31T23:59:59+00:00",
        "2200-01-01T00:00:00Z",
    ],
)
async def test_an_api_key_expiry_out_of_range_is_a_422(
    gateway: httpx.AsyncClient, signed_in: dict[str, str], expires_at: str
) -> None:
    response = await gateway.post(
        "/api/users/api-keys", json={"name": "far", "expiresAt": expires_at}, headers=signed_in
    )
    assert response.status_code == 422, response.text
    assert fields(response) == ["expiresAt"]


def forged_cursor(stamp: str) -> str:
    return base64.urlsafe_b64encode(f"{stamp}|{uuid.uuid4()}".encode()).decode().rstrip("=")


@pytest.mark.usefixtures("no_tracebacks")
@pytest.mark.parametrize(
    "stamp",
    [
        "9999-12-31T23:59:59-23:59",
        "0001-01-01T00:00:00+23:59",
        "0001-01-01T00:00:00+00:00",
        "9999-12-31T23:59:59+00:00",
        "2026-01-01T00:00:00",  # no time zone
    ],
)
async def test_a_cursor_with_an_extreme_timestamp_is_a_422_naming_cursor(
    gateway: httpx.AsyncClient, stamp: str
) -> None:
    response = await gateway.get("/api/assets", params={"cursor": forged_cursor(stamp)})
    assert response.status_code == 422, response.text
    assert fields(response) == ["cursor"]


@pytest.mark.usefixtures("stack")
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"name":"a\\u0000b","type":"weapon"}', "NUL"),
        (b'{"name":"blade","type":"weapon","tags":' + nested(50_000, b'"x"') + b"}", "deep"),
        (b'{"name":"\xff","type":"weapon"}', "UTF-8"),
    ],
)
async def test_the_bus_refuses_what_the_database_cannot_hold(nc: Client, body: bytes, message: str) -> None:
    """A service reached on the bus directly answers a validation error, not an internal one."""
    reply = await nc.request(
        contract.ASSET_CREATE, body, timeout=5, headers={h.USER_ID: "did:privy:bus", h.REQUEST_ID: "t"}
    )
    assert reply.headers is not None
    assert reply.headers.get(h.STATUS) == h.STATUS_ERROR
    error: dict[str, Any] = msgspec.json.decode(reply.data)
    assert error["code"] == "VALIDATION_ERROR", error
