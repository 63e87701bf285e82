"""Generated files through the media service's bus API: stored under their asset's path,
replaced in place, refused (and dropped) when the path, the asset id or the content is
wrong."""

from __future__ import annotations

import random
import uuid
from typing import Any

import pytest
from nats.aio.client import Client

from assetforge.common.blobs import GDD_ASSETS, JetStreamBlobStore
from assetforge.common.contracts import media as contract
from tests.media import files
from tests.media.support import Reply, call, read_all, stage

pytestmark = pytest.mark.usefixtures("media")


def seed() -> int:
    return random.randrange(1 << 30)


async def store_generated(
    nc: Client, store: JetStreamBlobStore, data: bytes, asset_id: str, path: str, kind: str, owner: str = "u"
) -> tuple[Reply, dict[str, Any]]:
    staged = await stage(store, GDD_ASSETS, data)
    body = {"staged": staged, "assetId": asset_id, "path": path, "ownerId": owner, "kind": kind}
    return await call(nc, contract.FILE_STORE, body), staged


async def test_a_generated_file_is_stored_under_its_asset(nc: Client, store: JetStreamBlobStore) -> None:
    asset = uuid.uuid4().hex
    data = files.glb(seed())
    reply, staged = await store_generated(nc, store, data, asset, "models/lantern.glb", "model", owner="did:privy:g")
    assert reply.ok, reply.body
    body = reply.body
    assert body["url"] == f"/gdd-assets/{asset}/models/lantern.glb"
    assert (body["bucket"], body["objectName"], body["kind"], body["ownerId"]) == (
        GDD_ASSETS,
        f"{asset}/models/lantern.glb",
        "model",
        "did:privy:g",
    )
    assert (body["entityType"], body["entityId"], body["fileName"]) == ("asset", asset, "lantern.glb")
    assert await read_all(store, GDD_ASSETS, f"{asset}/models/lantern.glb") == data
    assert await store.stat(GDD_ASSETS, staged["name"]) is None

    document = b'{"name": "lantern", "prompt": "a rusty lantern"}'
    metadata, _ = await store_generated(nc, store, document, asset, "metadata.json", "data")
    assert (metadata.body["kind"], metadata.body["mimeType"]) == ("data", "application/json")


async def test_storing_the_same_path_again_replaces_the_file(nc: Client, store: JetStreamBlobStore) -> None:
    asset = uuid.uuid4().hex
    first, _ = await store_generated(nc, store, files.png(seed()), asset, "concept.png", "image")
    newer = files.png(seed())
    second, _ = await store_generated(nc, store, newer, asset, "concept.png", "image")
    assert second.ok, second.body
    assert second.body["id"] == first.body["id"]
    assert second.body["sha256"] != first.body["sha256"]
    assert await read_all(store, GDD_ASSETS, f"{asset}/concept.png") == newer
    got = await call(nc, contract.FILE_GET, {"id": first.body["id"]}, "u")
    assert got.body["sha256"] == second.body["sha256"]


@pytest.mark.parametrize(
    "path",
    ["../escape.png", "a/../../b.png", "/abs.png", "dir\\file.png", ".staging/x.png", "a/b/c/d/e.png", "a//b.png"],
)
async def test_unsafe_paths_are_refused_and_dropped(nc: Client, store: JetStreamBlobStore, path: str) -> None:
    reply, staged = await store_generated(nc, store, files.png(seed()), uuid.uuid4().hex, path, "image")
    assert (reply.code, reply.field_names()) == ("VALIDATION_ERROR", {"path"})
    assert await store.stat(GDD_ASSETS, staged["name"]) is None


async def test_an_unsafe_asset_id_is_refused(nc: Client, store: JetStreamBlobStore) -> None:
    reply, _ = await store_generated(nc, store, files.png(seed()), "../x", "a.png", "image")
    assert reply.field_names() == {"assetId"}


async def test_a_generated_file_must_be_what_it_is_declared(nc: Client, store: JetStreamBlobStore) -> None:
    reply, staged = await store_generated(nc, store, files.png(seed()), uuid.uuid4().hex, "metadata.json", "data")
    assert (reply.code, reply.field_names()) == ("VALIDATION_ERROR", {"kind"})
    assert await store.stat(GDD_ASSETS, staged["name"]) is None
