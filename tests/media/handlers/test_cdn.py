"""The CDN mirror, against a fake CDN on loopback: stored files are uploaded after the
request that stored them, retried while the CDN fails, and given up on (recorded as
failed) when it refuses them or keeps failing."""

from __future__ import annotations

import asyncio
import hashlib
import random
import uuid
from pathlib import Path
from typing import Any

import httpx

from assetforge.common.blobs import GDD_ASSETS, MEDIA
from assetforge.common.contracts import media as contract
from assetforge.common.devstack import free_port
from tests.helpers import scalar
from tests.media import files
from tests.media.conftest import CDN_KEY
from tests.media.fake_cdn import FakeCdn
from tests.media.support import OwnMedia, Reply, call, own_media, stage, subscribe
from tests.support import wait_until

OWNER = "did:privy:cdn-owner"


async def register(media: OwnMedia, data: bytes, owner: str = OWNER) -> Reply:
    staged = await stage(media.store, MEDIA, data)
    reply = await call(media.nc, contract.FILE_REGISTER, {"staged": staged}, owner)
    assert reply.ok, reply.body
    return reply


async def record(media: OwnMedia, file_id: str) -> dict[str, Any]:
    columns = ("cdn_state", "cdn_url", "cdn_attempts", "cdn_error")
    values = {}
    for column in columns:
        sql = f"SELECT {column} FROM media.media_storage WHERE id = :id"  # noqa: S608 - our own column names
        values[column] = await scalar(media.database_url, sql, id=file_id)
    return values


async def state_becomes(media: OwnMedia, file_id: str, state: str, timeout: float = 20) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        current = await record(media, file_id)
        return current if current["cdn_state"] == state else None

    found: dict[str, Any] = await wait_until(check, timeout=timeout, interval=0.1)
    return found


async def test_a_stored_upload_is_mirrored_and_its_url_points_at_the_cdn(
    cdn_media: OwnMedia, fake_cdn: FakeCdn
) -> None:
    events = await subscribe(cdn_media.nc, "evt.media.file.*.mirrored")
    data = files.png(random.randrange(1 << 30))
    reply = await register(cdn_media, data)
    file_id, sha = reply.body["id"], reply.body["sha256"]
    # The request answered before the CDN was asked: the file is served here meanwhile.
    assert reply.body["url"] == f"/api/media/{file_id}/content"

    mirrored = await state_becomes(cdn_media, file_id, "mirrored")
    expected = f"{fake_cdn.url}/media/{sha}/content.png"
    assert (mirrored["cdn_url"], mirrored["cdn_attempts"]) == (expected, 1)
    received = fake_cdn.stored[f"media/{sha}/content.png"]
    assert (received.directory, received.name, received.data) == ("media", f"{sha}/content.png", data)
    assert (received.api_key, received.content_type) == (CDN_KEY, "image/png")
    assert received.content_length is not None  # a length, not a chunked body

    got = (await call(cdn_media.nc, contract.FILE_GET, {"id": file_id}, OWNER)).body
    assert (got["url"], got["cdnUrl"]) == (expected, expected)
    event = await asyncio.wait_for(events.get(), 10)
    assert (event["fileId"], event["cdnUrl"]) == (file_id, expected)


async def test_a_generated_file_goes_to_its_asset_directory(cdn_media: OwnMedia, fake_cdn: FakeCdn) -> None:
    asset = uuid.uuid4().hex
    staged = await stage(cdn_media.store, GDD_ASSETS, files.glb(random.randrange(1 << 30)))
    body = {"staged": staged, "assetId": asset, "path": "models/lantern.glb", "ownerId": OWNER, "kind": "model"}
    reply = await call(cdn_media.nc, contract.FILE_STORE, body)
    assert reply.ok, reply.body
    mirrored = await state_becomes(cdn_media, reply.body["id"], "mirrored")
    assert mirrored["cdn_url"] == f"{fake_cdn.url}/gdd-assets/{asset}/models/lantern.glb"
    assert fake_cdn.stored[f"gdd-assets/{asset}/models/lantern.glb"].name == f"{asset}/models/lantern.glb"


