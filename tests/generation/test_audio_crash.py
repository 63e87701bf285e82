"""A generation process killed (SIGKILL) in the middle of a batch of audio jobs, with
ElevenLabs replaced by a fake on loopback: after a restart every voice line completes
once, and ElevenLabs was asked for each line exactly once (the lines made before the kill
are found in its history). A sound effect whose call was in flight cannot be found that
way, so its job fails saying so rather than paying a second time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.aio.client import Client
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout

from assetforge.common.contracts import assets as assets_contract
from assetforge.common.contracts import audio as contract
from assetforge.common.contracts import jobs as jobs_contract
from assetforge.common.db import migrations
from assetforge.common.devstack import EmbeddedNats, drop_database, ensure_database, free_port
from tests.generation.fakes.elevenlabs import FakeElevenLabs, serving
from tests.media.support import call
from tests.support import ENTRIES, ServiceProcess, running_stack, service_env, wait_until

pytestmark = pytest.mark.slow
ELEVENLABS_KEY = "xi-test-key"
SPEECH = "/v1/text-to-speech"
TERMINAL = {"completed", "failed", "cancelled"}


@dataclass
class AudioStack:
    nc: Client
    environ: dict[str, str]
    log: Path
    fake: FakeElevenLabs

    def generation(self) -> ServiceProcess:
        return ServiceProcess("generation", {**self.environ, "HTTP_PORT": str(free_port())}, self.log).start()


@pytest.fixture
async def audio_stack(tmp_path: Path, postgres_server_url: str) -> AsyncIterator[AudioStack]:
    server = EmbeddedNats(tmp_path / "nats").start()
    name = f"af_audio_{tmp_path.name[-12:].replace('-', '_')}"
    url = await ensure_database(postgres_server_url, name)
    try:
        for entry in ENTRIES.values():
            await asyncio.to_thread(migrations.upgrade, entry.migrations, url)
        async with serving(ELEVENLABS_KEY) as fake:
            environ = service_env(
                server.url,
                url,
                GENERATION_PROVIDER="auto",
                ELEVENLABS_API_KEY=ELEVENLABS_KEY,
                ELEVENLABS_BASE_URL=fake.url,
                GENERATION_ACK_WAIT_S="3",
            )
            async with running_stack(environ, names=("assets", "media")):
                nc = await nats.connect(server.url, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
                try:
                    yield AudioStack(nc, environ, tmp_path / "generation.log", fake)
                finally:
                    await nc.close()
    finally:
        server.stop()
        await drop_database(postgres_server_url, name)


async def _batch(nc: Client, owner: str, items: list[dict[str, Any]]) -> list[str] | None:
    try:
        reply = await call(nc, contract.AUDIO_BATCH, {"items": items}, owner)
    except (NoRespondersError, NatsTimeout):
        return None  # the service is still starting
    assert reply.ok, reply.body
    return [job["jobId"] for job in reply.body["jobs"]]


async def _ended(nc: Client, owner: str, job_id: str) -> dict[str, Any]:
    async def ended() -> dict[str, Any] | None:
        try:
            reply = await call(nc, jobs_contract.JOB_GET, {"id": job_id}, owner)
        except (NoRespondersError, NatsTimeout):
            return None
        return reply.body if reply.ok and reply.body["status"] in TERMINAL else None

    return await wait_until(ended, timeout=60)


async def _true(value: bool) -> bool:
    return value


async def test_a_batch_of_voice_lines_killed_mid_call_completes_with_one_call_per_line(
    audio_stack: AudioStack, owner: str
) -> None:
    fake = audio_stack.fake
    lines = [
        {"kind": "voice", "text": f"Line number {n}, spoken once.", "voiceId": "21m00Tcm4TlvDq8ikWAM"} for n in range(6)
    ]
    fake.hold = asyncio.Event()
    first = audio_stack.generation()
    try:
        ids = await wait_until(lambda: _batch(audio_stack.nc, owner, lines), timeout=30)
        # Every line is made and in the history; the answers are held and the process dies.
        await wait_until(lambda: _true(len(fake.calls_to(SPEECH)) == len(lines)), timeout=30)
    finally:
        first.kill()
    fake.hold.set()
    fake.hold = None
    second = audio_stack.generation()
    try:
        done = await asyncio.gather(*(_ended(audio_stack.nc, owner, job_id) for job_id in ids))
    finally:
        second.terminate()
    assert [job["status"] for job in done] == ["completed"] * len(lines), audio_stack.log.read_text()[-3000:]
    assert len(fake.calls_to(SPEECH)) == len(lines)
    assert len({job["results"]["fileUrl"] for job in done}) == len(lines)
    for asset_id in [job["results"]["assetId"] for job in done]:
        asset = await wait_until(lambda asset_id=asset_id: _asset(audio_stack.nc, owner, asset_id))
        assert asset["subtype"] == "voice"
        assert asset["metadata"]["audio"]["provider"] == "elevenlabs"


async def _asset(nc: Client, owner: str, asset_id: str) -> dict[str, Any] | None:
    reply = await call(nc, assets_contract.ASSET_GET, {"id": asset_id}, owner)
    return reply.body if reply.ok else None


async def test_a_sound_effect_whose_call_was_in_flight_fails_rather_than_paying_twice(
    audio_stack: AudioStack, owner: str
) -> None:
    fake = audio_stack.fake
    fake.hold = asyncio.Event()
    first = audio_stack.generation()
    try:
        effect = {"kind": "sfx", "text": "a distant thunderclap", "durationSeconds": 1.0}
        [job_id] = await wait_until(lambda: _batch(audio_stack.nc, owner, [effect]), timeout=30)
        await wait_until(lambda: _true(len(fake.calls_to("/v1/sound-generation")) == 1), timeout=30)
    finally:
        first.kill()
    fake.hold.set()
    fake.hold = None
    second = audio_stack.generation()
    try:
        done = await _ended(audio_stack.nc, owner, job_id)
    finally:
        second.terminate()
    assert done["status"] == "failed"
    assert "not asked again" in done["error"]
    assert len(fake.calls_to("/v1/sound-generation")) == 1
