"""The original API's routes that store an asset's files: sprites (base64 in JSON,
beyond JSON's 1 MB) and a VRM model (multipart), for the asset's owner or an admin."""

from __future__ import annotations

import base64
import uuid

import httpx
import pytest
from nats.aio.client import Client

from assetforge.common.blobs import GDD_ASSETS, JetStreamBlobStore, open_blob_store
from tests.gateway.media_support import User, new_asset, sign_in, staged
from tests.media import files
from tests.privy import FakePrivy


@pytest.fixture
async def store(nc: Client) -> JetStreamBlobStore:
    return await open_blob_store(nc.jetstream())


@pytest.fixture
async def owner(gateway: httpx.AsyncClient, privy: FakePrivy) -> User:
    return await sign_in(gateway, privy)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def test_sprites_are_stored_under_the_asset(gateway: httpx.AsyncClient, nc: Client, owner: User) -> None:
    asset_id = await new_asset(nc, owner)
    front, side = files.png(21), files.png(22)
    body = {
        "sprites": [
            {"angle": 0, "imageData": b64(front)},
            {"angle": 22.5, "imageData": "data:image/png;base64," + b64(side)},
        ],
        "metadata": {"frames": 2, "size": [64, 64]},
        "somethingNew": True,  # unknown fields are ignored
    }

    response = await gateway.post(f"/api/assets/{asset_id}/sprites", json=body, headers=owner.headers)

    assert response.status_code == 200, response.text
    saved = response.json()
    assert (saved["success"], saved["spritesCount"], saved["message"]) == (True, 2, "Saved 2 sprites")
    assert [url.rsplit("/", 2)[-2:] for url in saved["urls"]] == [["sprites", "0.png"], ["sprites", "22.5.png"]]
    assert (await gateway.get(f"/gdd-assets/{asset_id}/sprites/0.png")).content == front
    assert (await gateway.get(f"/gdd-assets/{asset_id}/sprites/22.5.png")).content == side
    metadata = await gateway.get(f"/gdd-assets/{asset_id}/sprites/sprite-metadata.json")
    assert metadata.json() == {"frames": 2, "size": [64, 64]}


async def test_a_sprite_sheet_may_exceed_jsons_1_mb(gateway: httpx.AsyncClient, nc: Client, owner: User) -> None:
    asset_id = await new_asset(nc, owner)
    big = files.big_png(3 * 1024 * 1024, seed=23)
    body = {"sprites": [{"angle": "front", "imageData": b64(big)}]}

    response = await gateway.post(f"/api/assets/{asset_id}/sprites", json=body, headers=owner.headers)

    assert response.status_code == 200, response.text
    assert (await gateway.get(f"/gdd-assets/{asset_id}/sprites/front.png")).content == big


async def test_a_body_over_20_mb_is_a_413(gateway: httpx.AsyncClient, nc: Client, owner: User) -> None:
    asset_id = await new_asset(nc, owner)
    body = b'{"sprites": [{"angle": 0, "imageData": "' + b"A" * (20 * 1024 * 1024) + b'"}]}'
    response = await gateway.post(
        f"/api/assets/{asset_id}/sprites", content=body, headers={**owner.headers, "content-type": "application/json"}
    )
    assert response.status_code == 413, response.text


@pytest.mark.parametrize(
    ("image_data", "message"),
    [("not base64!", "is not valid base64"), (b64(files.gif(3)), "must be a PNG image"), ("data:,abc", "base64")],
)
async def test_sprites_that_are_not_pngs_are_refused_and_nothing_is_left(
    gateway: httpx.AsyncClient, nc: Client, store: JetStreamBlobStore, owner: User, image_data: str, message: str
) -> None:
    asset_id = await new_asset(nc, owner)
    body = {"sprites": [{"angle": 90, "imageData": image_data}]}

    response = await gateway.post(f"/api/assets/{asset_id}/sprites", json=body, headers=owner.headers)

    assert response.status_code == 422, response.text
    assert response.json()["fields"][0]["field"] == "sprites[0].imageData"
    assert message in response.json()["message"]
    assert not await staged(store, GDD_ASSETS)


