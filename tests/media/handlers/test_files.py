"""Uploads through the media service's bus API, on the session's NATS, database and blob
store: typed by content, refused with nothing left behind, content-addressed, and seen
only by their owners and admins. (Generated files: test_generated_files.py.)"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from nats.aio.client import Client

from assetforge.common.blobs import GDD_ASSETS, MEDIA, JetStreamBlobStore
from assetforge.common.contracts import media as contract
from tests.helpers import scalar
from tests.media import files
from tests.media.support import Reply, call, read_all, stage, subscribe
from tests.support import RunningService

pytestmark = pytest.mark.usefixtures("media")

TYPES: list[tuple[Callable[[int], bytes], str, str]] = [
    (files.png, "image", "image/png"),
    (files.jpeg, "image", "image/jpeg"),
    (files.webp, "image", "image/webp"),
    (files.gif, "image", "image/gif"),
    (files.glb, "model", "model/gltf-binary"),
    (files.gltf, "model", "model/gltf+json"),
    (files.vrm, "model", "model/gltf-binary"),
    (files.mp3, "audio", "audio/mpeg"),
    (files.wav, "audio", "audio/wav"),
    (files.ogg, "audio", "audio/ogg"),
    (files.m4a, "audio", "audio/mp4"),
]


def seed() -> int:
    return random.randrange(1 << 30)


async def register(
    nc: Client, store: JetStreamBlobStore, owner: str | None, data: bytes, **fields: Any
) -> tuple[Reply, dict[str, Any]]:
    staged = await stage(store, MEDIA, data)
    reply = await call(nc, contract.FILE_REGISTER, {"staged": staged, **fields}, owner)
    return reply, staged


async def rows_with(database_url: str, sha256: str) -> int:
    return int(await scalar(database_url, "SELECT count(*) FROM media.media_storage WHERE sha256 = :s", s=sha256))


@pytest.mark.parametrize(("build", "kind", "mime"), TYPES, ids=[t[0].__name__ for t in TYPES])
async def test_each_type_is_registered_by_its_content(
    nc: Client, store: JetStreamBlobStore, owner: str, build: Callable[[int], bytes], kind: str, mime: str
) -> None:
    data = build(seed())
    # The name says nothing true: the content decides.
    reply, staged = await register(nc, store, owner, data, fileName="upload.bin", entityType="asset", entityId="a1")
    assert reply.ok, reply.body
    body = reply.body
    assert (body["kind"], body["mimeType"], body["size"], body["sha256"]) == (kind, mime, len(data), staged["sha256"])
    assert body["url"] == f"/api/media/{body['id']}/content"
    assert (body["bucket"], body["objectName"], body["ownerId"]) == (MEDIA, staged["sha256"], owner)
    assert (body["fileName"], body["entityType"], body["entityId"]) == ("upload.bin", "asset", "a1")
    assert await read_all(store, MEDIA, staged["sha256"]) == data
    assert await store.stat(MEDIA, staged["name"]) is None  # promoted, not copied


async def test_the_declared_kind_may_agree_with_the_content(nc: Client, store: JetStreamBlobStore, owner: str) -> None:
    reply, _ = await register(nc, store, owner, files.wav(seed()), kind="audio")
    assert reply.ok, reply.body
    assert reply.body["kind"] == "audio"


async def test_a_png_declared_as_a_model_is_refused_and_dropped(
    nc: Client, store: JetStreamBlobStore, owner: str, database_url: str
) -> None:
    data = files.png(seed())
    reply, staged = await register(nc, store, owner, data, kind="model")
    assert (reply.code, reply.field_names()) == ("VALIDATION_ERROR", {"kind"})
    assert "PNG image" in reply.body["message"]
    assert await store.stat(MEDIA, staged["name"]) is None
    assert await store.stat(MEDIA, staged["sha256"]) is None
    assert await rows_with(database_url, staged["sha256"]) == 0


async def test_an_executable_named_png_is_refused_and_dropped(
    nc: Client, store: JetStreamBlobStore, owner: str, database_url: str
) -> None:
    reply, staged = await register(nc, store, owner, files.elf(), fileName="cat.png", kind="image")
    assert (reply.code, reply.field_names()) == ("VALIDATION_ERROR", {"file"})
    assert reply.body["message"] == "file is not a PNG, JPEG, WebP, GIF, GLB, glTF, VRM, MP3, WAV, OGG or M4A file"
    assert await store.stat(MEDIA, staged["name"]) is None
    assert await rows_with(database_url, staged["sha256"]) == 0


async def test_an_image_over_10_mb_is_refused_with_413_and_nothing_kept(
    nc: Client, store: JetStreamBlobStore, owner: str, database_url: str
) -> None:
    data = files.big_png(contract.MAX_BYTES[contract.Kind.IMAGE] + 1, seed())
    reply, staged = await register(nc, store, owner, data)
    assert (reply.code, reply.field_names()) == ("PAYLOAD_TOO_LARGE", {"file"})
    assert "10 MB" in reply.body["message"]
    assert await store.stat(MEDIA, staged["name"]) is None
    assert await store.stat(MEDIA, staged["sha256"]) is None
    assert await rows_with(database_url, staged["sha256"]) == 0


async def test_an_audio_file_may_be_larger_than_an_image(nc: Client, store: JetStreamBlobStore, owner: str) -> None:
    frames = files.mp3(seed(), id3=False) * (11 * 1024 * 1024 // 834)
    reply, _ = await register(nc, store, owner, frames)
    assert reply.ok, reply.body
    assert reply.body["size"] > contract.MAX_BYTES[contract.Kind.IMAGE]


async def test_uploading_needs_a_signed_in_user(nc: Client, store: JetStreamBlobStore) -> None:
    reply, staged = await register(nc, store, None, files.png(seed()))
    assert reply.code == "UNAUTHORIZED"
    assert await store.stat(MEDIA, staged["name"]) is None


async def test_only_a_staged_object_can_be_registered_and_a_final_one_is_never_dropped(
    nc: Client, store: JetStreamBlobStore, owner: str
) -> None:
    """Naming someone's stored object must neither record it for the caller nor delete it."""
    data = files.png(seed())
    first, staged = await register(nc, store, owner, data)
    assert first.ok
    final = {**staged, "name": staged["sha256"]}
    reply = await call(nc, contract.FILE_REGISTER, {"staged": final}, "did:privy:intruder")
    assert (reply.code, reply.field_names()) == ("VALIDATION_ERROR", {"staged.name"})
    assert await read_all(store, MEDIA, staged["sha256"]) == data


