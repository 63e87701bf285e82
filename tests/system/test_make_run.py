"""`make run` on a fresh machine: embedded NATS and PostgreSQL, migrations, four
services, ready; Ctrl-C stops it cleanly; a second run keeps the data; a service that
dies is restarted; one that cannot start stops the stack with a clear message."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import msgspec
import nats
import pytest

from assetforge.common.contracts import assets as contract
from assetforge.common.contracts import headers as h
from assetforge.common.devstack import free_port
from tests.support import ROOT, wait_until

pytestmark = pytest.mark.slow


async def _said(log: Path, text: str) -> bool:
    return text in await asyncio.to_thread(log.read_text, errors="replace")


async def _ready(url: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            return (await client.get(f"{url}/api/health/ready")).status_code == 200
    except httpx.HTTPError:
        return False


def _start(root: Path, ports: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in {"NATS_URL", "DATABASE_URL"}}
    env.update(ports, ASSETFORGE_ROOT=str(root), NODE_ENV="development")
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "assetforge.common.stack"], env=env, stdout=out, stderr=out, cwd=ROOT
        )


def _ports() -> dict[str, str]:
    names = ("PORT", "ASSETS_HTTP_PORT", "GENERATION_HTTP_PORT", "MEDIA_HTTP_PORT", "DEVSTACK_NATS_PORT")
    return {name: str(free_port()) for name in names}


def _pids(log: Path, service: str) -> list[int]:
    """Every pid the stack reported for ``service``, oldest first."""
    pattern = rf"\[stack\] {service} started \(pid (\d+)\)"
    return [int(pid) for pid in re.findall(pattern, log.read_text(errors="replace"))]


async def test_the_stack_starts_from_nothing_stops_cleanly_and_keeps_its_data(tmp_path: Path) -> None:
    ports = _ports()
    gateway = f"http://127.0.0.1:{ports['PORT']}"
    log = tmp_path / "stack.log"

    first = _start(tmp_path, ports, log)
    try:
        await wait_until(lambda: _ready(gateway), timeout=120, interval=0.5)
        # What a person waits for: the stack's own line (it polls on its own schedule).
        await wait_until(lambda: _said(log, "Swagger UI"), timeout=10, interval=0.1)
        async with httpx.AsyncClient() as client:
            checks = (await client.get(f"{gateway}/api/health/ready")).json()["checks"]
        assert all(checks.values()), checks
        nc = await nats.connect(f"nats://127.0.0.1:{ports['DEVSTACK_NATS_PORT']}")
        body = msgspec.json.encode({"name": "kept blade", "type": "weapon", "visibility": "public"})
        reply = await nc.request(contract.ASSET_CREATE, body, timeout=5, headers={h.USER_ID: "did:privy:stack"})
        await nc.close()
        assert not reply.headers, reply.data
    finally:
        first.send_signal(signal.SIGINT)
        status = await asyncio.to_thread(first.wait, 60)
    output = log.read_text(errors="replace")
    assert status == 0, output[-3000:]
    assert "Swagger UI" in output
    assert "[stack] stopped" in output
    assert (tmp_path / ".data" / "postgres" / "PG_VERSION").exists()

    second = _start(tmp_path, ports, log)
    try:
        await wait_until(lambda: _ready(gateway), timeout=120, interval=0.5)
        async with httpx.AsyncClient() as client:
            listed = (await client.get(f"{gateway}/api/assets", params={"ownerId": "did:privy:stack"})).json()
        assert [a["name"] for a in listed] == ["kept blade"]
    finally:
        second.send_signal(signal.SIGINT)
        assert await asyncio.to_thread(second.wait, 60) == 0


async def test_a_killed_service_is_restarted_and_the_stack_keeps_running(tmp_path: Path) -> None:
    ports = _ports()
    gateway = f"http://127.0.0.1:{ports['PORT']}"
    log = tmp_path / "stack.log"

    stack = _start(tmp_path, ports, log)
    try:
        await wait_until(lambda: _ready(gateway), timeout=120, interval=0.5)
        [pid] = _pids(log, "assets")
        os.kill(pid, signal.SIGKILL)

        async def restarted() -> bool:
            return len(_pids(log, "assets")) == 2

        await wait_until(restarted, timeout=30, interval=0.2)
        assert stack.poll() is None, log.read_text(errors="replace")[-3000:]
        await wait_until(lambda: _ready(gateway), timeout=60, interval=0.5)
    finally:
        stack.send_signal(signal.SIGINT)
        status = await asyncio.to_thread(stack.wait, 60)
    output = log.read_text(errors="replace")
    assert "[stack] assets exited with status -9 (signal SIGKILL); restarting in 0.5 s (restart 1)" in output
    assert status == 0, output[-3000:]
    assert "[stack] stopped" in output


async def test_a_service_that_cannot_start_stops_the_stack_with_a_clear_message(tmp_path: Path) -> None:
    # Only the media service reads this port, and it refuses to start with it every time.
    ports = {**_ports(), "MEDIA_HTTP_PORT": "not-a-port"}
    log = tmp_path / "stack.log"

    stack = _start(tmp_path, ports, log)
    try:
        status = await asyncio.to_thread(stack.wait, 100)
    finally:
        if stack.poll() is None:
            stack.send_signal(signal.SIGINT)
            stack.wait(60)
    output = log.read_text(errors="replace")
    said = "\n".join(line for line in output.splitlines() if line.startswith(("[stack]", "[media")))
    assert status == 1, said
    assert "[stack] media exited with status 2; restarting in 0.5 s (restart 1)" in output, said
    assert "[stack] media keeps dying at start-up: it exited 5 times in a row" in output
    assert "HTTP_PORT" in output.split("keeps dying at start-up")[1]
    assert "[stack] stopped" in output
    assert len(_pids(log, "assets")) == 1
