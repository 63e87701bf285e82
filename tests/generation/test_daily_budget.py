"""GENERATION_DAILY_CREDITS: work that would pass a user's daily budget is refused with
QUOTA_EXCEEDED before any provider is called, and the usage says what was spent."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.generation.conftest import ProviderStack, own_provider_stack
from tests.generation.fakes.meshy import FakeMeshy
from tests.generation.fakes.openai import FakeOpenAI
from tests.generation.support import submit, until_done
from tests.media.support import call

# A weapon pipeline (no retexture, no rig) is expected to cost 36 credits; 2 s of sound 80.
BUDGET = 100


@pytest.fixture(scope="module")
async def budget_stack(
    tmp_path_factory: pytest.TempPathFactory, postgres_server_url: str, fake_meshy: FakeMeshy, fake_openai: FakeOpenAI
) -> AsyncIterator[ProviderStack]:
    async with own_provider_stack(
        tmp_path_factory.mktemp("budget-nats"),
        postgres_server_url,
        fake_meshy,
        fake_openai,
        GENERATION_DAILY_CREDITS=str(BUDGET),
    ) as stack:
        yield stack


async def test_work_over_the_budget_is_refused_before_any_provider_call(
    budget_stack: ProviderStack, fake_meshy: FakeMeshy, owner: str
) -> None:
    nc = budget_stack.nc
    fresh = await call(nc, "generation.v1.usage.get", {}, owner)
    assert fresh.body["creditsUsed"] == 0
    assert fresh.body["dailyCredits"] == BUDGET
    first = await submit(nc, owner, description="a rusty longsword")
    second = await submit(nc, owner, description="a rusty longsword")
    assert first.ok, first.body
    assert second.ok, second.body
    for accepted in (first, second):
        assert (await until_done(nc, owner, accepted.body["pipelineId"]))["status"] == "completed"
    creates = fake_meshy.creates["image-to-3d"]
    refused = await submit(nc, owner, description="a third sword")
    assert refused.code == "QUOTA_EXCEEDED", refused.body
    assert "28 of your 100" in refused.body["message"]
    effect = {"request": {"kind": "sfx", "text": "a clang", "durationSeconds": 2}}
    assert (await call(nc, "generation.v1.audio.submit", effect, owner)).code == "QUOTA_EXCEEDED"
    assert fake_meshy.creates["image-to-3d"] == creates
    spent = await call(nc, "generation.v1.usage.get", {}, owner)
    assert (spent.body["creditsUsed"], spent.body["remaining"]) == (72, 28)
    small = {"request": {"kind": "voice", "text": "Hi.", "voiceId": "v"}}
    assert (await call(nc, "generation.v1.audio.submit", small, owner)).ok
    other = await call(nc, "generation.v1.usage.get", {}, "did:privy:someone-else-entirely")
    assert other.body["creditsUsed"] == 0
