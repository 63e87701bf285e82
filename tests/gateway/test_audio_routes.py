"""Audio through the gateway on the offline provider, in the original frontend's shapes:
a sound effect or a track answers its bytes, a voice line JSON with base64 audio, a batch
202 with its jobs; `Prefer: respond-async` answers 202 at once, and the job's progress
streams like a pipeline's."""

from __future__ import annotations

import base64
import io
from typing import Any

import httpx
import mutagen.mp3
import pytest

from tests.gateway.people import People, people_of
from tests.gateway.streams_support import frames
from tests.privy import FakePrivy
from tests.support import wait_until


@pytest.fixture
async def cast(gateway: httpx.AsyncClient, privy: FakePrivy, database_url: str) -> People:
    return await people_of(gateway, privy, database_url)


def seconds_of(data: bytes) -> float:
    return float(mutagen.mp3.MP3(io.BytesIO(data)).info.length)


async def test_a_sound_effect_answers_its_audio_and_its_asset_is_the_callers(
    gateway: httpx.AsyncClient, cast: People
) -> None:
    response = await gateway.post(
        "/api/sfx/generate",
        json={"text": "sword clang on a shield", "durationSeconds": 1.5, "unknownField": True},
        headers=cast.alice.headers,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "audio/mpeg"
    assert seconds_of(response.content) == pytest.approx(1.5, abs=0.15)
    asset_id = response.headers["x-asset-id"]

    async def listed() -> dict[str, Any] | None:
        found = await gateway.get(f"/api/assets/{asset_id}", headers=cast.alice.headers)
        return found.json() if found.status_code == 200 else None

    asset = await wait_until(listed)
    assert asset["type"] == "audio"
    assert asset["subtype"] == "sfx"
    stranger = await gateway.get(f"/api/assets/{asset_id}", headers=cast.bob.headers)
    assert stranger.status_code == 404


async def test_a_track_answers_its_audio(gateway: httpx.AsyncClient, cast: People) -> None:
    response = await gateway.post(
        "/api/music/generate", json={"prompt": "tavern jig", "musicLengthMs": 10_000}, headers=cast.alice.headers
    )
    assert response.status_code == 200, response.text
    assert seconds_of(response.content) == pytest.approx(10.0, abs=0.15)


async def test_a_voice_line_answers_the_original_json_with_the_settings_it_was_sent(
    gateway: httpx.AsyncClient, cast: People
) -> None:
    body = {"text": "Halt! Who goes there?", "voiceId": "offline-guard", "settings": {"stability": 0.4, "speed": 1.1}}
    response = await gateway.post("/api/voice/generate", json=body, headers=cast.alice.headers)
    assert response.status_code == 200, response.text
    reply = response.json()
    assert reply["success"] is True
    assert reply["fileUrl"].startswith(f"/gdd-assets/{reply['assetId']}/voice-")
    assert seconds_of(base64.b64decode(reply["audioData"])) > 0.5
    served = await gateway.get(reply["fileUrl"], headers=cast.alice.headers)
    assert served.status_code == 200
    assert served.content == base64.b64decode(reply["audioData"])


async def test_prefer_respond_async_answers_202_and_the_job_streams_to_its_end(
    gateway: httpx.AsyncClient, cast: People
) -> None:
    response = await gateway.post(
        "/api/sfx/generate",
        json={"text": "magic spell whoosh", "durationSeconds": 2},
        headers={**cast.alice.headers, "Prefer": "respond-async"},
    )
    assert response.status_code == 202, response.text
    job_id = response.json()["jobId"]
    assert response.json()["kind"] == "sfx"
    async with gateway.stream("GET", f"/api/generation/jobs/{job_id}/events", headers=cast.alice.headers) as stream:
        assert stream.status_code == 200
        events = [frame.event async for frame in frames(stream) if frame.event is not None]
    assert events[0] == "created"
    assert events[-1] == "completed"
    status = await gateway.get(f"/api/generation/jobs/{job_id}", headers=cast.alice.headers)
    assert status.json()["status"] == "completed"
    assert status.json()["results"]["durationSeconds"] == pytest.approx(2.0, abs=0.15)
    other = await gateway.get(f"/api/generation/jobs/{job_id}", headers=cast.bob.headers)
    assert other.status_code == 404
    mine = await gateway.get("/api/generation/jobs", params={"kind": "sfx"}, headers=cast.alice.headers)
    assert job_id in {job["id"] for job in mine.json()["jobs"]}


async def test_batches_answer_202_with_one_job_per_item_and_are_bounded(
    gateway: httpx.AsyncClient, cast: People
) -> None:
    effects = [{"text": f"coin {n}", "durationSeconds": 0.5} for n in range(3)]
    response = await gateway.post("/api/sfx/batch", json={"effects": effects}, headers=cast.alice.headers)
    assert response.status_code == 202, response.text
    assert len(response.json()["jobs"]) == 3
    too_many = await gateway.post("/api/sfx/batch", json={"effects": effects * 7}, headers=cast.alice.headers)
    assert too_many.status_code == 422
    tracks = [{"prompt": "loop", "musicLengthMs": 10_000}] * 11
    assert (
        await gateway.post("/api/music/batch", json={"tracks": tracks}, headers=cast.alice.headers)
    ).status_code == 422
    lines = {"items": [{"text": "Hello", "voiceId": "v1"}, {"text": "Bye", "voiceId": "v1"}]}
    voiced = await gateway.post("/api/voice/batch", json=lines, headers=cast.alice.headers)
    assert voiced.status_code == 202, voiced.text


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/sfx/generate", {"text": "boom", "durationSeconds": 0.1}, "durationSeconds"),
        ("/api/sfx/generate", {"text": ""}, "text"),
        ("/api/music/generate", {"prompt": "x", "musicLengthMs": 400_000}, "musicLengthMs"),
        ("/api/voice/generate", {"text": "hi"}, "voiceId"),
        ("/api/voice/generate", {"text": "hi", "voiceId": "v", "voiceSettings": {"speed": 3}}, "voiceSettings.speed"),
    ],
)
async def test_a_bad_request_is_a_422_naming_the_field(
    gateway: httpx.AsyncClient, cast: People, path: str, body: dict[str, Any], field: str
) -> None:
    response = await gateway.post(path, json=body, headers=cast.alice.headers)
    assert response.status_code == 422, response.text
    assert field in response.text