@pytest.mark.parametrize(
    "body", [{}, {"sprites": []}, {"sprites": [{"angle": 400, "imageData": "AAAA"}]}, {"sprites": "x"}]
)
async def test_malformed_sprite_bodies_are_a_400(
    gateway: httpx.AsyncClient, nc: Client, owner: User, body: dict[str, object]
) -> None:
    asset_id = await new_asset(nc, owner)
    response = await gateway.post(f"/api/assets/{asset_id}/sprites", json=body, headers=owner.headers)
    assert response.status_code == 400, response.text


async def test_only_the_owner_or_an_admin_stores_sprites(
    gateway: httpx.AsyncClient, nc: Client, privy: FakePrivy, owner: User, database_url: str
) -> None:
    public, private = await new_asset(nc, owner), await new_asset(nc, owner, visibility="private")
    stranger = await sign_in(gateway, privy)
    admin = await sign_in(gateway, privy, role="admin", database_url=database_url)
    body = {"sprites": [{"angle": 0, "imageData": b64(files.png(24))}]}

    def post(asset_id: str, user: User | None) -> object:
        headers = user.headers if user else {}
        return gateway.post(f"/api/assets/{asset_id}/sprites", json=body, headers=headers)

    assert (await post(public, stranger)).status_code == 403  # type: ignore[attr-defined]
    assert (await post(private, stranger)).status_code == 404  # type: ignore[attr-defined]
    assert (await post(public, None)).status_code == 401  # type: ignore[attr-defined]
    assert (await post(private, admin)).status_code == 200  # type: ignore[attr-defined]
    assert (await post(str(uuid.uuid4()), owner)).status_code == 404  # type: ignore[attr-defined]


def _vrm_form(boundary: str, model: bytes, asset_id: str | None, *, asset_first: bool, name: str) -> bytes:
    field = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="assetId"\r\n\r\n{asset_id}\r\n'.encode()
        if asset_id
        else b""
    )
    part = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + model
        + b"\r\n"
    )
    return (field + part if asset_first else part + field) + f"--{boundary}--\r\n".encode()


@pytest.mark.parametrize("asset_first", [True, False], ids=["assetId first", "file first"])
async def test_a_vrm_model_is_stored_under_the_asset(
    gateway: httpx.AsyncClient, nc: Client, owner: User, asset_first: bool
) -> None:
    asset_id = await new_asset(nc, owner)
    model = files.vrm(uuid.uuid4().int % 1000)
    body = _vrm_form("vrmB", model, asset_id, asset_first=asset_first, name="hero.vrm")

    response = await gateway.post(
        "/api/assets/upload-vrm",
        content=body,
        headers={**owner.headers, "content-type": "multipart/form-data; boundary=vrmB"},
    )

    assert response.status_code == 200, response.text
    stored = response.json()
    assert (stored["success"], stored["fileName"], stored["size"]) == (True, "hero.vrm", len(model))
    assert stored["url"].endswith(f"/gdd-assets/{asset_id}/hero.vrm")
    assert (await gateway.get(f"/gdd-assets/{asset_id}/hero.vrm")).content == model


@pytest.mark.parametrize(
    ("asset", "model", "status"),
    [("none", files.vrm(1), 400), ("stranger", files.vrm(2), 403), ("own", files.png(3), 422)],
    ids=["no assetId", "not the owner", "not a model"],
)
async def test_refused_vrm_uploads_leave_nothing(
    gateway: httpx.AsyncClient,
    nc: Client,
    store: JetStreamBlobStore,
    privy: FakePrivy,
    owner: User,
    asset: str,
    model: bytes,
    status: int,
) -> None:
    other = await sign_in(gateway, privy)
    asset_id = None if asset == "none" else await new_asset(nc, other if asset == "stranger" else owner)
    body = _vrm_form("vrmC", model, asset_id, asset_first=False, name="x.vrm")

    response = await gateway.post(
        "/api/assets/upload-vrm",
        content=body,
        headers={**owner.headers, "content-type": "multipart/form-data; boundary=vrmC"},
    )

    assert response.status_code == status, response.text
    assert not await staged(store, GDD_ASSETS)
