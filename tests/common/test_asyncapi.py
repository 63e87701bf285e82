"""Each service's bus API is documented, and docs/asyncapi/ matches the code."""

from __future__ import annotations

import json

import httpx
import pytest

from assetforge.common.contracts.assets import ASSET_LIST
from tests.support import ENTRIES, ROOT, RunningService


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_committed_document_matches_the_code(name: str) -> None:
    entry = ENTRIES[name]
    settings = entry.load_settings({"DATABASE_URL": "postgresql://docs@localhost/docs"})
    generated = entry.asyncapi(entry.create_runtime(settings))
    committed = json.loads((ROOT / "docs" / "asyncapi" / f"{name}.json").read_text())
    assert committed == json.loads(json.dumps(generated)), f"run `make docs`: docs/asyncapi/{name}.json is stale"


async def test_a_service_serves_its_document(stack: dict[str, RunningService]) -> None:
    async with httpx.AsyncClient() as client:
        document = (await client.get(f"{stack['assets'].url}/docs/asyncapi")).json()
    assert document["asyncapi"].startswith("3.")
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert ASSET_LIST in addresses
    assert "evt.assets.asset.*.created" in addresses
    schema = document["components"]["schemas"]["ListAssets"]
    assert schema["properties"]["limit"]["maximum"] == 200


async def test_the_gateway_documents_its_durable_consumer(stack: dict[str, RunningService]) -> None:
    async with httpx.AsyncClient() as client:
        document = (await client.get(f"{stack['gateway'].url}/docs/asyncapi")).json()
    assert any("evt.assets.asset.*.created" in channel["address"] for channel in document["channels"].values())


def test_the_gateway_documents_its_identity_notices() -> None:
    document = json.loads((ROOT / "docs" / "asyncapi" / "gateway.json").read_text())
    channel = next(c for c in document["channels"].values() if c["address"] == "gateway.v1.identity.changed")
    assert "no queue group" in channel["description"]
    assert "IdentityChanged" in document["components"]["schemas"]
