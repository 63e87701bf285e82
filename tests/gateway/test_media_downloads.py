"""Files served from the blob store: validators, ranges, HEAD, caching, and who may read
an asset's files."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from nats.aio.client import Client

from assetforge.common.blobs import GDD_ASSETS, IMAGES, TEMP_IMAGES, BlobStore, JetStreamBlobStore, open_blob_store
from assetforge.gateway.files.small import SmallFiles
from tests.gateway.media_support import User, new_asset, sign_in, upload
from tests.media import files
from tests.privy import FakePrivy


async def _chunks(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def put(store: BlobStore, bucket: str, name: str, data: bytes, content_type: str | None = None) -> None:
    await store.put(bucket, _chunks(data), name=name, content_type=content_type)


@pytest.fixture
async def store(nc: Client) -> JetStreamBlobStore:
    return await open_blob_store(nc.jetstream())


@pytest.fixture
async def owner(gateway: httpx.AsyncClient, privy: FakePrivy) -> User:
    return await sign_in(gateway, privy)


@pytest.fixture
async def public_file(nc: Client, store: JetStreamBlobStore, owner: User) -> tuple[str, bytes]:
    """The URL of a 300 KB file (three chunks) of a public asset, and its bytes."""
    asset_id = await new_asset(nc, owner)
    data = os.urandom(300 * 1024)
    await put(store, GDD_ASSETS, f"{asset_id}/models/blade.glb", data, "model/gltf-binary")
    return f"/gdd-assets/{asset_id}/models/blade.glb", data


async def test_a_public_assets_file_is_served_with_its_validators(
    gateway: httpx.AsyncClient, public_file: tuple[str, bytes]
) -> None:
    url, data = public_file
    response = await gateway.get(url)

    assert response.status_code == 200
    assert response.content == data
    assert response.headers["content-type"] == "model/gltf-binary"
    assert response.headers["content-length"] == str(len(data))
    assert response.headers["etag"] == f'"{hashlib.sha256(data).hexdigest()}"'
    assert response.headers["accept-ranges"] == "bytes"
    # Not content-addressed: its name may be written again.
    assert response.headers["cache-control"] == "public, max-age=300"
    assert "last-modified" in response.headers


async def test_a_content_addressed_name_is_cached_for_a_year(
    gateway: httpx.AsyncClient, nc: Client, store: JetStreamBlobStore, owner: User
) -> None:
    asset_id = await new_asset(nc, owner)
    data = files.png(uuid.uuid4().int % 10_000)
    digest = hashlib.sha256(data).hexdigest()
    await put(store, GDD_ASSETS, f"{asset_id}/{digest}.png", data)

    response = await gateway.get(f"/gdd-assets/{asset_id}/{digest}.png")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-type"] == "image/png"  # from the name, none was recorded


@pytest.mark.parametrize("tag", ["{etag}", "W/{etag}", '"other", {etag}', "*"])
async def test_if_none_match_answers_304(gateway: httpx.AsyncClient, public_file: tuple[str, bytes], tag: str) -> None:
    url, data = public_file
    etag = f'"{hashlib.sha256(data).hexdigest()}"'

    response = await gateway.get(url, headers={"if-none-match": tag.format(etag=etag)})

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag
    assert response.headers["cache-control"] == "public, max-age=300"
    assert (await gateway.get(url, headers={"if-none-match": '"other"'})).status_code == 200


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-9", 0, 9),
        ("bytes=131000-131100", 131000, 131100),  # across the first chunk's end
        ("bytes=200000-", 200000, 300 * 1024 - 1),
        ("bytes=-5", 300 * 1024 - 5, 300 * 1024 - 1),
        ("bytes=307000-999999999", 307000, 300 * 1024 - 1),  # the end is clamped
    ],
)
async def test_a_single_range_is_a_206(
    gateway: httpx.AsyncClient, public_file: tuple[str, bytes], header: str, start: int, end: int
) -> None:
    url, data = public_file
    response = await gateway.get(url, headers={"range": header})

    assert response.status_code == 206, response.text
    assert response.content == data[start : end + 1]
    assert response.headers["content-range"] == f"bytes {start}-{end}/{len(data)}"
    assert response.headers["content-length"] == str(end - start + 1)


@pytest.mark.parametrize("header", [f"bytes={300 * 1024}-", "bytes=999999999-", "bytes=-0"])
async def test_an_unsatisfiable_range_is_a_416(
    gateway: httpx.AsyncClient, public_file: tuple[str, bytes], header: str
) -> None:
    url, data = public_file
    response = await gateway.get(url, headers={"range": header})

    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(data)}"
    assert response.json()["requestId"] == response.headers["x-request-id"]


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "bytes=9-2", "items=0-1", "bytes=abc"])
async def test_ranges_we_do_not_serve_get_the_whole_file(
    gateway: httpx.AsyncClient, public_file: tuple[str, bytes], header: str
) -> None:
    url, data = public_file
    response = await gateway.get(url, headers={"range": header})
    assert response.status_code == 200
    assert response.content == data


async def test_if_range_names_the_version_a_range_applies_to(
    gateway: httpx.AsyncClient, public_file: tuple[str, bytes]
) -> None:
    url, data = public_file
    etag = f'"{hashlib.sha256(data).hexdigest()}"'
    same = await gateway.get(url, headers={"range": "bytes=0-3", "if-range": etag})
    changed = await gateway.get(url, headers={"range": "bytes=0-3", "if-range": '"an older one"'})
    assert (same.status_code, same.content) == (206, data[:4])
    assert (changed.status_code, changed.content) == (200, data)


async def test_head_sends_the_headers_without_the_body(
    gateway: httpx.AsyncClient, public_file: tuple[str, bytes]
) -> None:
    url, data = public_file
    response = await gateway.head(url)
    ranged = await gateway.head(url, headers={"range": "bytes=10-19"})

    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == str(len(data))
    assert response.headers["etag"] == f'"{hashlib.sha256(data).hexdigest()}"'
    assert (ranged.status_code, ranged.headers["content-range"]) == (206, f"bytes 10-19/{len(data)}")


async def test_a_large_file_streams_whole(
    gateway: httpx.AsyncClient, nc: Client, store: JetStreamBlobStore, owner: User
) -> None:
    asset_id = await new_asset(nc, owner)
    data = os.urandom(5 * 1024 * 1024 + 17)
    await put(store, GDD_ASSETS, f"{asset_id}/big.glb", data)

    response = await gateway.get(f"/gdd-assets/{asset_id}/big.glb")

    assert response.status_code == 200
    assert hashlib.sha256(response.content).digest() == hashlib.sha256(data).digest()


async def test_missing_files_and_assets_are_404(gateway: httpx.AsyncClient, nc: Client, owner: User) -> None:
    asset_id = await new_asset(nc, owner)
    for url in (f"/gdd-assets/{asset_id}/nothing.png", f"/gdd-assets/{uuid.uuid4()}/a.png", "/images/none.png"):
        response = await gateway.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"] == "NOT_FOUND"


async def test_a_private_assets_files_are_for_its_owner_and_admins(
    gateway: httpx.AsyncClient, nc: Client, store: JetStreamBlobStore, privy: FakePrivy, owner: User, database_url: str
) -> None:
    asset_id = await new_asset(nc, owner, visibility="private")
    data = files.png(7)
    await put(store, GDD_ASSETS, f"{asset_id}/thumb.png", data, "image/png")
    url = f"/gdd-assets/{asset_id}/thumb.png"
    stranger = await sign_in(gateway, privy)
    admin = await sign_in(gateway, privy, role="admin", database_url=database_url)

    anonymous = await gateway.get(url)
    other = await gateway.get(url, headers=stranger.headers)
    own = await gateway.get(url, headers=owner.headers)
    admins = await gateway.get(url, headers=admin.headers)

    assert (anonymous.status_code, other.status_code) == (404, 404)
    assert anonymous.json()["error"] == other.json()["error"] == "NOT_FOUND"
    assert (own.status_code, own.content) == (200, data)
    assert (admins.status_code, admins.content) == (200, data)
    # Never kept by a shared cache.
    assert own.headers["cache-control"] == "private, max-age=300"


async def test_temporary_and_static_images(gateway: httpx.AsyncClient, store: JetStreamBlobStore) -> None:
    name = f"t-{uuid.uuid4().hex}.png"
    data = files.png(11)
    await put(store, TEMP_IMAGES, name, data, "image/png")
    await put(store, IMAGES, f"icons/{name}", data, "image/png")

    temporary = await gateway.get(f"/temp-images/{name}")
    static = await gateway.get(f"/images/icons/{name}")

    assert (temporary.status_code, temporary.content) == (200, data)
    assert temporary.headers["cache-control"] == "public, max-age=60"
    assert (static.status_code, static.content) == (200, data)
    assert static.headers["cache-control"] == "public, max-age=300"


async def test_an_uploads_content_is_for_its_owner_and_admins(
    gateway: httpx.AsyncClient, privy: FakePrivy, owner: User, database_url: str
) -> None:
    data = files.wav(uuid.uuid4().int % 30000)
    record = (await upload(gateway, owner, data, "line.wav")).json()
    url = f"/api/media/{record['id']}/content"
    stranger = await sign_in(gateway, privy)
    admin = await sign_in(gateway, privy, role="admin", database_url=database_url)

    own = await gateway.get(url, headers=owner.headers)
    assert (own.status_code, own.content) == (200, data)
    assert own.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert own.headers["etag"] == f'"{record["sha256"]}"'
    assert (await gateway.get(url, headers=admin.headers)).content == data
    assert (await gateway.get(url, headers=stranger.headers)).status_code == 404
    assert (await gateway.get(url)).status_code == 401
    ranged = await gateway.get(url, headers={**owner.headers, "range": "bytes=0-3"})
    assert (ranged.status_code, ranged.content) == (206, b"RIFF")


async def test_a_kept_small_file_is_never_served_stale(
    gateway: httpx.AsyncClient, nc: Client, store: JetStreamBlobStore, owner: User
) -> None:
    """Small files are kept in memory between requests, but only while the store still
    names the same bytes: a rewrite is served at once, a delete is a 404."""
    asset_id = await new_asset(nc, owner)
    url = f"/gdd-assets/{asset_id}/thumbnail.png"
    first, second = files.png(31), files.png(32)
    await put(store, GDD_ASSETS, f"{asset_id}/thumbnail.png", first)
    assert (await gateway.get(url)).content == first
    assert (await gateway.get(url)).content == first  # now from memory

    await put(store, GDD_ASSETS, f"{asset_id}/thumbnail.png", second)
    rewritten = await gateway.get(url)
    ranged = await gateway.get(url, headers={"range": "bytes=1-3"})
    await store.delete(GDD_ASSETS, f"{asset_id}/thumbnail.png")
    deleted = await gateway.get(url)

    assert rewritten.content == second
    assert rewritten.headers["etag"] == f'"{hashlib.sha256(second).hexdigest()}"'
    assert (ranged.status_code, ranged.content) == (206, second[1:4])
    assert deleted.status_code == 404


async def test_kept_small_files_stay_within_their_budget(store: JetStreamBlobStore) -> None:
    shelf = SmallFiles(max_file=200 * 1024, max_total=250 * 1024)
    names = [f"budget/{uuid.uuid4().hex}.bin" for _ in range(3)]
    for name in names:
        await put(store, IMAGES, name, os.urandom(100 * 1024))
    for name in names:
        info = await store.stat(IMAGES, name)
        assert info is not None
        assert shelf.fits(info)
        assert await shelf.body(store, info) is not None
    assert shelf.total == 200 * 1024  # the oldest went first
    large = await store.stat(IMAGES, names[0])
    assert large is not None
    assert not SmallFiles(max_file=50 * 1024).fits(large)
