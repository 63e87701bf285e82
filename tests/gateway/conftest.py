"""Fixtures of the gateway's tests."""

from __future__ import annotations

import uuid

import httpx
import nats
import pytest

from assetforge.common.devstack import EmbeddedNats
from tests.gateway.openapi_document import Caller
from tests.helpers import create_asset, scalar
from tests.privy import FakePrivy, bearer
from tests.support import RunningService


@pytest.fixture(scope="module")
async def caller(
    stack: dict[str, RunningService], privy: FakePrivy, database_url: str, nats_server: EmbeddedNats
) -> Caller:
    admin = f"did:privy:fuzz-{uuid.uuid4().hex[:10]}"
    member_id = uuid.uuid4()
    for user_id, subject, role in ((uuid.uuid4(), admin, "admin"), (member_id, f"{admin}-member", "member")):
        await scalar(
            database_url,
            "INSERT INTO gateway.users (id, privy_user_id, role) VALUES (:i, :s, :r) RETURNING 1",
            i=user_id,
            s=subject,
            r=role,
        )
    async with httpx.AsyncClient(base_url=stack["gateway"].url, headers=bearer(privy.token(admin))) as client:
        key = await client.post("/api/users/api-keys", json={"name": "fuzzed"})
        assert key.status_code == 201, key.text
        me = (await client.get("/api/users/me")).json()["user"]
    nc = await nats.connect(nats_server.url)
    try:
        asset = await create_asset(nc, me["id"], name="fuzzed blade", tags=["fuzz"])
    finally:
        await nc.close()
    resources = {"user_id": str(member_id), "key_id": key.json()["keyId"], "asset_id": asset["id"]}
    # A file route names the asset and a path in it: a sweep of one needs the other.
    resources["file_path"] = "thumbnail.png"
    return Caller(admin, privy, resources)