async def test_making_audio_needs_a_user_but_the_library_and_estimates_do_not(gateway: httpx.AsyncClient) -> None:
    assert (await gateway.post("/api/sfx/generate", json={"text": "boom"})).status_code == 401
    library = await gateway.get("/api/voice/library")
    assert library.status_code == 200
    assert library.json()["voices"]
    assert (await gateway.get("/api/voice/models")).json()["models"]
    estimate = await gateway.post("/api/voice/estimate", json={"text": "Hello there"})
    assert estimate.json()["characters"] == 11
    assert estimate.json()["estimatedCredits"] == 11
    sfx = await gateway.get("/api/sfx/estimate", params={"durationSeconds": 3})
    assert sfx.json()["estimatedCredits"] == 120


async def test_a_music_plan_is_sections_that_add_up(gateway: httpx.AsyncClient, cast: People) -> None:
    response = await gateway.post(
        "/api/music/plan", json={"prompt": "dungeon ambience", "musicLengthMs": 30_000}, headers=cast.alice.headers
    )
    assert response.status_code == 200, response.text
    plan = response.json()
    assert sum(section["duration_ms"] for section in plan["sections"]) == 30_000
    made = await gateway.post(
        "/api/music/generate", json={"compositionPlan": plan}, headers={**cast.alice.headers, "Prefer": "respond-async"}
    )
    assert made.status_code == 202, made.text


async def test_a_voice_is_designed_kept_and_its_lines_are_listed_as_saved(
    gateway: httpx.AsyncClient, cast: People
) -> None:
    description = "a cheerful halfling innkeeper who talks fast"
    designed = await gateway.post(
        "/api/voice/design", json={"voiceDescription": description}, headers=cast.alice.headers
    )
    assert designed.status_code == 200, designed.text
    previews = designed.json()["previews"]
    assert len(previews) == 3
    assert seconds_of(base64.b64decode(previews[0]["audioBase64"])) > 1.0
    kept = await gateway.post(
        "/api/voice/save",
        json={"voiceName": "Pip", "voiceDescription": description, "generatedVoiceId": previews[0]["generatedVoiceId"]},
        headers=cast.alice.headers,
    )
    assert kept.status_code == 200, kept.text
    voice_id = kept.json()["voice"]["voiceId"]
    spoken = await gateway.post(
        "/api/voice/generate", json={"text": "Rooms are two silver.", "voiceId": voice_id}, headers=cast.alice.headers
    )
    assert spoken.status_code == 200, spoken.text
    saved = await gateway.get("/api/voice/saved", headers=cast.alice.headers)
    assert saved.status_code == 200, saved.text
    line = next(item for item in saved.json()["audio"] if item["id"] == spoken.json()["assetId"])
    assert (line["text"], line["voiceId"], line["fileUrl"]) == (
        "Rooms are two silver.",
        voice_id,
        spoken.json()["fileUrl"],
    )
    assert spoken.json()["assetId"] not in {
        item["id"] for item in (await gateway.get("/api/voice/saved", headers=cast.bob.headers)).json()["audio"]
    }
    short = await gateway.post("/api/voice/design", json={"voiceDescription": "tiny"}, headers=cast.alice.headers)
    assert short.status_code == 422
    assert "voiceDescription" in short.text


async def test_usage_counts_what_the_caller_submitted_today(gateway: httpx.AsyncClient, cast: People) -> None:
    before = (await gateway.get("/api/users/me/usage", headers=cast.bob.headers)).json()
    assert before["dailyCredits"] is None
    assert before["remaining"] is None
    made = await gateway.post(
        "/api/sfx/generate", json={"text": "tick", "durationSeconds": 1}, headers=cast.bob.headers
    )
    assert made.status_code == 200, made.text
    after = (await gateway.get("/api/users/me/usage", headers=cast.bob.headers)).json()
    assert after["creditsUsed"] == before["creditsUsed"] + 40
    assert (await gateway.get("/api/users/me/usage")).status_code == 401
