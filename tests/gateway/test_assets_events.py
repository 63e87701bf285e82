"""Other services' events shape the catalog: a finished pipeline becomes exactly one asset
(with its variants) however often it arrives; a media file's deletion and CDN copy reach
the assets that hold it; deleting an asset releases its files in the media service."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

import httpx
import pytest
from nats.aio.client import Client

from assetforge.assets.handlers.asset_events import CONSUMERS
from assetforge.assets.models import inbox
from assetforge.assets.service import projections
from assetforge.common.bus.inbox import claim
from assetforge.common.contracts.assets import Visibility
from assetforge.common.contracts.generation import (
    GeneratedFile,
    PipelineVariant,
    catalog_asset_id,
    pipeline_event_subject,
)
from assetforge.common.contracts.media import FileDeleted, FileMirrored, file_event_subject
from tests.gateway.people import People, people_of
from tests.gateway.test_assets_support import completed, eventually, ids, listed, new_asset, pipeline, publish
from tests.helpers import scalar
from tests.media import files
from tests.privy import FakePrivy
from tests.support import RunningService

PIPELINE_DURABLE = CONSUMERS[0].durable


@pytest.fixture
async def people(gateway: httpx.AsyncClient, privy: FakePrivy, database_url: str) -> People:
    return await people_of(gateway, privy, database_url)


async def _count(database_url: str, sql: str, **params: object) -> int:
    return int(await scalar(database_url, sql, **params))


async def _at_least(expected: int, count: Awaitable[int]) -> bool:
    return await count >= expected


def _variants(gateway: httpx.AsyncClient, asset_id: str, count: int) -> Callable[[], Awaitable[list[str] | None]]:
    async def check() -> list[str] | None:
        found = ids((await gateway.get(f"/api/assets/{asset_id}/variants")).json())
        return found if len(found) == count else None

    return check


async def test_a_pipeline_delivered_three_times_makes_one_asset(
    gateway: httpx.AsyncClient, nc: Client, people: People, stack: dict[str, RunningService], database_url: str
) -> None:
    event = pipeline(people.alice, tier=2, prompt="a bronze sword", metadata={"generationMethod": "gpt-image"})
    subject = pipeline_event_subject(event.pipeline_id, "completed")
    first = f"pipeline-{event.pipeline_id}"
    asset = await completed(nc, gateway, event, people.alice, msg_id=first)
    # Republished twice under new message ids, and once more under the first one's, which
    # JetStream's duplicate window drops.
    again = [await publish(nc, subject, event), await publish(nc, subject, event)]
    await publish(nc, subject, event, msg_id=first)
    seen = "SELECT count(*) FROM assets.inbox WHERE consumer = :c AND message_id = ANY(:m)"
    assert await eventually(lambda: _at_least(3, _count(database_url, seen, c=PIPELINE_DURABLE, m=[first, *again])))
    # A redelivery of the first stops at the inbox: what the consumer does with every
    # delivery (claim, then apply) finds it applied.
    database = stack["assets"].runtime.database
    async with database.unit_of_work() as session:
        assert not await claim(session, inbox, PIPELINE_DURABLE, first)
    # And even with its inbox row lost, applying it again changes nothing.
    async with database.unit_of_work() as session:
        await projections.apply_pipeline(session, event)

    rows = "SELECT count(*) FROM assets.assets WHERE pipeline_id = :p"
    assert await _count(database_url, rows, p=event.pipeline_id) == 1
    created = "SELECT count(*) FROM gateway.activity_log WHERE action = 'asset.created' AND entity_id = :id"
    assert await eventually(lambda: _count(database_url, created, id=asset["id"])) == 1
    updated = "SELECT count(*) FROM gateway.activity_log WHERE action = 'asset.updated' AND entity_id = :id"
    assert await _count(database_url, updated, id=asset["id"]) == 0

    assert asset["id"] == str(catalog_asset_id(event.pipeline_id))
    assert (asset["ownerId"], asset["status"], asset["tier"], asset["prompt"]) == (
        people.alice.id,
        "completed",
        2,
        "a bronze sword",
    )
    assert asset["modelUrl"] == f"/gdd-assets/{event.pipeline_id}/model.glb"
    assert asset["modelFile"] == "model.glb"
    assert asset["hasModel"] is True
    assert asset["generatedAt"] is not None
    assert asset["metadata"]["generationMethod"] == "gpt-image"
    fetched = await gateway.get(f"/api/assets/{asset['id']}", headers=people.alice.headers)
    assert fetched.json() == asset


async def test_a_pipeline_with_variants_makes_linked_variant_assets(
    gateway: httpx.AsyncClient, nc: Client, people: People, database_url: str
) -> None:
    base_id = str(uuid.uuid4())
    variants = [
        PipelineVariant(preset_id=preset, model=GeneratedFile(url=f"/gdd-assets/{base_id}/{preset}.glb"))
        for preset in ("bronze", "steel")
    ]
    event = pipeline(people.alice, asset_id=base_id, variants=variants, visibility=Visibility.PRIVATE)
    base = await completed(nc, gateway, event, people.alice)
    assert base["id"] == base_id

    async def both() -> list[dict[str, object]] | None:
        found = (await gateway.get(f"/api/assets/{base_id}/variants", headers=people.alice.headers)).json()
        return found if len(found) == 2 else None

    found = sorted(await eventually(both), key=lambda variant: str(variant["modelUrl"]))
    for variant, preset in zip(found, ("bronze", "steel"), strict=True):
        assert variant["isVariant"] is True
        assert variant["parentAssetId"] == base_id
        assert variant["visibility"] == "private"
        assert variant["modelUrl"] == f"/gdd-assets/{base_id}/{preset}.glb"
        assert variant["metadata"]["parentBaseModel"] == base_id
        assert variant["metadata"]["isBaseModel"] is False
        assert variant["metadata"]["materialPresetId"] == preset
    links = "SELECT count(*) FROM assets.asset_variants WHERE base_asset_id = :b"
    assert await _count(database_url, links, b=uuid.UUID(base_id)) == 2
    # Private like their base: nobody else sees them.
    assert (await gateway.get(f"/api/assets/{base_id}/variants", headers=people.bob.headers)).status_code == 404
    assert (await gateway.get(f"/api/assets/{found[0]['id']}")).status_code == 404

    # A later retexture of the same base adds a variant and keeps the others.
    later = pipeline(
        people.alice,
        pipeline_id=str(uuid.uuid4()),
        asset_id=base_id,
        completed_at=event.completed_at + timedelta(seconds=1),
        model=None,
        thumbnail=None,
        variants=[PipelineVariant(preset_id="mithril", model=GeneratedFile(url="/gdd-assets/x/mithril.glb"))],
    )
    await publish(nc, pipeline_event_subject(later.pipeline_id, "completed"), later)

    async def three() -> bool:
        response = await gateway.get(f"/api/assets/{base_id}/variants", headers=people.alice.headers)
        return len(response.json()) == 3

    await eventually(three)
    unchanged = (await gateway.get(f"/api/assets/{base_id}", headers=people.alice.headers)).json()
    assert unchanged["modelUrl"] == base["modelUrl"]


async def test_deleting_with_variants_deletes_them_too(gateway: httpx.AsyncClient, nc: Client, people: People) -> None:
    variants = [PipelineVariant(preset_id=p, model=GeneratedFile(url=f"/v/{p}.glb")) for p in ("bronze", "steel")]
    kept_event = pipeline(people.alice, variants=variants)
    gone_event = pipeline(people.alice, variants=variants)
    kept = await completed(nc, gateway, kept_event, people.alice)
    gone = await completed(nc, gateway, gone_event, people.alice)

    kept_variants = await eventually(_variants(gateway, kept["id"], 2))
    gone_variants = await eventually(_variants(gateway, gone["id"], 2))

    alone = await gateway.delete(f"/api/assets/{kept['id']}", headers=people.alice.headers)
    assert alone.json()["deleted"] == [kept["id"]]
    for variant_id in kept_variants:  # left behind, with no parent
        orphan = (await gateway.get(f"/api/assets/{variant_id}")).json()
        assert orphan["parentAssetId"] is None

    response = await gateway.delete(
        f"/api/assets/{gone['id']}", params={"includeVariants": "true"}, headers=people.alice.headers
    )
    assert response.status_code == 200, response.text
    assert sorted(response.json()["deleted"]) == sorted([gone["id"], *gone_variants])
    for asset_id in [gone["id"], *gone_variants]:
        assert (await gateway.get(f"/api/assets/{asset_id}", headers=people.alice.headers)).status_code == 404


async def _upload(gateway: httpx.AsyncClient, headers: dict[str, str], data: bytes, name: str) -> str:
    response = await gateway.post("/api/media/uploads", headers=headers, files={"file": (name, data)}, timeout=60)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_a_deleted_file_leaves_its_asset(gateway: httpx.AsyncClient, people: People) -> None:
    model = await _upload(gateway, people.alice.headers, files.glb(uuid.uuid4().int % 10_000), "m.glb")
    image = await _upload(gateway, people.alice.headers, files.png(uuid.uuid4().int % 10_000), "t.png")
    asset = await new_asset(gateway, people.alice, files=[model, image])

    assert (await gateway.delete(f"/api/media/{model}", headers=people.alice.headers)).status_code == 200

    async def updated() -> dict[str, object] | None:
        body = (await gateway.get(f"/api/assets/{asset['id']}")).json()
        return body if body["files"] == [image] else None  # type: ignore[no-any-return]

    body = await eventually(updated)
    assert body["modelUrl"] is None
    assert body["modelFile"] is None
    assert body["hasModel"] is False
    assert body["thumbnailUrl"] == asset["thumbnailUrl"]
    assert (await gateway.get(f"/api/assets/{asset['id']}/model")).status_code == 404


async def test_a_files_cdn_copy_reaches_its_asset(gateway: httpx.AsyncClient, nc: Client, people: People) -> None:
    model = await _upload(gateway, people.alice.headers, files.glb(uuid.uuid4().int % 10_000), "m.glb")
    asset = await new_asset(gateway, people.alice, files=[model])
    cdn = f"https://cdn.example/media/{model}/content.glb"
    await publish(nc, file_event_subject(model, "mirrored"), FileMirrored(file_id=model, cdn_url=cdn))

    async def mirrored() -> dict[str, object] | None:
        body = (await gateway.get(f"/api/assets/{asset['id']}")).json()
        return body if body["cdnUrl"] == cdn else None  # type: ignore[no-any-return]

    body = await eventually(mirrored)
    assert body["cdnFiles"] == [cdn]
    assert (await gateway.get(f"/api/assets/{asset['id']}/model")).headers["location"] == cdn


async def test_deleting_an_asset_releases_its_files_in_media(
    gateway: httpx.AsyncClient, nc: Client, people: People, database_url: str
) -> None:
    only = await _upload(gateway, people.alice.headers, files.png(uuid.uuid4().int % 10_000), "a.png")
    shared = await _upload(gateway, people.alice.headers, files.png(uuid.uuid4().int % 10_000), "b.png")
    asset = await new_asset(gateway, people.alice, files=[only, shared])
    other = await new_asset(gateway, people.alice, files=[shared])

    assert (await gateway.delete(f"/api/assets/{asset['id']}", headers=people.alice.headers)).status_code == 200

    async def released() -> bool:
        return (await gateway.get(f"/api/media/{only}", headers=people.alice.headers)).status_code == 404

    await eventually(released)
    # Another asset still holds the shared file: it stays, and stays in that asset.
    assert (await gateway.get(f"/api/media/{shared}", headers=people.alice.headers)).status_code == 200
    assert (await gateway.get(f"/api/assets/{other['id']}")).json()["files"] == [shared]
    deleted = "SELECT count(*) FROM gateway.activity_log WHERE action = 'asset.deleted' AND entity_id = :id"
    assert await eventually(lambda: _count(database_url, deleted, id=asset["id"])) == 1
    assert asset["id"] not in ids(await listed(gateway, ownerId=people.alice.id))


async def test_a_file_deletion_for_no_asset_changes_nothing(gateway: httpx.AsyncClient, nc: Client) -> None:
    file_id = str(uuid.uuid4())
    await publish(nc, file_event_subject(file_id, "deleted"), FileDeleted(file_id=file_id))
    assert (await gateway.get("/api/health/live")).status_code == 200


async def test_a_pipeline_naming_someone_elses_asset_is_ignored(
    gateway: httpx.AsyncClient, nc: Client, people: People
) -> None:
    bobs = await new_asset(gateway, people.bob, name="bob's own")
    event = pipeline(people.alice, asset_id=bobs["id"])
    await publish(nc, pipeline_event_subject(event.pipeline_id, "completed"), event)
    marker = pipeline(people.alice)  # delivered after the first: once it lands, the first was handled
    await completed(nc, gateway, marker, people.alice)
    after = (await gateway.get(f"/api/assets/{bobs['id']}")).json()
    assert after == bobs
