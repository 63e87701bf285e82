"""Audio jobs end to end on the offline provider, through the generation service's bus
API: each kind to a stored file that plays for the length asked, the catalog asset the
assets service makes from the completed event, batches, idempotency and estimates."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import mutagen.mp3
import pytest
from nats.aio.client import Client

from assetforge.common.blobs import GDD_ASSETS, JetStreamBlobStore, open_blob_store
from assetforge.common.contracts import assets as assets_contract
from assetforge.common.contracts import audio as contract
from assetforge.common.contracts import jobs as jobs_contract
from tests.media.support import Reply, call, read_all
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("stack")
TERMINAL = {"completed", "failed", "cancelled"}


@pytest.fixture
async def store(nc: Client) -> JetStreamBlobStore:
    return await open_blob_store(nc.jetstream())


async def submit(nc: Client, owner: str, request: dict[str, Any], key: str | None = None) -> Reply:
    body: dict[str, Any] = {"request": request, **({"idempotencyKey": key} if key else {})}
    return await call(nc, contract.AUDIO_SUBMIT, body, owner)


async def until_done(nc: Client, owner: str, job_id: str, timeout: float = 30.0) -> dict[str, Any]:
    async def ended() -> dict[str, Any] | None:
        reply = await call(nc, jobs_contract.JOB_GET, {"id": job_id}, owner)
        assert reply.ok, reply.body
        return reply.body if reply.body["status"] in TERMINAL else None

    return await wait_until(ended, timeout=timeout)


async def played_seconds(store: JetStreamBlobStore, url: str) -> float:
    data = await read_all(store, GDD_ASSETS, url.removeprefix("/gdd-assets/"))
    return float(mutagen.mp3.MP3(io.BytesIO(data)).info.length)


@pytest.mark.parametrize(
    ("request_body", "seconds"),
    [
        ({"kind": "sfx", "text": "a huge explosion", "durationSeconds": 2.0}, 2.0),
        ({"kind": "music", "prompt": "calm village theme", "musicLengthMs": 12_000}, 12.0),
        ({"kind": "voice", "text": "Welcome, traveller. The forge is hot today.", "voiceId": "offline-voice"}, None),
    ],
)
async def test_each_kind_makes_a_file_that_plays_for_the_length_asked_and_an_audio_asset(
    nc: Client, store: JetStreamBlobStore, owner: str, request_body: dict[str, Any], seconds: float | None
) -> None:
    accepted = await submit(nc, owner, request_body)
    assert accepted.ok, accepted.body
    assert accepted.body["status"] == "queued"
    assert accepted.body["kind"] == request_body["kind"]
    done = await until_done(nc, owner, accepted.body["jobId"])
    assert done["status"] == "completed", done
    assert done["progress"] == 100
    results = done["results"]
    assert results["contentType"] == "audio/mpeg"
    played = await played_seconds(store, results["fileUrl"])
    assert played == pytest.approx(results["durationSeconds"], abs=0.1)
    if seconds is not None:
        assert played == pytest.approx(seconds, abs=0.15)
    else:
        assert 1.0 < played < 10.0

    async def in_catalog() -> dict[str, Any] | None:
        reply = await call(nc, assets_contract.ASSET_GET, {"id": results["assetId"]}, owner)
        return reply.body if reply.ok else None

    asset = await wait_until(in_catalog)
    assert asset["type"] == "audio"
    assert asset["subtype"] == request_body["kind"]
    assert asset["ownerId"] == owner
    assert asset["metadata"]["audio"]["fileUrl"] == results["fileUrl"]
    assert asset["metadata"]["audio"]["provider"] == "offline"


async def test_a_batch_makes_one_job_per_item_and_a_bad_item_refuses_the_batch_naming_it(
    nc: Client, owner: str
) -> None:
    items = [{"kind": "sfx", "text": f"footsteps on gravel {n}", "durationSeconds": 0.5} for n in range(5)]
    refused = await call(
        nc, contract.AUDIO_BATCH, {"items": [*items, {"kind": "music", "musicLengthMs": 20_000}]}, owner
    )
    assert not refused.ok
    assert refused.code == "VALIDATION_ERROR"
    assert refused.field_names() == {"items[5].prompt"}
    accepted = await call(nc, contract.AUDIO_BATCH, {"items": items}, owner)
    assert accepted.ok, accepted.body
    ids = [job["jobId"] for job in accepted.body["jobs"]]
    assert len(set(ids)) == 5
    done = await asyncio.gather(*(until_done(nc, owner, job_id) for job_id in ids))
    assert [job["status"] for job in done] == ["completed"] * 5
    listed = await call(nc, jobs_contract.JOB_LIST, {"kind": "sfx", "limit": 3}, owner)
    assert listed.ok, listed.body
    assert len(listed.body["jobs"]) == 3
    rest = await call(nc, jobs_contract.JOB_LIST, {"kind": "sfx", "cursor": listed.body["nextCursor"]}, owner)
    assert {job["id"] for job in listed.body["jobs"] + rest.body["jobs"]} == set(ids)


async def test_an_idempotency_key_answers_the_same_job_and_another_body_under_it_is_a_conflict(
    nc: Client, owner: str
) -> None:
    effect = {"kind": "sfx", "text": "door creak", "durationSeconds": 1.0}
    first = await submit(nc, owner, effect, key="creak-1")
    again = await submit(nc, owner, effect, key="creak-1")
    assert first.ok
    assert again.ok
    assert again.body["jobId"] == first.body["jobId"]
    other = await submit(nc, owner, {**effect, "text": "door slam"}, key="creak-1")
    assert other.code == "CONFLICT"


async def test_another_user_cannot_see_a_job_and_pipelines_are_not_jobs(nc: Client, owner: str) -> None:
    accepted = await submit(nc, owner, {"kind": "sfx", "text": "coin pickup", "durationSeconds": 0.5})
    job_id = accepted.body["jobId"]
    stranger = await call(nc, jobs_contract.JOB_GET, {"id": job_id}, "did:privy:someone-else")
    assert stranger.code == "NOT_FOUND"
    admin = await call(nc, jobs_contract.JOB_GET, {"id": job_id}, "did:privy:an-admin", role="admin")
    assert admin.ok
    as_pipeline = await call(nc, "generation.v1.pipeline.get", {"id": job_id}, owner)
    assert as_pipeline.code == "NOT_FOUND"


@pytest.mark.parametrize(
    ("request_body", "field"),
    [
        ({"kind": "sfx", "text": "boom", "durationSeconds": 31}, "request.durationSeconds"),
        ({"kind": "sfx", "text": "boom", "promptInfluence": 1.5}, "request.promptInfluence"),
        ({"kind": "music", "prompt": "x", "musicLengthMs": 5000}, "request.musicLengthMs"),
        ({"kind": "voice", "text": "", "voiceId": "v"}, "request.text"),
        ({"kind": "music"}, "prompt"),
    ],
)
async def test_a_bad_request_is_refused_naming_the_field(
    nc: Client, owner: str, request_body: dict[str, Any], field: str
) -> None:
    refused = await submit(nc, owner, request_body)
    assert refused.code == "VALIDATION_ERROR", refused.body
    assert refused.field_names() == {field}


async def test_estimates_count_characters_and_seconds(nc: Client) -> None:
    voice = await call(nc, contract.AUDIO_ESTIMATE, {"request": {"kind": "voice", "text": "x" * 120, "voiceId": "v"}})
    assert voice.body == {"kind": "voice", "estimatedCredits": 120, "characters": 120, "seconds": 8.6}
    turbo = {"kind": "voice", "text": "x" * 120, "voiceId": "v", "modelId": "eleven_turbo_v2_5"}
    assert (await call(nc, contract.AUDIO_ESTIMATE, {"request": turbo})).body["estimatedCredits"] == 60
    sfx = await call(nc, contract.AUDIO_ESTIMATE, {"request": {"kind": "sfx", "text": "x", "durationSeconds": 2.5}})
    assert sfx.body["estimatedCredits"] == 100


async def test_the_voice_library_models_and_a_music_plan_come_from_the_provider(nc: Client, owner: str) -> None:
    voices = await call(nc, contract.VOICE_LIBRARY, {})
    assert voices.ok
    assert voices.body["voices"]
    assert {"voiceId", "name"} <= set(voices.body["voices"][0])
    models = await call(nc, contract.VOICE_MODELS, {})
    assert "eleven_multilingual_v2" in {m["modelId"] for m in models.body["models"]}
    plan = await call(nc, contract.MUSIC_PLAN, {"prompt": "epic battle", "musicLengthMs": 40_000}, owner)
    assert plan.ok, plan.body
    assert sum(section["duration_ms"] for section in plan.body["sections"]) == 40_000
