"""POST /api/media/uploads: streamed into the blob store, registered with the media
service, which decides by the content; refused files leave nothing behind."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx
import pytest
from nats.aio.client import Client

from assetforge.common.blobs import MEDIA, JetStreamBlobStore, open_blob_store
from tests.gateway.media_support import User, sign_in, staged, upload
from tests.media import files
from tests.privy import FakePrivy
from tests.support import RunningService, wait_until

SEED = uuid.uuid4().int % 1_000_000
# (builder, file name, kind, MIME type the content must be recognised as)
ALLOWED: list[tuple[Callable[[int], bytes], str, str, str]] = [
    (files.png, "a.png", "image", "image/png"),
    (files.jpeg, "a.jpg", "image", "image/jpeg"),
    (files.webp, "a.webp", "image", "image/webp"),
    (files.gif, "a.gif", "image", "image/gif"),
    (files.glb, "a.glb", "model", "model/gltf-binary"),
    (files.gltf, "a.gltf", "model", "model/gltf+json"),
    (files.vrm, "a.vrm", "model", ""),
    (files.mp3, "a.mp3", "audio", "audio/mpeg"),
    (files.wav, "a.wav", "audio", ""),
    (files.ogg, "a.ogg", "audio", "audio/ogg"),
    (files.m4a, "a.m4a", "audio", ""),
]


@pytest.fixture
async def store(nc: Client) -> JetStreamBlobStore:
    return await open_blob_store(nc.jetstream())


@pytest.fixture
async def member(gateway: httpx.AsyncClient, privy: FakePrivy) -> User:
    return await sign_in(gateway, privy)


@pytest.mark.parametrize(("build", "name", "kind", "mime"), ALLOWED, ids=[a[1] for a in ALLOWED])
async def test_each_allowed_type_is_stored_by_its_content(
    gateway: httpx.AsyncClient,
    member: User,
    build: Callable[[int], bytes],
    name: str,
    kind: str,
    mime: str,
) -> None:
    data = build(SEED)
    response = await upload(gateway, member, data, name, entityType="npc", entityId="npc-1")

    assert response.status_code == 201, response.text
    record = response.json()
    assert record["kind"] == kind
    assert not mime or record["mimeType"] == mime
    assert record["size"] == len(data)
    assert record["sha256"] == hashlib.sha256(data).hexdigest()
    assert record["ownerId"] == member.id
    assert (record["entityType"], record["entityId"], record["fileName"]) == ("npc", "npc-1", name)
    content = await gateway.get(f"/api/media/{record['id']}/content", headers=member.headers)
    assert content.status_code == 200
    assert content.content == data
    assert content.headers["content-type"] == record["mimeType"]


async def test_a_raw_body_is_an_upload_too(gateway: httpx.AsyncClient, member: User) -> None:
    data = files.png(SEED + 1)
    response = await gateway.post(
        "/api/media/uploads",
        params={"kind": "image", "fileName": "raw.png", "entityType": "quest", "entityId": "q-7"},
        content=data,
        headers={**member.headers, "content-type": "image/png"},
    )

    assert response.status_code == 201, response.text
    record = response.json()
    assert (record["kind"], record["fileName"], record["entityType"], record["size"]) == (
        "image",
        "raw.png",
        "quest",
        len(data),
    )


async def test_fields_after_the_file_count_too(gateway: httpx.AsyncClient, member: User) -> None:
    boundary = "b0undary"
    data = files.gif(SEED + 2)
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.gif"\r\n'
        "Content-Type: image/gif\r\n\r\n"
    ).encode()
    body += data + f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="entityId"\r\n\r\nlate\r\n'.encode()
    body += f"--{boundary}--\r\n".encode()
    response = await gateway.post(
        "/api/media/uploads",
        content=body,
        headers={**member.headers, "content-type": f"multipart/form-data; boundary={boundary}"},
    )

    assert response.status_code == 201, response.text
    assert response.json()["entityId"] == "late"


@pytest.mark.parametrize(
    ("data", "name", "fields"),
    [
        (files.png(SEED + 3), "model.glb", {"kind": "model"}),
        (files.elf(), "cat.png", {}),
        (files.elf(), "cat.png", {"kind": "image"}),
    ],
    ids=["png renamed .glb as a model", "executable renamed .png", "executable said to be an image"],
)
async def test_content_not_name_decides_and_refusals_leave_nothing(
    gateway: httpx.AsyncClient, member: User, store: JetStreamBlobStore, data: bytes, name: str, fields: dict[str, str]
) -> None:
    response = await upload(gateway, member, data, name, **fields)

    assert response.status_code == 422, response.text
    assert response.json()["error"] == "VALIDATION_ERROR"
    assert await store.stat(MEDIA, hashlib.sha256(data).hexdigest()) is None
    assert not await staged(store, MEDIA)


async def test_an_image_over_10_mb_is_refused_with_413_and_nothing_stored(
    gateway: httpx.AsyncClient, member: User, store: JetStreamBlobStore
) -> None:
    data = files.big_png(10 * 1024 * 1024 + 1, seed=SEED + 4)

    response = await upload(gateway, member, data, "huge.png")
    stated = await upload(gateway, member, data, "huge.png", kind="image")

    assert response.status_code == 413, response.text
    assert stated.status_code == 413, stated.text
    assert response.json()["error"] == stated.json()["error"] == "PAYLOAD_TOO_LARGE"
    assert await store.stat(MEDIA, hashlib.sha256(data).hexdigest()) is None
    assert not await staged(store, MEDIA)


async def test_an_image_of_exactly_10_mb_is_kept(gateway: httpx.AsyncClient, member: User) -> None:
    data = files.big_png(10 * 1024 * 1024, seed=SEED + 5)
    response = await upload(gateway, member, data, "big.png", kind="image")
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("content_type", "body", "field"),
    [
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="kind"\r\n\r\nimage\r\n--x--\r\n',
            "file",
        ),
        ("multipart/form-data; boundary=x", b"--x\r\nnot a header\r\n\r\n", "body"),
        ("multipart/form-data", b"", "body"),
    ],
    ids=["no file part", "malformed", "no boundary"],
)
async def test_malformed_forms_are_a_400(
    gateway: httpx.AsyncClient, member: User, store: JetStreamBlobStore, content_type: str, body: bytes, field: str
) -> None:
    response = await gateway.post(
        "/api/media/uploads", content=body, headers={**member.headers, "content-type": content_type}
    )
    assert response.status_code == 400, response.text
    assert [f["field"] for f in response.json()["fields"]] == [field]
    assert not await staged(store, MEDIA)


async def test_a_kind_users_may_not_upload_is_refused(gateway: httpx.AsyncClient, member: User) -> None:
    response = await upload(gateway, member, files.png(SEED + 6), "a.png", kind="data")
    assert response.status_code == 400, response.text
    assert response.json()["fields"][0]["field"] == "kind"


async def test_uploading_needs_a_signed_in_user(gateway: httpx.AsyncClient) -> None:
    response = await gateway.post("/api/media/uploads", files={"file": ("a.png", files.png(SEED + 7))})
    assert response.status_code == 401


async def test_a_client_that_goes_away_mid_upload_leaves_no_object(
    stack: dict[str, RunningService], member: User, store: JetStreamBlobStore, nc: Client
) -> None:
    js = nc.jetstream()

    async def messages() -> int:
        # The bucket's stream: chunks and metas, a put's writing marker included.
        return int((await js.stream_info(f"OBJ_{MEDIA}")).state.messages)

    before = await messages()
    parts = urlsplit(stack["gateway"].url)
    _, writer = await asyncio.open_connection(parts.hostname, parts.port)
    head = (
        "POST /api/media/uploads?kind=model HTTP/1.1\r\n"
        f"Host: {parts.netloc}\r\nContent-Type: model/gltf-binary\r\nContent-Length: {8 * 1024 * 1024}\r\n"
        f"Authorization: {member.headers['Authorization']}\r\n\r\n"
    )
    writer.write(head.encode() + files.glb(SEED + 8)[:64] + bytes(1024 * 1024))
    await writer.drain()

    async def under_way() -> bool:
        return await messages() > before

    await wait_until(under_way, timeout=10)
    writer.close()
    await writer.wait_closed()

    async def nothing_left() -> bool:
        return await messages() == before

    await wait_until(nothing_left, timeout=10)
    assert not await staged(store, MEDIA)
