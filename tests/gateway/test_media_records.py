"""The media records through the gateway (passed through from the media service), the
storage health for admins, and the readiness's "cdn" check."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import msgspec
import pytest

from assetforge.common.contracts.common import Pong
from assetforge.common.contracts.media import STORAGE_HEALTH, StorageHealth
from assetforge.common.errors import ServiceUnavailable
from assetforge.gateway.service.health import GatewayReadiness
from tests.gateway.media_support import User, sign_in, upload
from tests.media import files
from tests.privy import FakePrivy


@pytest.fixture
async def member(gateway: httpx.AsyncClient, privy: FakePrivy) -> User:
    return await sign_in(gateway, privy)


async def test_a_record_is_for_its_owner_and_admins(
    gateway: httpx.AsyncClient, privy: FakePrivy, member: User, database_url: str
) -> None:
    record = (await upload(gateway, member, files.png(uuid.uuid4().int % 10_000), "r.png")).json()
    stranger = await sign_in(gateway, privy)
    admin = await sign_in(gateway, privy, role="admin", database_url=database_url)

    own = await gateway.get(f"/api/media/{record['id']}", headers=member.headers)
    assert own.status_code == 200
    assert own.json() == record
    assert (await gateway.get(f"/api/media/{record['id']}", headers=admin.headers)).status_code == 200
    assert (await gateway.get(f"/api/media/{record['id']}", headers=stranger.headers)).status_code == 404
    assert (await gateway.get(f"/api/media/{record['id']}")).status_code == 401


async def test_the_list_is_the_callers_filtered_by_entity_and_kind(
    gateway: httpx.AsyncClient, privy: FakePrivy, member: User
) -> None:
    entity = f"npc-{uuid.uuid4().hex[:8]}"
    image = (
        await upload(gateway, member, files.png(uuid.uuid4().int % 10_000), "a.png", entityType="npc", entityId=entity)
    ).json()
    sound = (
        await upload(gateway, member, files.wav(uuid.uuid4().int % 30000), "a.wav", entityType="npc", entityId=entity)
    ).json()
    stranger = await sign_in(gateway, privy)
    await upload(gateway, stranger, files.png(uuid.uuid4().int % 10_000), "b.png", entityType="npc", entityId=entity)

    listed = await gateway.get("/api/media", params={"entityType": "npc", "entityId": entity}, headers=member.headers)
    images = await gateway.get(
        "/api/media", params={"entityType": "npc", "entityId": entity, "kind": "image"}, headers=member.headers
    )

    assert listed.status_code == 200, listed.text
    assert [f["id"] for f in listed.json()["files"]] == [sound["id"], image["id"]]  # newest first
    assert [f["id"] for f in images.json()["files"]] == [image["id"]]


async def test_deleting_a_file_takes_its_bytes_away(gateway: httpx.AsyncClient, privy: FakePrivy, member: User) -> None:
    record = (await upload(gateway, member, files.gif(uuid.uuid4().int % 10_000), "d.gif")).json()
    stranger = await sign_in(gateway, privy)

    assert (await gateway.delete(f"/api/media/{record['id']}", headers=stranger.headers)).status_code == 404
    deleted = await gateway.delete(f"/api/media/{record['id']}", headers=member.headers)

    assert deleted.status_code == 200, deleted.text
    assert deleted.json() == {"id": record["id"]}
    assert (await gateway.get(f"/api/media/{record['id']}", headers=member.headers)).status_code == 404
    assert (await gateway.get(f"/api/media/{record['id']}/content", headers=member.headers)).status_code == 404


async def test_storage_health_is_for_admins(
    gateway: httpx.AsyncClient, privy: FakePrivy, member: User, database_url: str
) -> None:
    admin = await sign_in(gateway, privy, role="admin", database_url=database_url)

    answer = await gateway.get("/api/admin/media-storage/health", headers=admin.headers)

    assert answer.status_code == 200, answer.text
    assert answer.json()["cdnConfigured"] is False
    assert {"files", "mirrored", "pending", "failed"} <= answer.json().keys()
    assert (await gateway.get("/api/admin/media-storage/health", headers=member.headers)).status_code == 403


async def test_readiness_shows_no_cdn_when_none_is_configured(gateway: httpx.AsyncClient) -> None:
    checks = (await gateway.get("/api/health/ready")).json()["checks"]
    assert checks["media"] is True
    assert "cdn" not in checks


class FakeBus:
    def __init__(self, health: StorageHealth | Exception) -> None:
        self.health = health

    async def request(self, subject: str, _message: msgspec.Struct, _reply: type[Any], *_: Any, **__: Any) -> Any:
        if subject != STORAGE_HEALTH:
            return Pong(service=subject.split(".", 1)[0], instance="i", ready=True)
        if isinstance(self.health, Exception):
            raise self.health
        return self.health


class FakeRuntime:
    def __init__(self, health: StorageHealth | Exception) -> None:
        self.bus = FakeBus(health)

    async def readiness(self) -> tuple[bool, dict[str, bool]]:
        return True, {"database": True, "nats": True}


def _health(*, configured: bool, reachable: bool | None) -> StorageHealth:
    return StorageHealth(cdn_configured=configured, files=0, mirrored=0, pending=0, failed=0, cdn_reachable=reachable)


@pytest.mark.parametrize(
    ("health", "cdn"),
    [
        (_health(configured=False, reachable=None), None),
        (_health(configured=True, reachable=None), True),
        (_health(configured=True, reachable=True), True),
        (_health(configured=True, reachable=False), False),
        (ServiceUnavailable("no media"), None),
    ],
    ids=["not configured", "configured, not tried yet", "reachable", "unreachable", "media down"],
)
async def test_the_cdn_check_appears_only_when_configured_and_is_not_required(
    health: StorageHealth | Exception, cdn: bool | None
) -> None:
    readiness = GatewayReadiness(FakeRuntime(health), timeout=1.0)  # type: ignore[arg-type]

    ok, checks = await readiness.check()

    assert ok is True
    assert checks.get("cdn") is cdn
    assert checks["media"] is True