async def test_identical_uploads_share_one_cdn_copy(cdn_media: OwnMedia, fake_cdn: FakeCdn) -> None:
    data = files.gif(random.randrange(1 << 30))
    first = await register(cdn_media, data)
    await state_becomes(cdn_media, first.body["id"], "mirrored")
    second = await register(cdn_media, data, owner="did:privy:another")
    mirrored = await state_becomes(cdn_media, second.body["id"], "mirrored")
    name = f"{first.body['sha256']}/content.gif"
    assert mirrored["cdn_url"] == f"{fake_cdn.url}/media/{name}"
    assert mirrored["cdn_attempts"] == 0  # nothing was uploaded for it
    assert fake_cdn.attempts.count(name) == 1


async def test_a_server_error_is_retried_until_the_cdn_takes_the_file(cdn_media: OwnMedia, fake_cdn: FakeCdn) -> None:
    data = files.wav(random.randrange(1 << 30))
    name = f"{_sha(data)}/content.wav"
    fake_cdn.failures[name] = [503]
    reply = await register(cdn_media, data)
    mirrored = await state_becomes(cdn_media, reply.body["id"], "mirrored")
    assert mirrored["cdn_attempts"] == 2
    assert fake_cdn.attempts.count(name) == 2


async def test_a_refusal_is_not_retried_and_the_record_is_failed(cdn_media: OwnMedia, fake_cdn: FakeCdn) -> None:
    data = files.jpeg(random.randrange(1 << 30))
    name = f"{_sha(data)}/content.jpg"
    fake_cdn.failures[name] = [400, 400]
    reply = await register(cdn_media, data)
    failed = await state_becomes(cdn_media, reply.body["id"], "failed")
    assert failed["cdn_attempts"] == 1
    assert "400" in failed["cdn_error"]
    await asyncio.sleep(2.5)  # longer than the first retry's delay would be
    assert fake_cdn.attempts.count(name) == 1
    got = (await call(cdn_media.nc, contract.FILE_GET, {"id": reply.body["id"]}, OWNER)).body
    assert got["url"] == f"/api/media/{reply.body['id']}/content"


async def test_a_cdn_that_keeps_failing_gives_up_after_the_last_try(cdn_media: OwnMedia, fake_cdn: FakeCdn) -> None:
    data = files.ogg(random.randrange(1 << 30))
    name = f"{_sha(data)}/content.ogg"
    fake_cdn.failures[name] = [500] * 10
    reply = await register(cdn_media, data)
    failed = await state_becomes(cdn_media, reply.body["id"], "failed", timeout=30)
    assert failed["cdn_attempts"] == 3  # CDN_MAX_ATTEMPTS
    assert "500" in failed["cdn_error"]
    assert fake_cdn.attempts.count(name) == 3


async def test_storage_health_counts_the_mirror_and_readiness_includes_the_cdn(
    cdn_media: OwnMedia, fake_cdn: FakeCdn
) -> None:
    reply = await register(cdn_media, files.png(random.randrange(1 << 30)))
    await state_becomes(cdn_media, reply.body["id"], "mirrored")
    health = (await call(cdn_media.nc, contract.STORAGE_HEALTH, {})).body
    assert (health["cdnConfigured"], health["cdnReachable"]) == (True, True)
    assert health["mirrored"] >= 1
    assert health["files"] == health["mirrored"] + health["pending"] + health["failed"]
    async with httpx.AsyncClient() as client:
        ready = (await client.get(f"{cdn_media.service.url}/health/ready")).json()
    assert ready["checks"]["cdn"] is True


async def test_a_cdn_that_is_down_does_not_fail_the_upload(tmp_path: Path, postgres_server_url: str) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    environ = {"CDN_URL": nobody, "CDN_API_KEY": "k", "CDN_MAX_ATTEMPTS": "2"}
    async with own_media(tmp_path / "nats", postgres_server_url, **environ) as media:
        started = asyncio.get_running_loop().time()
        reply = await register(media, files.png(random.randrange(1 << 30)))
        assert asyncio.get_running_loop().time() - started < 2
        assert reply.body["url"] == f"/api/media/{reply.body['id']}/content"
        failed = await state_becomes(media, reply.body["id"], "failed", timeout=30)
        assert failed["cdn_attempts"] == 2
        assert "could not reach the CDN" in failed["cdn_error"]
        health = (await call(media.nc, contract.STORAGE_HEALTH, {})).body
        assert (health["files"], health["failed"], health["cdnReachable"]) == (1, 1, False)
        ready, checks = await media.service.runtime.readiness()
        assert (ready, checks["cdn"]) == (False, False)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
