"""3D generation pipelines through the gateway: gateway -> NATS -> generation service ->
PostgreSQL, with two members and an admin. A pipeline is its owner's (and an admin's):
anyone else gets 404. The streams are in test_pipeline_streams.py."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.gateway.people import People, people_of
from tests.gateway.streams_support import status_of, submit, until_state
from tests.privy import FakePrivy
from tests.support import running_stack

PIPELINE = "/api/generation/pipeline"
STAGES = {"textInput", "promptOptimization", "imageGeneration", "image3D", "textureGeneration", "rigging"}


@pytest.fixture
async def cast(gateway: httpx.AsyncClient, privy: FakePrivy, database_url: str) -> People:
    return await people_of(gateway, privy, database_url)


async def test_a_pipeline_is_accepted_with_202_and_the_services_answer(
    gateway: httpx.AsyncClient, cast: People
) -> None:
    response = await gateway.post(PIPELINE, json={"name": "Bronze sword", "type": "weapon"}, headers=cast.alice.headers)
    assert response.status_code == 202, response.text
    body = response.json()
    assert set(body) == {"pipelineId", "status", "stages", "assetId"}
    assert body["status"] == "queued"
    assert uuid.UUID(body["pipelineId"]).version == 4
    assert set(body["stages"]) == STAGES
    assert body["stages"]["textInput"]["status"] == "completed"
    uuid.UUID(body["assetId"])
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"quality": "extreme"}, "quality"),
        ({"tier": 9}, "tier"),
        ({"tier": "3"}, "tier"),  # strictly typed, as the original frontend was told
        ({"name": ""}, "name"),
        ({"enableRigging": "yes"}, "enableRigging"),
        ({"referenceImage": {"url": "ftp://example.com/a.png"}}, "referenceImage.url"),
        ({"materialPresets": [{"id": "bronze"}, {"id": "../steel"}]}, "materialPresets[1].id"),
        ({"riggingOptions": {"heightMeters": 100}}, "riggingOptions.heightMeters"),
        ({"metadata": {"note": "a\x00b"}}, "metadata"),
    ],
)
async def test_a_known_field_with_a_bad_value_is_a_422_naming_it(
    gateway: httpx.AsyncClient, cast: People, fields: dict[str, Any], named: str
) -> None:
    response = await gateway.post(PIPELINE, json={"name": "Bronze sword", **fields}, headers=cast.alice.headers)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "VALIDATION_ERROR"
    assert [f["field"] for f in body["fields"]] == [named]


async def test_a_missing_name_is_a_422_naming_it(gateway: httpx.AsyncClient, cast: People) -> None:
    response = await gateway.post(PIPELINE, json={"type": "weapon"}, headers=cast.alice.headers)
    assert response.status_code == 422, response.text
    assert [f["field"] for f in response.json()["fields"]] == ["name"]


async def test_unknown_fields_are_ignored(gateway: httpx.AsyncClient, cast: People) -> None:
    fields = {"name": "Oak shield", "type": "armor", "someFutureFlag": True, "legacy": {"x": [1, 2]}}
    accepted = await submit(gateway, cast.alice.headers, **fields)
    status = await status_of(gateway, accepted["pipelineId"], cast.alice.headers)
    assert status["config"]["name"] == "Oak shield"
    assert "someFutureFlag" not in status["config"]


async def test_an_idempotency_key_answers_the_same_pipeline_and_refuses_another_body(
    gateway: httpx.AsyncClient, cast: People
) -> None:
    key = {"Idempotency-Key": f"key-{uuid.uuid4()}"}
    body = {"name": "Iron axe", "type": "weapon"}
    first = await gateway.post(PIPELINE, json=body, headers={**cast.alice.headers, **key})
    again = await gateway.post(PIPELINE, json=body, headers={**cast.alice.headers, **key})
    assert (first.status_code, again.status_code) == (202, 202), (first.text, again.text)
    assert again.json()["pipelineId"] == first.json()["pipelineId"]
    other = await gateway.post(PIPELINE, json={**body, "name": "Steel axe"}, headers={**cast.alice.headers, **key})
    assert other.status_code == 409, other.text
    assert other.json()["error"] == "CONFLICT"
    # The key is the user's own: Bob's same key is another pipeline.
    bobs = await gateway.post(PIPELINE, json=body, headers={**cast.bob.headers, **key})
    assert bobs.status_code == 202
    assert bobs.json()["pipelineId"] != first.json()["pipelineId"]
    too_long = await gateway.post(PIPELINE, json=body, headers={**cast.alice.headers, "Idempotency-Key": "k" * 256})
    assert too_long.status_code == 422
    assert [f["field"] for f in too_long.json()["fields"]] == ["Idempotency-Key"]


async def test_a_pipeline_is_read_by_its_owner_and_an_admin_only(gateway: httpx.AsyncClient, cast: People) -> None:
    pipeline_id = (await submit(gateway, cast.alice.headers, type="weapon"))["pipelineId"]
    status = await until_state(gateway, pipeline_id, cast.alice.headers, "completed")
    assert status["id"] == pipeline_id
    assert set(status["stages"]) == STAGES
    assert {"config", "progress", "results", "createdAt", "updatedAt"} <= set(status)
    assert await status_of(gateway, pipeline_id, cast.admin.headers) == status
    url = f"{PIPELINE}/{pipeline_id}"
    for method, path in (
        ("GET", url),
        ("POST", f"{url}/cancel"),
        ("POST", f"{url}/retry"),
        ("GET", f"{url}/events"),
    ):
        response = await gateway.request(method, path, headers=cast.bob.headers)
        assert response.status_code == 404, f"{method} {path}: {response.text}"
        assert response.json()["error"] == "NOT_FOUND"
    assert (await gateway.get(f"{PIPELINE}/{uuid.uuid4()}", headers=cast.alice.headers)).status_code == 404


async def test_the_anonymous_get_401(gateway: httpx.AsyncClient) -> None:
    some = f"{PIPELINE}/{uuid.uuid4()}"
    for method, path in (
        ("POST", PIPELINE),
        ("GET", some),
        ("GET", "/api/generation/pipelines"),
        ("POST", f"{some}/cancel"),
        ("POST", f"{some}/retry"),
        ("GET", f"{some}/events"),
    ):
        response = await gateway.request(method, path, json={"name": "x"} if method == "POST" else None)
        assert response.status_code == 401, f"{method} {path}"
        assert response.headers["www-authenticate"].startswith("Bearer")


async def test_pipelines_are_listed_newest_first_for_their_owner(gateway: httpx.AsyncClient, cast: People) -> None:
    ids = [(await submit(gateway, cast.alice.headers, name=f"Item {n}"))["pipelineId"] for n in range(3)]
    for pipeline_id in ids:
        await until_state(gateway, pipeline_id, cast.alice.headers, "completed")
    page = await gateway.get("/api/generation/pipelines", params={"limit": 2}, headers=cast.alice.headers)
    assert page.status_code == 200, page.text
    assert [p["id"] for p in page.json()["pipelines"]] == ids[::-1][:2]
    rest = await gateway.get(
        "/api/generation/pipelines", params={"cursor": page.json()["nextCursor"]}, headers=cast.alice.headers
    )
    assert rest.json() == {"pipelines": [await status_of(gateway, ids[0], cast.alice.headers)], "nextCursor": None}
    done = await gateway.get("/api/generation/pipelines", params={"status": "completed"}, headers=cast.alice.headers)
    assert len(done.json()["pipelines"]) == 3
    queued = await gateway.get("/api/generation/pipelines", params={"status": "queued"}, headers=cast.alice.headers)
    assert queued.json()["pipelines"] == []
    assert (await gateway.get("/api/generation/pipelines", headers=cast.bob.headers)).json()["pipelines"] == []
    # An admin may list another user's; a member's ownerId is ignored.
    theirs = await gateway.get(
        "/api/generation/pipelines", params={"ownerId": cast.alice.id}, headers=cast.admin.headers
    )
    assert len(theirs.json()["pipelines"]) == 3
    peek = await gateway.get("/api/generation/pipelines", params={"ownerId": cast.alice.id}, headers=cast.bob.headers)
    assert peek.json()["pipelines"] == []
    for params, named in (({"status": "nope"}, "status"), ({"limit": 0}, "limit"), ({"limit": 201}, "limit")):
        bad = await gateway.get("/api/generation/pipelines", params=params, headers=cast.alice.headers)
        assert bad.status_code == 422, bad.text
        assert [f["field"] for f in bad.json()["fields"]] == [named]


async def test_a_finished_pipeline_is_neither_cancelled_nor_retried(gateway: httpx.AsyncClient, cast: People) -> None:
    """Cancelling and retrying a running one: test_pipeline_streams.py, on the slow stack."""
    pipeline_id = (await submit(gateway, cast.alice.headers))["pipelineId"]
    await until_state(gateway, pipeline_id, cast.alice.headers, "completed")
    for action in ("cancel", "retry"):
        response = await gateway.post(f"{PIPELINE}/{pipeline_id}/{action}", headers=cast.admin.headers)
        assert response.status_code == 409, response.text
        assert response.json()["error"] == "CONFLICT"


async def test_starting_pipelines_is_limited_to_ten_a_minute_per_user(
    environ: dict[str, str], privy: FakePrivy, database_url: str
) -> None:
    """The GENERATION bucket, counted before the body is read: ten refused bodies use it up.
    A trailing slash, a cancel or a retry lands in the same bucket."""
    env = {**environ, "DISABLE_RATE_LIMITING": "false", "RATE_LIMIT_MAX": "1000"}
    async with running_stack(env, names=("gateway",)) as own, httpx.AsyncClient(base_url=own["gateway"].url) as client:
        cast = await people_of(client, privy, database_url)
        answers = [(await client.post(PIPELINE, json={}, headers=cast.alice.headers)).status_code for _ in range(10)]
        assert answers == [422] * 10
        refused = await client.post(PIPELINE, json={"name": "x"}, headers=cast.alice.headers)
        assert refused.status_code == 429
        assert refused.json()["error"] == "RATE_LIMIT_EXCEEDED"
        assert refused.headers["x-ratelimit-limit"] == "10"
        assert (await client.post(f"{PIPELINE}/", json={"name": "x"}, headers=cast.alice.headers)).status_code == 429
        assert (await client.post(f"{PIPELINE}/{uuid.uuid4()}/retry", headers=cast.alice.headers)).status_code == 429
        # Per user: Bob still has his ten; reading is not limited by it.
        assert (await client.post(PIPELINE, json={}, headers=cast.bob.headers)).status_code == 422
        assert (await client.get("/api/generation/pipelines", headers=cast.alice.headers)).status_code == 200