async def test_a_staged_object_must_be_what_its_writer_measured(
    nc: Client, store: JetStreamBlobStore, owner: str
) -> None:
    staged = await stage(store, MEDIA, files.png(seed()))
    reply = await call(nc, contract.FILE_REGISTER, {"staged": {**staged, "sha256": "0" * 64}}, owner)
    assert (reply.code, reply.field_names()) == ("VALIDATION_ERROR", {"staged"})
    assert await store.stat(MEDIA, staged["name"]) is None
    wrong_bucket = await call(nc, contract.FILE_REGISTER, {"staged": {**staged, "bucket": GDD_ASSETS}}, owner)
    assert wrong_bucket.field_names() == {"staged.bucket"}


async def test_identical_uploads_share_one_object_until_the_last_is_deleted(
    nc: Client, store: JetStreamBlobStore, owner: str
) -> None:
    data = files.gif(seed())
    first, _ = await register(nc, store, owner, data)
    second, _ = await register(nc, store, owner, data)
    assert first.ok
    assert second.ok
    assert first.body["id"] != second.body["id"]
    assert first.body["objectName"] == second.body["objectName"]
    sha = first.body["sha256"]

    assert (await call(nc, contract.FILE_DELETE, {"id": first.body["id"]}, owner)).ok
    assert await read_all(store, MEDIA, sha) == data
    assert (await call(nc, contract.FILE_GET, {"id": second.body["id"]}, owner)).ok

    assert (await call(nc, contract.FILE_DELETE, {"id": second.body["id"]}, owner)).ok
    assert await store.stat(MEDIA, sha) is None

    # And the same bytes uploaded again are stored again.
    again, _ = await register(nc, store, owner, data)
    assert again.ok
    assert await read_all(store, MEDIA, sha) == data


