"""Temporary images: stored under an unguessable name, and swept away (object and record)
once they expire. The media service here lives images for 1 s and sweeps every 0.2 s."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from assetforge.common.blobs import MEDIA, TEMP_IMAGES
from assetforge.common.contracts import media as contract
from assetforge.media.service import temp_images
from tests.helpers import scalar
from tests.media import files
from tests.media.support import OwnMedia, call, read_all, stage
from tests.support import wait_until


async def rows_named(media: OwnMedia, name: str) -> int:
    sql = "SELECT count(*) FROM media.media_storage WHERE object_name = :n"
    return int(await scalar(media.database_url, sql, n=name))


async def test_a_temporary_image_is_served_by_an_unguessable_name(cdn_media: OwnMedia) -> None:
    data = files.webp(random.randrange(1 << 30))
    staged = await stage(cdn_media.store, TEMP_IMAGES, data)
    reply = await call(cdn_media.nc, contract.TEMP_IMAGE_CREATE, {"staged": staged, "ttlS": 3600})
    assert reply.ok, reply.body
    name = reply.body["name"]
    assert name.endswith(".webp")
    assert len(name.removesuffix(".webp")) == 43  # 32 random bytes, base64url
    assert reply.body["url"] == f"https://images.example/temp-images/{name}"
    expires_at = datetime.fromisoformat(reply.body["expiresAt"])
    assert timedelta(minutes=59) < expires_at - datetime.now(UTC) <= timedelta(hours=1)
    assert await read_all(cdn_media.store, TEMP_IMAGES, name) == data
    assert await cdn_media.store.stat(TEMP_IMAGES, staged["name"]) is None
    # Not a file of anyone's: no listing or health count shows it.
    health = (await call(cdn_media.nc, contract.STORAGE_HEALTH, {})).body
    admin_list = await call(cdn_media.nc, contract.FILE_LIST, {"limit": 200}, "did:privy:admin", role="admin")
    assert name not in {file["objectName"] for file in admin_list.body["files"]}
    assert health["files"] == len(admin_list.body["files"])


async def test_an_expired_image_is_swept_away(cdn_media: OwnMedia) -> None:
    staged = await stage(cdn_media.store, TEMP_IMAGES, files.png(random.randrange(1 << 30)))
    reply = await call(cdn_media.nc, contract.TEMP_IMAGE_CREATE, {"staged": staged})
    assert reply.ok, reply.body
    name = reply.body["name"]
    assert await rows_named(cdn_media, name) == 1
    # TEMP_IMAGE_TTL_S is 1 s here; the sweep runs every 0.2 s.

    async def gone() -> bool:
        return await cdn_media.store.stat(TEMP_IMAGES, name) is None and await rows_named(cdn_media, name) == 0

    await wait_until(gone, timeout=10, interval=0.1)


async def test_only_an_image_can_be_a_temporary_image(cdn_media: OwnMedia) -> None:
    staged = await stage(cdn_media.store, TEMP_IMAGES, files.wav(random.randrange(1 << 30)))
    reply = await call(cdn_media.nc, contract.TEMP_IMAGE_CREATE, {"staged": staged})
    assert (reply.code, reply.field_names()) == ("VALIDATION_ERROR", {"file"})
    assert "not an image" in reply.body["message"]
    assert await cdn_media.store.stat(TEMP_IMAGES, staged["name"]) is None

    elsewhere = await stage(cdn_media.store, MEDIA, files.png(random.randrange(1 << 30)))
    wrong = await call(cdn_media.nc, contract.TEMP_IMAGE_CREATE, {"staged": elsewhere})
    assert wrong.field_names() == {"staged.bucket"}


async def test_stale_staged_uploads_are_swept_from_every_bucket(cdn_media: OwnMedia) -> None:
    staged = [
        await stage(cdn_media.store, bucket, files.png(random.randrange(1 << 30))) for bucket in (MEDIA, TEMP_IMAGES)
    ]
    assert await temp_images.sweep_staging(cdn_media.store, older_than_s=0) >= 2
    for object_ in staged:
        assert await cdn_media.store.stat(object_["bucket"], object_["name"]) is None
