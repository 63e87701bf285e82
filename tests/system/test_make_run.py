"""`make run` on a fresh machine: embedded NATS and PostgreSQL, migrations, four
services, ready; Ctrl-C stops it cleanly; a second run keeps the data."""

from __future__ import annotations

import asyncio
import os
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


async def test_the_stack_starts_from_nothing_stops_cleanly_and_keeps_its_data(tmp_path: Path) -> None:
    ports = {
        "PORT": str(free_port()),
        "ASSETS_HTTP_PORT": str(free_port()),
        "GENERATION_HTTP_PORT": str(free_port()),
        "MEDIA_HTTP_PORT": str(free_port()),
        "DEVSTACK_NATS_PORT": str(free_port()),
    }
    gateway = f"http://127.0.0.1:{ports['PORT']}"
    log = tmp_path / "stack.log"

    first = _start(tmp_path, ports, log)
    try:
        await wait_until(lambda: _ready(gateway), timeout=120, interval=0.5)
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
        assert [a["name"] for a in listed["assets"]] == ["kept blade"]
    finally:
        second.send_signal(signal.SIGINT)
        assert await asyncio.to_thread(second.wait, 60) == 0
