"""Pipelines run end to end on the offline provider: every stage, every file in media,
the asset in the catalog, and the status in the original server's shape."""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import pygltflib
import pytest
from nats.aio.client import Client
from PIL import Image

from assetforge.common.blobs import GDD_ASSETS, JetStreamBlobStore, open_blob_store
from assetforge.common.contracts import assets as assets_contract
from tests.generation.support import submit, until_done
from tests.media.support import call, read_all
from tests.support import RunningService, wait_until

pytestmark = pytest.mark.usefixtures("stack")


@pytest.fixture
async def store(nc: Client) -> JetStreamBlobStore:
    return await open_blob_store(nc.jetstream())


async def _file(store: JetStreamBlobStore, url: str) -> bytes:
    assert url.startswith("/gdd-assets/"), url
    return await read_all(store, GDD_ASSETS, url.removeprefix("/gdd-assets/"))


async def test_a_weapon_pipeline_makes_every_file_and_the_asset(
    nc: Client, store: JetStreamBlobStore, owner: str, stack: dict[str, RunningService]
) -> None:
    accepted = await submit(nc, owner, description="a rusty longsword with a leather grip", quality="high")
    assert accepted.ok, accepted.body
    assert accepted.body["status"] == "queued"
    assert accepted.body["stages"]["textInput"]["status"] == "completed"
    done = await until_done(nc, owner, accepted.body["pipelineId"])
    assert done["status"] == "completed", done
    assert done["progress"] == 100
    stages: dict[str, Any] = done["stages"]
    assert [stages[s]["status"] for s in ("promptOptimization", "imageGeneration", "image3D")] == ["completed"] * 3
    assert stages["textureGeneration"]["status"] == "skipped"
    assert stages["rigging"]["status"] == "skipped"
    asset_id = done["config"]["assetId"]
    results = done["results"]
    assert results["assetId"] == asset_id
    assert results["modelUrl"] == f"/gdd-assets/{asset_id}/{asset_id}.glb"
    assert results["image3D"]["localPath"] == f"{asset_id}.glb"
    assert results["conceptArt"]["cdnUrl"] == results["conceptArtUrl"]
    model = await _file(store, results["modelUrl"])
    gltf = pygltflib.GLTF2.load_from_bytes(model)
    assert {node.name for node in gltf.nodes} >= {"blade", "guard", "grip"}
    with Image.open(io.BytesIO(await _file(store, results["conceptArtUrl"]))) as image:
        assert image.format == "PNG"
    manifest = json.loads(await _file(store, results["metadataUrl"]))
    assert manifest["stages"]["image3D"]["provider"] == "offline"
    assert manifest["stages"]["image3D"]["taskId"]
    assert manifest["stages"]["promptOptimization"]["prompt"].startswith("a rusty longsword")
    assert hashlib.sha256(model).hexdigest() == manifest["stages"]["image3D"]["files"]["model"]["sha256"]

    async def in_catalog() -> dict[str, Any] | None:
        reply = await call(nc, assets_contract.ASSET_GET, {"id": asset_id}, owner)
        return reply.body if reply.ok else None

    asset = await wait_until(in_catalog)
    assert asset["name"] == "rusty longsword"
    assert asset["hasModel"] is True
