"""Who reads an asset's files (the assets service decides; public answers are kept a few
seconds and dropped on the asset's events), and staged objects nobody will take in."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import msgspec
import pytest
from nats.aio.client import Client

from assetforge.common.blobs import GDD_ASSETS, MEDIA, JetStreamBlobStore, open_blob_store
from assetforge.common.contracts import assets as contract
from assetforge.common.contracts.media import StagedObject
from assetforge.common.errors import GatewayTimeout, NotFound, ServiceUnavailable, ValidationFailed
from assetforge.gateway.files.access import AssetAccess
from assetforge.gateway.files.staging import StagedObjects
from tests.gateway.media_support import new_asset, sign_in
from tests.media import files
from tests.privy import FakePrivy
from tests.support import wait_until


class FakeAssets:
    """The assets service's answers to ``asset.get``, counted."""

    def __init__(self, visibility: str | None, failure: Exception | None = None) -> None:
        self.visibility = visibility
        self.failure = failure
        self.asked = 0

    async def request_raw(self, subject: str, _message: msgspec.Struct) -> bytes:
        assert subject == contract.ASSET_GET
        self.asked += 1
        await asyncio.sleep(0.01)
        if self.failure is not None:
            raise self.failure
        if self.visibility is None:
            raise NotFound("asset not found")
        return msgspec.json.encode({"id": "x", "visibility": self.visibility, "ownerId": "someone", "name": "n"})


async def test_concurrent_anonymous_lookups_of_one_asset_ask_once() -> None:
    access, assets = AssetAccess(), FakeAssets("public")

    answers = await asyncio.gather(*(access.readable(assets, "a1", anonymous=True) for _ in range(64)))

    assert answers == [True] * 64
    assert assets.asked == 1
    assert await access.readable(assets, "a1", anonymous=False)  # kept: public for everyone
    assert assets.asked == 1


async def test_private_and_missing_assets_are_the_files_404_and_never_kept() -> None:
    access = AssetAccess()
    private, missing = FakeAssets("private"), FakeAssets(None)

    assert not await access.readable(private, "p1", anonymous=False)  # its owner: allowed, privately
    assert not await access.readable(private, "p1", anonymous=False)
    with pytest.raises(NotFound, match="no such file"):
        await access.readable(missing, "m1", anonymous=True)
    with pytest.raises(NotFound):
        await access.readable(FakeAssets("public", ValidationFailed("id is not an id")), "bad", anonymous=True)
    assert private.asked == 2


async def test_an_unreachable_assets_service_is_not_a_404() -> None:
    with pytest.raises(ServiceUnavailable):
        await AssetAccess().readable(FakeAssets("public", ServiceUnavailable("down")), "a", anonymous=True)


async def test_a_public_answer_expires() -> None:
    access, assets = AssetAccess(ttl_s=0.05), FakeAssets("public")
    await access.readable(assets, "a2", anonymous=True)
    await asyncio.sleep(0.1)
    await access.readable(assets, "a2", anonymous=True)
    assert assets.asked == 2


async def test_any_event_of_the_asset_drops_its_answer(nc: Client) -> None:
    access, assets = AssetAccess(), FakeAssets("public")
    asset_id = str(uuid.uuid4())
    await access.start(nc)
    try:
        await access.readable(assets, asset_id, anonymous=True)
        await nc.publish(contract.asset_event_subject(asset_id, "updated"), b"{}")
        await nc.flush()

        async def asked_again() -> bool:
            await access.readable(assets, asset_id, anonymous=True)
            return assets.asked == 2

        await wait_until(asked_again, timeout=5)
    finally:
        await access.stop()


async def test_64_concurrent_thumbnails_of_a_public_asset(
    gateway: httpx.AsyncClient, privy: FakePrivy, nc: Client
) -> None:
    owner = await sign_in(gateway, privy)
    asset_id = await new_asset(nc, owner)
    store = await open_blob_store(nc.jetstream())
    data = files.png(5)
    await store.put(GDD_ASSETS, _single(data), name=f"{asset_id}/thumb.png")

    responses = await asyncio.gather(*(gateway.get(f"/gdd-assets/{asset_id}/thumb.png") for _ in range(64)))

    assert {(r.status_code, r.content) for r in responses} == {(200, data)}


async def _single(data: bytes) -> AsyncIterator[bytes]:
    yield data


class FakeMedia:
    def __init__(self, failure: Exception) -> None:
        self.failure = failure

    async def request_raw(self, _subject: str, _message: msgspec.Struct) -> bytes:
        raise self.failure


@pytest.fixture
async def store(nc: Client) -> JetStreamBlobStore:
    return await open_blob_store(nc.jetstream())


async def _staged(store: JetStreamBlobStore) -> StagedObject:
    info = await store.put(MEDIA, _single(files.png(uuid.uuid4().int % 10_000)))
    return StagedObject(bucket=MEDIA, name=info.name, size=info.size, sha256=info.sha256)


async def test_an_unreachable_media_service_leaves_no_staged_object(store: JetStreamBlobStore) -> None:
    staged = await _staged(store)
    with pytest.raises(ServiceUnavailable):
        await StagedObjects().hand_over(store, FakeMedia(ServiceUnavailable("down")), "s", msgspec.Struct(), staged)
    assert await store.stat(MEDIA, staged.name) is None


async def test_a_registration_that_timed_out_is_deleted_after_a_grace(store: JetStreamBlobStore) -> None:
    objects = StagedObjects(grace_s=0.3)
    staged = await _staged(store)
    with pytest.raises(GatewayTimeout):
        await objects.hand_over(store, FakeMedia(GatewayTimeout("slow")), "s", msgspec.Struct(), staged)

    # The media service may still be taking it in: not yet.
    assert await store.stat(MEDIA, staged.name) is not None

    async def gone() -> bool:
        return await store.stat(MEDIA, staged.name) is None

    await wait_until(gone, timeout=5)


async def test_what_was_promoted_meanwhile_is_kept(store: JetStreamBlobStore) -> None:
    objects = StagedObjects(grace_s=0.3)
    staged = await _staged(store)
    with pytest.raises(GatewayTimeout):
        await objects.hand_over(store, FakeMedia(GatewayTimeout("slow")), "s", msgspec.Struct(), staged)
    await store.promote(MEDIA, staged.name, staged.sha256)  # the slow media service took it after all

    await asyncio.sleep(0.6)

    assert await store.stat(MEDIA, staged.sha256) is not None


async def test_shutdown_ends_the_grace(store: JetStreamBlobStore) -> None:
    objects = StagedObjects(grace_s=3600)
    staged = await _staged(store)
    with pytest.raises(GatewayTimeout):
        await objects.hand_over(store, FakeMedia(GatewayTimeout("slow")), "s", msgspec.Struct(), staged)

    await objects.stop()

    assert await store.stat(MEDIA, staged.name) is None
