"""Helpers for tests that run the real services in-process or as processes."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from assetforge.assets.app import ENTRY as ASSETS
from assetforge.common.cli import ServiceEntry
from assetforge.common.runtime import ServiceRuntime
from assetforge.common.serve import listen, server_config
from assetforge.gateway.app import ENTRY as GATEWAY
from assetforge.generation.app import ENTRY as GENERATION
from assetforge.media.app import ENTRY as MEDIA

ROOT = Path(__file__).resolve().parent.parent
ENTRIES: dict[str, ServiceEntry[Any]] = {e.name: e for e in (GATEWAY, ASSETS, GENERATION, MEDIA)}


def service_env(nats_url: str, database_url: str, **extra: str) -> dict[str, str]:
    # Rate limiting is off for the shared stack (every test calls from 127.0.0.1);
    # the rate-limit tests start gateways of their own with it on.
    return {
        "NODE_ENV": "test",
        "NATS_URL": nats_url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "INFO",
        "DISABLE_RATE_LIMITING": "true",
        # Pipelines use the offline provider, polled briskly; tests that need a real
        # client point one at a fake provider in a service of their own.
        "GENERATION_PROVIDER": "offline",
        "GENERATION_POLL_INITIAL_S": "0.05",
        "GENERATION_POLL_MAX_S": "0.2",
        **extra,
    }


class _QuietServer(uvicorn.Server):
    """uvicorn without signal handlers: several run in one test process."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class RunningService:
    name: str
    runtime: ServiceRuntime
    url: str
    server: uvicorn.Server
    task: asyncio.Task[None]

    async def stop(self) -> None:
        self.server.should_exit = True
        await asyncio.wait_for(self.task, timeout=30)


@dataclass
class ServedApp:
    url: str
    server: uvicorn.Server
    task: asyncio.Task[None]

    async def stop(self) -> None:
        self.server.should_exit = True
        await asyncio.wait_for(self.task, timeout=30)


async def serve_asgi(app: Any) -> ServedApp:
    """Any ASGI app (a fake third-party provider, say) on a free loopback port."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_config=None, access_log=False)
    server = _QuietServer(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    return ServedApp(f"http://127.0.0.1:{port}", server, task)


async def start_service(name: str, environ: Mapping[str, str]) -> RunningService:
    """Run a service's real app (runtime, probes, routes) under uvicorn on a free port."""
    entry = ENTRIES[name]
    settings = entry.load_settings(environ)
    runtime = entry.create_runtime(settings)
    app = entry.create_app(settings, runtime)
    # serve()'s own configuration and sockets, on a free loopback port.
    http = dataclasses.replace(settings.http, host="127.0.0.1", port=0)
    server = _QuietServer(server_config(app, http))
    task = asyncio.create_task(server.serve(sockets=listen(http)))
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError(f"{name} stopped during start-up")
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    return RunningService(name, runtime, f"http://127.0.0.1:{port}", server, task)


@contextlib.asynccontextmanager
async def running_stack(
    environ: Mapping[str, str], names: tuple[str, ...] = ("assets", "generation", "media", "gateway")
) -> AsyncIterator[dict[str, RunningService]]:
    services: dict[str, RunningService] = {}
    try:
        for name in names:
            services[name] = await start_service(name, environ)
        yield services
    finally:
        for service in reversed(list(services.values())):
            await service.stop()


async def wait_until(predicate: Any, timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Poll an async predicate until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value: {value!r})")
        await asyncio.sleep(interval)


async def ready_is(client: httpx.AsyncClient, expected: int) -> bool:
    try:
        return (await client.get("/api/health/ready")).status_code == expected
    except httpx.HTTPError:
        return False


class ServiceProcess:
    """A service as a real OS process (``python -m assetforge.<name>``)."""

    def __init__(self, name: str, environ: Mapping[str, str], log_path: Path) -> None:
        self.name = name
        self.environ = {**os.environ, **environ}
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServiceProcess:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"assetforge.{self.name}"], env=self.environ, stdout=log, stderr=log, cwd=ROOT
        )
        return self

    def terminate(self, timeout: float = 30.0) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")
