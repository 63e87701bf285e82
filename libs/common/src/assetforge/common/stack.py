"""``make run``: the whole system on one machine.

Starts (or reuses, when ``NATS_URL`` / ``DATABASE_URL`` are set) NATS and PostgreSQL,
applies every service's migrations, starts the four services with their output
prefixed by name, waits until the gateway is ready, and on Ctrl-C stops the services
gracefully before the servers they depend on.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from pathlib import Path

import httpx

from assetforge.common.devstack import EmbeddedNats, EmbeddedPostgres, ensure_database, port_is_free

SERVICES = ("gateway", "assets", "generation", "media")
# Every service reads HTTP_PORT (the gateway reads PORT); on one machine each needs its
# own, so <SERVICE>_HTTP_PORT overrides these defaults for `make run`.
HTTP_PORTS = {"assets": 3011, "generation": 3012, "media": 3013}
# Every service reads HTTP_PORT (the gateway reads PORT); on one machine each needs its
# own, so <SERVICE>_HTTP_PORT overrides these defaults for `make run`.
HTTP_PORTS = {"assets": 3011, "generation": 3012, "media": 3013}
COLORS = {"gateway": "36", "assets": "32", "generation": "35", "media": "33"}
DATABASE = "assetforge"
DEFAULT_NATS_PORT = 4322


def _say(text: str) -> None:
    label = "\033[1m[stack]\033[0m" if sys.stdout.isatty() else "[stack]"
    print(f"{label} {text}", flush=True)


async def _pipe(name: str, stream: asyncio.StreamReader) -> None:
    prefix = f"\033[{COLORS[name]}m[{name:<10}]\033[0m " if sys.stdout.isatty() else f"[{name:<10}] "
    while line := await stream.readline():
        sys.stdout.write(prefix + line.decode(errors="replace"))
        sys.stdout.flush()


async def _migrate(env: dict[str, str]) -> None:
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            f"assetforge.{name}",
            "migrate",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        for name in SERVICES
    ]
    outputs = await asyncio.gather(*(p.communicate() for p in processes))
    for name, process, (output, _) in zip(SERVICES, processes, outputs, strict=True):
        if process.returncode != 0:
            sys.stdout.write(output.decode(errors="replace"))
            raise SystemExit(f"migrations of {name} failed")
    _say("migrations applied for " + ", ".join(SERVICES))


async def _wait_ready(url: str, processes: list[asyncio.subprocess.Process], timeout: float = 90.0) -> bool:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if any(p.returncode is not None for p in processes):
                return False
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"{url}/api/health/ready")).status_code == 200:
                    return True
            await asyncio.sleep(0.5)
    return False


async def _stop(processes: list[asyncio.subprocess.Process], timeout: float = 30.0) -> None:
    for process in processes:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(asyncio.gather(*(p.wait() for p in processes)), timeout)
    except TimeoutError:
        for process in processes:
            if process.returncode is None:
                process.kill()


async def run_stack(root: Path) -> int:
    data = root / ".data"
    nats: EmbeddedNats | None = None
    postgres: EmbeddedPostgres | None = None
    env = dict(os.environ)
    env.setdefault("NODE_ENV", "development")
    # Sign in with `make token` (local ES256 keys under .data/dev-auth) unless Privy is configured.
    if not env.get("PRIVY_APP_ID") and env["NODE_ENV"] != "production":
        env.setdefault("AUTH_MODE", "dev")
        env.setdefault("DEV_AUTH_DIR", str(data / "dev-auth"))
    try:
        if not env.get("NATS_URL"):
            port = int(env.get("DEVSTACK_NATS_PORT", DEFAULT_NATS_PORT))
            nats = EmbeddedNats(data / "nats", port if port_is_free(port) else None, log_file=data / "nats.log")
            nats.start()
            env["NATS_URL"] = nats.url
            _say(f"NATS (JetStream) at {nats.url}, data in .data/nats")
        else:
            _say(f"using NATS at {env['NATS_URL']}")
        if not env.get("DATABASE_URL"):
            postgres = EmbeddedPostgres(data / "postgres").start()
            env["DATABASE_URL"] = await ensure_database(postgres.url(), DATABASE)
            _say("PostgreSQL in .data/postgres (Unix socket), database " + DATABASE)
        else:
            _say("using the PostgreSQL of DATABASE_URL")
        await _migrate(env)
        return await _serve(env)
    finally:
        if nats is not None:
            nats.stop()
        if postgres is not None:
            postgres.stop()
        _say("stopped")


async def _serve(env: dict[str, str]) -> int:
    processes = []
    pipes = []
    for name in SERVICES:
        child_env = dict(env)
        if name in HTTP_PORTS:
            child_env["HTTP_PORT"] = env.get(f"{name.upper()}_HTTP_PORT", str(HTTP_PORTS[name]))
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            f"assetforge.{name}",
            env=child_env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            # Own session: Ctrl-C reaches only this process, which stops the services in order.
            start_new_session=True,
        )
        processes.append(process)
        if process.stdout is not None:
            pipes.append(asyncio.create_task(_pipe(name, process.stdout)))
    gateway = f"http://localhost:{env.get('PORT', '3004')}"
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if await _wait_ready(gateway, processes):
        _say(f"ready: gateway {gateway}  |  Swagger UI {gateway}/swagger  |  Ctrl-C stops everything")
    else:
        _say("the stack did not become ready; see the service output above")
        stop.set()
    # Run until Ctrl-C, or until any service exits on its own.
    watchers = [asyncio.create_task(stop.wait()), *(asyncio.create_task(p.wait()) for p in processes)]
    await asyncio.wait(watchers, return_when=asyncio.FIRST_COMPLETED)
    _say("stopping services")
    await _stop(processes)
    await asyncio.gather(*pipes, return_exceptions=True)
    failed = [n for n, p in zip(SERVICES, processes, strict=True) if p.returncode not in (0, -signal.SIGTERM)]
    return 1 if failed else 0


def main() -> None:
    root = Path(os.environ.get("ASSETFORGE_ROOT", Path.cwd()))
    raise SystemExit(asyncio.run(run_stack(root)))


if __name__ == "__main__":
    main()
