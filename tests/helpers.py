"""Small builders shared by tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
from nats.aio.client import Client
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from assetforge.common.contracts import assets as contract
from assetforge.common.contracts import headers as h
from assetforge.common.db import to_async_url


def asset_created(asset_id: str, owner_id: str = "did:privy:someone") -> contract.AssetCreated:
    """An AssetCreated event as the assets service's outbox would publish it."""
    return contract.AssetCreated(
        asset_id=asset_id,
        owner_id=owner_id,
        name="lantern",
        type=contract.AssetType.PROP,
        visibility=contract.Visibility.PUBLIC,
        created_at=datetime.now(tz=UTC),
    )


async def create_asset(nc: Client, owner: str, **fields: Any) -> dict[str, Any]:
    """Create an asset through the assets service's real bus endpoint."""
    body = {"name": "rusty longsword", "type": "weapon", "visibility": "public", **fields}
    reply = await nc.request(
        contract.ASSET_CREATE, msgspec.json.encode(body), timeout=5, headers={h.USER_ID: owner, h.REQUEST_ID: "t"}
    )
    decoded: dict[str, Any] = msgspec.json.decode(reply.data)
    assert not reply.headers or reply.headers.get(h.STATUS) != h.STATUS_ERROR, decoded
    return decoded


async def scalar(database_url: str, sql: str, **params: Any) -> Any:
    """One value from the database, on a connection of the test's own (committed)."""
    engine = create_async_engine(to_async_url(database_url))
    try:
        async with engine.begin() as connection:
            return (await connection.execute(text(sql), params)).scalar_one()
    finally:
        await engine.dispose()


async def activity_count(database_url: str, entity_id: str) -> int:
    """How many activity-log entries the gateway recorded for one entity."""
    count = await scalar(database_url, "SELECT count(*) FROM gateway.activity_log WHERE entity_id = :id", id=entity_id)
    return int(count)