async def test_storing_an_upload_and_deleting_it_are_announced(
    nc: Client, store: JetStreamBlobStore, owner: str
) -> None:
    events = await subscribe(nc, "evt.media.file.*.*")
    reply, staged = await register(nc, store, owner, files.ogg(seed()), entityType="asset", entityId="e9")
    file_id = reply.body["id"]
    stored = await asyncio.wait_for(_event(events, f"evt.media.file.{file_id}.stored"), 10)
    assert (stored["sha256"], stored["ownerId"], stored["kind"], stored["url"]) == (
        staged["sha256"],
        owner,
        "audio",
        f"/api/media/{file_id}/content",
    )
    assert (await call(nc, contract.FILE_DELETE, {"id": file_id}, owner)).ok
    deleted = await asyncio.wait_for(_event(events, f"evt.media.file.{file_id}.deleted"), 10)
    assert deleted["fileId"] == file_id


async def _event(events: asyncio.Queue[dict[str, Any]], subject: str) -> dict[str, Any]:
    while True:
        event = await events.get()
        if event["subject"] == subject:
            return event


async def test_a_file_is_seen_by_its_owner_and_admins_only(nc: Client, store: JetStreamBlobStore, owner: str) -> None:
    reply, _ = await register(nc, store, owner, files.png(seed()))
    file_id = reply.body["id"]
    assert (await call(nc, contract.FILE_GET, {"id": file_id}, owner)).body["id"] == file_id
    assert (await call(nc, contract.FILE_GET, {"id": file_id}, "did:privy:admin", role="admin")).ok
    # Someone else, or no one, gets what a missing file gets.
    for other in ("did:privy:someone-else", None):
        refused = await call(nc, contract.FILE_GET, {"id": file_id}, other)
        assert refused.code == "NOT_FOUND"
        assert refused.body == (await call(nc, contract.FILE_GET, {"id": str(uuid.uuid4())}, other)).body
    assert (await call(nc, contract.FILE_GET, {"id": "not-a-uuid"}, owner)).code == "NOT_FOUND"


async def test_a_file_is_deleted_by_its_owner_or_an_admin(nc: Client, store: JetStreamBlobStore, owner: str) -> None:
    mine, _ = await register(nc, store, owner, files.jpeg(seed()))
    theirs, _ = await register(nc, store, owner, files.jpeg(seed()))
    assert (await call(nc, contract.FILE_DELETE, {"id": mine.body["id"]}, "did:privy:someone-else")).code == "NOT_FOUND"
    assert (await call(nc, contract.FILE_GET, {"id": mine.body["id"]}, owner)).ok

    assert (await call(nc, contract.FILE_DELETE, {"id": mine.body["id"]}, owner)).body == {"id": mine.body["id"]}
    assert (await call(nc, contract.FILE_GET, {"id": mine.body["id"]}, owner)).code == "NOT_FOUND"
    assert (await call(nc, contract.FILE_DELETE, {"id": mine.body["id"]}, owner)).code == "NOT_FOUND"

    assert (await call(nc, contract.FILE_DELETE, {"id": theirs.body["id"]}, "did:privy:admin", role="admin")).ok
    assert await store.stat(MEDIA, theirs.body["sha256"]) is None


async def test_listing_pages_a_users_files_newest_first(nc: Client, store: JetStreamBlobStore, owner: str) -> None:
    entity = f"asset-{uuid.uuid4().hex[:8]}"
    made = []
    for build in (files.png, files.wav, files.png, files.glb, files.png):
        reply, _ = await register(nc, store, owner, build(seed()), entityType="asset", entityId=entity)
        made.append(reply.body["id"])
    await register(nc, store, "did:privy:someone-else", files.png(seed()), entityType="asset", entityId=entity)

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = {"entityType": "asset", "entityId": entity, "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await call(nc, contract.FILE_LIST, query, owner)).body
        seen += [file["id"] for file in page["files"]]
        pages += 1
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert (seen, pages) == (made[::-1], 3)

    images = (await call(nc, contract.FILE_LIST, {"entityId": entity, "kind": "image"}, owner)).body["files"]
    assert [file["id"] for file in images] == [made[4], made[2], made[0]]
    everyone = (await call(nc, contract.FILE_LIST, {"entityId": entity}, "did:privy:admin", role="admin")).body
    assert len(everyone["files"]) == 6

    assert (await call(nc, contract.FILE_LIST, {"cursor": "bm9wZQ"}, owner)).field_names() == {"cursor"}
    assert (await call(nc, contract.FILE_LIST, {})).code == "UNAUTHORIZED"


async def test_the_service_without_a_cdn_is_ready_without_checking_one(media: RunningService) -> None:
    ready, checks = await media.runtime.readiness()
    assert ready
    assert "cdn" not in checks
