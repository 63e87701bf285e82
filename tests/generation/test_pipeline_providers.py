"""Pipelines on the real Meshy and OpenAI clients, against fakes that speak their
protocols: every stage, the failures they report, cancel and retry."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import msgspec
import pytest

from assetforge.common.contracts import assets as assets_contract
from assetforge.common.contracts import generation as generation_contract
from assetforge.common.contracts import pipelines as contract
from tests.generation.conftest import ProviderStack, own_provider_stack
from tests.generation.fakes.meshy import FakeMeshy
from tests.generation.fakes.openai import FakeOpenAI
from tests.generation.support import submit, until_done
from tests.helpers import scalar
from tests.media.support import call
from tests.support import wait_until

PRESETS = [
    {"id": "bronze", "displayName": "Bronze", "stylePrompt": "polished bronze", "color": "#b08d57"},
    {"id": "steel", "displayName": "Steel", "stylePrompt": "brushed steel"},
]


@pytest.fixture(autouse=True)
def _fresh_script(provider_stack: ProviderStack) -> None:
    meshy = provider_stack.meshy
    meshy.polls_to_finish, meshy.fail_next, meshy.cancel_next, meshy.reject_next = 3, {}, set(), []
    meshy.reject_polls = []
    provider_stack.openai.reject_next = []


def _creates(stack: ProviderStack) -> dict[str, int]:
    return dict(stack.meshy.creates)


async def test_every_stage_runs_on_the_providers(provider_stack: ProviderStack, owner: str) -> None:
    nc, meshy, openai = provider_stack.nc, provider_stack.meshy, provider_stack.openai
    before, chats, images = _creates(provider_stack), len(openai.chat_bodies), len(openai.image_bodies)
    accepted = await submit(
        nc,
        owner,
        name="Ser Aldric",
        type="character",
        description="a knight in dented plate",
        quality="ultra",
        enableRetexturing=True,
        materialPresets=PRESETS,
        enableRigging=True,
        riggingOptions={"heightMeters": 1.9},
    )
    assert accepted.ok, accepted.body
    done = await until_done(nc, owner, accepted.body["pipelineId"])
    assert done["status"] == "completed", done
    stages = done["stages"]
    assert {name: stages[name]["status"] for name in contract.STAGES} == dict.fromkeys(contract.STAGES, "completed")
    assert stages["image3D"]["provider"] == "meshy"
    after = _creates(provider_stack)
    assert {kind: after[kind] - before[kind] for kind in after} == {"image-to-3d": 1, "retexture": 2, "rigging": 1}
    assert len(openai.chat_bodies) == chats + 1
    assert openai.chat_bodies[-1]["model"] == "gpt-4o"
    assert len(openai.image_bodies) == images + 1
    assert openai.image_bodies[-1]["model"] == "gpt-image-1"
    bodies = [body for kind, body in meshy.create_bodies[-4:]]
    image_to_3d = next(body for kind, body in meshy.create_bodies[-4:] if kind == "image-to-3d")
    assert image_to_3d["image_url"].startswith("data:image/png;base64,")
    assert (image_to_3d["target_polycount"], image_to_3d["texture_resolution"]) == (20000, "4k")
    assert {body.get("text_style_prompt") for body in bodies} >= {"polished bronze", "brushed steel"}
    rigging = next(body for kind, body in meshy.create_bodies[-4:] if kind == "rigging")
    assert rigging["height_meters"] == 1.9
    results = done["results"]
    assert [v["presetId"] for v in results["variants"]] == ["bronze", "steel"]
    assert results["textureGeneration"]["variants"] == results["variants"]
    asset_id = done["config"]["assetId"]
    assert results["riggedModelUrl"] == f"/gdd-assets/{asset_id}/{asset_id}_rigged.glb"
    assert set(results["animations"]) == {"walking", "running"}
    assert results["rigging"]["animations"] == results["animations"]

    async def variants() -> list[dict[str, Any]] | None:
        reply = await call(nc, assets_contract.ASSET_VARIANTS, {"id": asset_id}, owner)
        return reply.body.get("assets") if reply.ok and reply.body.get("assets") else None

    assert len(await wait_until(variants)) == 2


async def test_a_failed_meshy_task_fails_the_pipeline_with_its_reason(
    provider_stack: ProviderStack, owner: str
) -> None:
    provider_stack.meshy.fail_next["image-to-3d"] = "the image shows no object"
    accepted = await submit(provider_stack.nc, owner)
    done = await until_done(provider_stack.nc, owner, accepted.body["pipelineId"])
    assert (done["status"], done["errorStage"]) == ("failed", "image3D")
    assert "the image shows no object" in done["error"]
    assert done["stages"]["image3D"]["status"] == "failed"


async def test_no_credits_fails_at_once_naming_meshy(provider_stack: ProviderStack, owner: str) -> None:
    before = _creates(provider_stack)["image-to-3d"]
    provider_stack.meshy.reject_next = [402]
    accepted = await submit(provider_stack.nc, owner)
    done = await until_done(provider_stack.nc, owner, accepted.body["pipelineId"])
    assert done["status"] == "failed", done
    assert "Meshy" in done["error"]
    # One call, refused, and never tried again.
    assert _creates(provider_stack)["image-to-3d"] == before + 1


async def test_a_rate_limited_create_is_tried_again(provider_stack: ProviderStack, owner: str) -> None:
    provider_stack.meshy.reject_next = [429]
    accepted = await submit(provider_stack.nc, owner)
    done = await until_done(provider_stack.nc, owner, accepted.body["pipelineId"])
    assert done["status"] == "completed", done


async def test_a_task_the_provider_cancelled_fails_the_pipeline(provider_stack: ProviderStack, owner: str) -> None:
    provider_stack.meshy.cancel_next.add("image-to-3d")
    accepted = await submit(provider_stack.nc, owner)
    done = await until_done(provider_stack.nc, owner, accepted.body["pipelineId"])
    assert done["status"] == "failed"
    assert "cancelled the task" in done["error"]


async def test_cancel_stops_a_running_pipeline_and_its_task(provider_stack: ProviderStack, owner: str) -> None:
    nc, meshy = provider_stack.nc, provider_stack.meshy
    meshy.polls_to_finish = 10_000
    accepted = await submit(nc, owner)
    pipeline_id = accepted.body["pipelineId"]

    async def polling() -> bool:
        reply = await call(nc, contract.PIPELINE_GET, {"id": pipeline_id}, owner)
        return reply.body["stages"]["image3D"]["status"] == "processing" and meshy.polls > 0

    await wait_until(polling)
    cancelled = await call(nc, contract.PIPELINE_CANCEL, {"id": pipeline_id}, owner)
    assert cancelled.ok, cancelled.body
    done = await until_done(nc, owner, pipeline_id)
    assert done["status"] == "cancelled"
    sql = "SELECT task_id FROM generation.provider_tasks WHERE job_id = :job"
    task_id = await scalar(provider_stack.database_url, sql, job=uuid.UUID(pipeline_id))
    assert task_id in meshy.deleted


async def test_retry_resumes_at_the_failed_stage(provider_stack: ProviderStack, owner: str) -> None:
    nc, meshy, openai = provider_stack.nc, provider_stack.meshy, provider_stack.openai
    meshy.fail_next["image-to-3d"] = "try another image"
    accepted = await submit(nc, owner)
    pipeline_id = accepted.body["pipelineId"]
    failed = await until_done(nc, owner, pipeline_id)
    assert failed["status"] == "failed"
    images, creates = len(openai.image_bodies), _creates(provider_stack)["image-to-3d"]
    retried = await call(nc, contract.PIPELINE_RETRY, {"id": pipeline_id}, owner)
    assert retried.ok, retried.body
    assert retried.body["status"] == "queued"
    done = await until_done(nc, owner, pipeline_id)
    assert done["status"] == "completed", done
    assert "error" not in done  # the failure of the first run is cleared
    assert len(openai.image_bodies) == images  # the concept art was kept
    assert _creates(provider_stack)["image-to-3d"] == creates + 1
    again = await call(nc, contract.PIPELINE_RETRY, {"id": pipeline_id}, owner)
    assert again.code == "CONFLICT"


async def test_a_run_that_keeps_failing_ends_failed_with_a_dead_letter(
    tmp_path: Path, postgres_server_url: str, fake_meshy: FakeMeshy, fake_openai: FakeOpenAI, owner: str
) -> None:
    fake_meshy.polls_to_finish, fake_meshy.reject_polls = 2, [500] * 1000
    try:
        async with own_provider_stack(
            tmp_path / "nats", postgres_server_url, fake_meshy, fake_openai, GENERATION_MAX_DELIVER="2"
        ) as stack:
            js = stack.nc.jetstream()
            letters = await js.subscribe(generation_contract.DEAD_LETTER_FILTER, ordered_consumer=True)
            accepted = await submit(stack.nc, owner)
            done = await until_done(stack.nc, owner, accepted.body["pipelineId"], timeout=60)
            assert done["status"] == "failed", done
            assert done["error"].startswith("gave up after 2 attempts")
            assert done["errorStage"] == "image3D"
            letter = msgspec.json.decode((await letters.next_msg(timeout=10)).data)
            assert (letter["pipelineId"], letter["deliveries"]) == (accepted.body["pipelineId"], 2)
    finally:
        fake_meshy.reject_polls = []
