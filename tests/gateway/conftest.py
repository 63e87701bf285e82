"""Fixtures of the gateway's tests."""

from __future__ import annotations

import uuid

import httpx
import nats
import pytest

from assetforge.common.devstack import EmbeddedNats
from tests.gateway.openapi_document import Caller
from tests.helpers import create_asset, scalar
from tests.privy import FakePrivy, bearer
from tests.support import RunningService, wait_until


async def _finished(client: httpx.AsyncClient, pipeline_id: str) -> bool:
    status = await client.get(f"/api/generation/pipeline/{pipeline_id}")
    return status.status_code == 200 and status.json()["status"] == "completed"


@pytest.fixture(scope="module")
async def caller(
    stack: dict[str, RunningService], privy: FakePrivy, database_url: str, nats_server: EmbeddedNats
) -> Caller:
    admin = f"did:privy:fuzz-{uuid.uuid4().hex[:10]}"
    member_id = uuid.uuid4()
    for user_id, subject, role in ((uuid.uuid4(), admin, "admin"), (member_id, f"{admin}-member", "member")):
        await scalar(
            database_url,
            "INSERT INTO gateway.users (id, privy_user_id, role) VALUES (:i, :s, :r) RETURNING 1",
            i=user_id,
            s=subject,
            r=role,
        )
    async with httpx.AsyncClient(base_url=stack["gateway"].url, headers=bearer(privy.token(admin))) as client:
        key = await client.post("/api/users/api-keys", json={"name": "fuzzed"})
        assert key.status_code == 201, key.text
        me = (await client.get("/api/users/me")).json()["user"]
        project = await client.post("/api/projects", json={"name": "fuzzed project"})
        assert project.status_code == 201, project.text
        project_id = project.json()["project"]["id"]
        ends = {"sourceType": "project", "sourceId": project_id, "targetType": "npc", "targetId": "fuzzed-npc"}
        link = await client.post("/api/relationships", json={**ends, "relationshipType": "related_to"})
        assert link.status_code == 201, link.text
        worlds = [
            await client.post("/api/world-config", json={"name": name, "isTemplate": template})
            for name, template in (("fuzzed world", False), ("fuzzed template", True))
        ]
        assert [w.status_code for w in worlds] == [201, 201], [w.text for w in worlds]
        preset = await client.post("/api/material-presets/custom", json={"displayName": "Fuzz", "stylePrompt": "fuzz"})
        assert preset.status_code == 201, preset.text
        # A finished pipeline: its streams replay and end, and cancel and retry leave it as it is.
        pipeline = await client.post("/api/generation/pipeline", json={"name": "fuzzed pipeline"})
        assert pipeline.status_code == 202, pipeline.text
        pipeline_id = pipeline.json()["pipelineId"]
        await wait_until(lambda: _finished(client, pipeline_id), timeout=30)
        # A finished audio job: its event stream replays and ends.
        effect = await client.post("/api/sfx/generate", json={"text": "fuzzed thud", "durationSeconds": 0.5})
        assert effect.status_code == 200, effect.text
        jobs = (await client.get("/api/generation/jobs", params={"kind": "sfx", "limit": 1})).json()["jobs"]
    nc = await nats.connect(nats_server.url)
    try:
        asset = await create_asset(nc, me["id"], name="fuzzed blade", tags=["fuzz"])
    finally:
        await nc.close()
    resources = {"user_id": str(member_id), "key_id": key.json()["keyId"], "asset_id": asset["id"]}
    # A file route names the asset and a path in it: a sweep of one needs the other.
    resources["file_path"] = "thumbnail.png"
    # The projects and relationships routes: a project, and a link from it (so its graph is not empty).
    link_id = link.json()["relationship"]["id"]
    resources |= {"project_id": project_id, "entity_id": project_id, "relationship_id": link_id}
    # The world-config routes (a config, a template) and the material-preset ones (a custom preset).
    config_id, template_id = (w.json()["config"]["id"] for w in worlds)
    resources |= {"config_id": config_id, "template_id": template_id, "preset_id": preset.json()["id"]}
    resources["pipeline_id"] = pipeline_id
    resources["job_id"] = jobs[0]["id"]
    return Caller(admin, privy, resources)
