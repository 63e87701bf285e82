"""Submitting, reading, listing and cancelling pipelines through the bus API: who sees
what, what a repeated or reused Idempotency-Key answers, and how bad configs are told."""

from __future__ import annotations

import uuid

import httpx
import pytest
from nats.aio.client import Client

from assetforge.common.contracts import pipelines as contract
from tests.generation.support import status, submit, until_done
from tests.helpers import scalar
from tests.media.support import call
from tests.support import RunningService

pytestmark = pytest.mark.usefixtures("stack")


async def test_the_same_key_answers_the_same_pipeline(nc: Client, owner: str) -> None:
    key = f"key-{uuid.uuid4().hex}"
    first = await submit(nc, owner, key=key, description="a lantern")
    again = await submit(nc, owner, key=key, description="a lantern")
    assert first.ok, first.body
    assert again.ok, again.body
    assert again.body["pipelineId"] == first.body["pipelineId"]
    other = await submit(nc, owner, key=key, description="a different lantern")
    assert other.code == "CONFLICT"
    # Keys are the user's own: another user's same key makes another pipeline.
    theirs = await submit(nc, f"{owner}-other", key=key, description="a lantern")
    assert theirs.ok
    assert theirs.body["pipelineId"] != first.body["pipelineId"]


async def test_a_key_older_than_a_day_starts_a_new_pipeline(nc: Client, owner: str, database_url: str) -> None:
    key = f"key-{uuid.uuid4().hex}"
    first = await submit(nc, owner, key=key)
    await scalar(
        database_url,
        "UPDATE generation.generation_jobs SET created_at = now() - interval '25 hours' WHERE id = :id RETURNING 1",
        id=uuid.UUID(first.body["pipelineId"]),
    )
    later = await submit(nc, owner, key=key)
    assert later.ok
    assert later.body["pipelineId"] != first.body["pipelineId"]


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"quality": "extreme"}, "quality"),
        ({"tier": 9}, "tier"),
        ({"materialPresets": [{"id": "../etc"}]}, "materialPresets[0].id"),
        ({"riggingOptions": {"heightMeters": 50}}, "riggingOptions.heightMeters"),
        ({"referenceImage": {"dataUrl": "data:image/png;base64,!!!"}}, "referenceImage.dataUrl"),
    ],
)
async def test_a_bad_value_is_refused_naming_its_field(
    nc: Client, owner: str, config: dict[str, object], field: str
) -> None:
    reply = await submit(nc, owner, **config)
    assert reply.code == "VALIDATION_ERROR", reply.body
    assert reply.field_names() == {f"config.{field}"} or reply.field_names() == {field}, reply.body


async def test_the_original_frontends_extra_fields_are_accepted(nc: Client, owner: str) -> None:
    asset = f"asset-{uuid.uuid4().hex[:8]}"
    reply = await submit(
        nc,
        owner,
        assetId=asset,
        enableSprites=False,
        spriteConfig={"angles": 8},
        customPrompts={"gameStyle": "low poly"},
        enableGeneration=True,
        referenceImage={"source": "none"},
        materialPresets=[{"id": "bronze", "name": "bronze", "category": "metal", "tier": 1, "color": "#b08d57"}],
        someFieldNobodyKnows=True,
    )
    assert reply.ok, reply.body
    done = await until_done(nc, owner, reply.body["pipelineId"])
    assert done["status"] == "completed"
    assert uuid.UUID(done["config"]["assetId"])  # a real asset id, derived from the original's


async def test_other_users_see_nothing_and_admins_see_all(nc: Client, owner: str) -> None:
    pipeline_id = (await submit(nc, owner)).body["pipelineId"]
    assert (await status(nc, f"{owner}-other", pipeline_id)).code == "NOT_FOUND"
    assert (await status(nc, "did:privy:an-admin", pipeline_id, role="admin")).ok
    cancel = await call(nc, contract.PIPELINE_CANCEL, {"id": pipeline_id}, f"{owner}-other")
    assert cancel.code == "NOT_FOUND"
    anonymous = await call(nc, contract.PIPELINE_GET, {"id": pipeline_id})
    assert anonymous.code == "NOT_FOUND"
    by_id = await call(nc, contract.PIPELINE_GET, {"id": pipeline_id, "byCapability": True})
    assert by_id.ok
    assert by_id.body["id"] == pipeline_id
    assert owner not in str(by_id.body)


async def test_lists_are_the_callers_newest_first_by_status(nc: Client, owner: str) -> None:
    made = [(await submit(nc, owner, name=f"item {n}")).body["pipelineId"] for n in range(3)]
    for pipeline_id in made:
        await until_done(nc, owner, pipeline_id)
    first = await call(nc, contract.PIPELINE_LIST, {"limit": 2}, owner)
    assert [p["id"] for p in first.body["pipelines"]] == made[::-1][:2]
    rest = await call(nc, contract.PIPELINE_LIST, {"limit": 2, "cursor": first.body["nextCursor"]}, owner)
    assert [p["id"] for p in rest.body["pipelines"]] == made[:1]
    assert rest.body["nextCursor"] is None
    failed = await call(nc, contract.PIPELINE_LIST, {"status": "failed"}, owner)
    assert failed.body["pipelines"] == []
    bad = await call(nc, contract.PIPELINE_LIST, {"cursor": "not-a-cursor"}, owner)
    assert bad.code == "VALIDATION_ERROR"


async def test_a_finished_pipeline_cannot_be_cancelled(nc: Client, owner: str) -> None:
    pipeline_id = (await submit(nc, owner)).body["pipelineId"]
    await until_done(nc, owner, pipeline_id)
    reply = await call(nc, contract.PIPELINE_CANCEL, {"id": pipeline_id}, owner)
    assert reply.code == "CONFLICT"


async def test_metrics_count_pipelines_and_provider_calls(
    nc: Client, owner: str, stack: dict[str, RunningService]
) -> None:
    pipeline_id = (await submit(nc, owner, type="building")).body["pipelineId"]
    await until_done(nc, owner, pipeline_id)
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{stack['generation'].url}/metrics")).text
    assert 'asset_generations_total{status="completed",type="building"}' in text
    assert 'ai_api_calls_total{model="offline-procedural-1",provider="offline",status="ok"}' in text
    for name in (
        "asset_generation_duration_seconds",
        "asset_generation_stage_duration_seconds",
        "ai_api_latency_seconds",
        "generation_jobs_in_flight",
        "generation_consumer_pending",
    ):
        assert name in text


async def test_the_sweep_removes_expired_jobs_and_frees_old_keys(
    nc: Client, owner: str, database_url: str, stack: dict[str, RunningService]
) -> None:
    old = (await submit(nc, owner, key=f"old-{uuid.uuid4().hex}")).body["pipelineId"]
    recent = (await submit(nc, owner)).body["pipelineId"]
    for pipeline_id in (old, recent):
        await until_done(nc, owner, pipeline_id)
    await scalar(
        database_url,
        "UPDATE generation.generation_jobs SET completed_at = now() - interval '31 days',"
        " created_at = now() - interval '31 days' WHERE id = :id RETURNING 1",
        id=uuid.UUID(old),
    )
    parts = stack["generation"].runtime.parts.lifecycle[0]
    assert await parts.sweep_once() >= 1  # type: ignore[attr-defined]
    assert (await status(nc, owner, old)).code == "NOT_FOUND"
    assert (await status(nc, owner, recent)).ok
