"""A generation process killed (SIGKILL) while a pipeline waits on Meshy: a new process
resumes the job, and Meshy is asked for the model exactly once — also when the process
died after Meshy made the task but before its answer was recorded. A NATS restart in the
middle of a pipeline loses nothing either."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout

from assetforge.common.db import migrations
from assetforge.common.devstack import EmbeddedNats, drop_database, ensure_database, free_port
from tests.generation.conftest import provider_env
from tests.generation.fakes.meshy import FakeMeshy
from tests.generation.fakes.openai import FakeOpenAI
from tests.generation.support import submit, until_done
from tests.media.support import call
from tests.support import ENTRIES, ServiceProcess, running_stack, wait_until

pytestmark = pytest.mark.slow


@dataclass
class CrashStack:
    nats: EmbeddedNats
    nc: Client
    environ: dict[str, str]
    log: Path

    def generation(self) -> ServiceProcess:
        return ServiceProcess("generation", {**self.environ, "HTTP_PORT": str(free_port())}, self.log).start()


@pytest.fixture
async def crash_stack(
    tmp_path: Path, postgres_server_url: str, fake_meshy: FakeMeshy, fake_openai: FakeOpenAI
) -> AsyncIterator[CrashStack]:
    server = EmbeddedNats(tmp_path / "nats").start()
    name = f"af_crash_{tmp_path.name[-12:].replace('-', '_')}"
    url = await ensure_database(postgres_server_url, name)
    try:
        for entry in ENTRIES.values():
            await asyncio.to_thread(migrations.upgrade, entry.migrations, url)
        environ = provider_env(server.url, url, fake_meshy, fake_openai)
        async with running_stack(environ, names=("assets", "media")):
            nc = await nats.connect(server.url, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
            try:
                yield CrashStack(server, nc, environ, tmp_path / "generation.log")
            finally:
                await nc.close()
    finally:
        server.stop()
        await drop_database(postgres_server_url, name)


async def _in_image3d(nc: Client, owner: str, pipeline_id: str) -> bool:
    try:
        reply = await call(nc, "generation.v1.pipeline.get", {"id": pipeline_id}, owner)
    except (NoRespondersError, NatsTimeout):
        return False
    return reply.ok and reply.body["stages"]["image3D"]["status"] == "processing"


async def test_a_killed_runner_resumes_polling_the_task_it_made(
    crash_stack: CrashStack, fake_meshy: FakeMeshy, owner: str
) -> None:
    fake_meshy.polls_to_finish = 1_000_000
    creates = fake_meshy.creates["image-to-3d"]
    first = crash_stack.generation()
    try:
        accepted = await wait_until(lambda: _submitted(crash_stack.nc, owner), timeout=30)
        pipeline_id = accepted["pipelineId"]
        await wait_until(lambda: _in_image3d(crash_stack.nc, owner, pipeline_id), timeout=30)
        polls = fake_meshy.polls
        await wait_until(lambda: _true(fake_meshy.polls > polls + 2), timeout=30)
    finally:
        first.kill()
    fake_meshy.polls_to_finish = 2
    second = crash_stack.generation()
    try:
        done = await until_done(crash_stack.nc, owner, pipeline_id, timeout=60)
    finally:
        second.terminate()
    assert done["status"] == "completed", (done, crash_stack.log.read_text()[-3000:])
    # One create: the task made before the kill, polled again after it.
    assert fake_meshy.creates["image-to-3d"] == creates + 1


async def test_a_runner_killed_before_it_recorded_the_task_adopts_it(
    crash_stack: CrashStack, fake_meshy: FakeMeshy, owner: str
) -> None:
    fake_meshy.polls_to_finish = 2
    fake_meshy.hold_create = asyncio.Event()
    creates, made = fake_meshy.creates["image-to-3d"], len(fake_meshy.tasks)
    first = crash_stack.generation()
    try:
        accepted = await wait_until(lambda: _submitted(crash_stack.nc, owner), timeout=30)
        pipeline_id = accepted["pipelineId"]
        # Meshy has made the task; its answer is held back, and the process dies waiting.
        await wait_until(lambda: _true(len(fake_meshy.tasks) > made), timeout=30)
    finally:
        first.kill()
    fake_meshy.hold_create.set()
    fake_meshy.hold_create = None
    second = crash_stack.generation()
    try:
        done = await until_done(crash_stack.nc, owner, pipeline_id, timeout=60)
    finally:
        second.terminate()
    assert done["status"] == "completed", (done, crash_stack.log.read_text()[-3000:])
    assert fake_meshy.creates["image-to-3d"] == creates + 1
    assert len(fake_meshy.tasks) == made + 1


async def test_a_nats_restart_mid_pipeline_loses_nothing(
    crash_stack: CrashStack, fake_meshy: FakeMeshy, owner: str
) -> None:
    fake_meshy.polls_to_finish = 1_000_000
    creates = fake_meshy.creates["image-to-3d"]
    runner = crash_stack.generation()
    try:
        accepted = await wait_until(lambda: _submitted(crash_stack.nc, owner), timeout=30)
        pipeline_id = accepted["pipelineId"]
        await wait_until(lambda: _in_image3d(crash_stack.nc, owner, pipeline_id), timeout=30)
        crash_stack.nats.stop()
        await asyncio.sleep(1.0)
        crash_stack.nats.start()
        fake_meshy.polls_to_finish = 2
        done = await until_done(crash_stack.nc, owner, pipeline_id, timeout=60)
    finally:
        runner.terminate()
    assert done["status"] == "completed", (done, crash_stack.log.read_text()[-3000:])
    # The task made before the restart was polled on after it, not made again.
    assert fake_meshy.creates["image-to-3d"] == creates + 1


async def _submitted(nc: Client, owner: str) -> dict[str, object] | None:
    try:
        reply = await submit(nc, owner)
    except NoRespondersError:  # the process is still starting
        return None
    return reply.body if reply.ok else None


async def _true(value: bool) -> bool:
    return value
