"""``make run``: the whole system on one machine.

Starts (or reuses, when ``NATS_URL`` / ``DATABASE_URL`` are set) NATS and PostgreSQL,
applies every service's migrations, starts the four services with their output
prefixed by name, says when the gateway is ready, and on Ctrl-C stops the services
gracefully before the servers they depend on.

A service that dies is started again after a growing pause (``Backoff``); one that
keeps dying at start-up stops the stack, since retrying would only bury its error.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import httpx

from assetforge.common.devstack import EmbeddedNats, EmbeddedPostgres, ensure_database, port_is_free
from assetforge.common.entries import SERVICES, service_entries
from assetforge.common.settings import SettingsError
from assetforge.common.stack_settings import StackSettings, load_stack_settings

COLORS = {"gateway": "36", "assets": "32", "generation": "35", "media": "33"}
DATABASE = "assetforge"


def _say(text: str) -> None:
    label = "\033[1m[stack]\033[0m" if sys.stdout.isatty() else "[stack]"
    print(f"{label} {text}", flush=True)


def _prefix(name: str) -> str:
    return f"\033[{COLORS.get(name, '0')}m[{name:<10}]\033[0m " if sys.stdout.isatty() else f"[{name:<10}] "


def describe_exit(status: int) -> str:
    """``status 2``, or ``status -9 (signal SIGKILL)`` for a process ended by a signal."""
    if status < 0:
        with contextlib.suppress(ValueError):
            return f"status {status} (signal {signal.Signals(-status).name})"
    return f"status {status}"


@dataclass(slots=True)
class Backoff:
    """When to start a service again after it exited: the pause, or None to give up.

    The pause doubles from ``first_s`` to ``cap_s`` with each exit in a row sooner than
    ``stable_s`` after the start; a run that long resets it. ``give_up_after`` such exits
    of a service that never ran that long mean it cannot start (its configuration, most
    likely); one that did is waiting for something it needs, so it is always retried.
    """

    first_s: float = 0.5
    cap_s: float = 10.0
    stable_s: float = 30.0
    give_up_after: int = 5
    quick_exits: int = 0
    ever_stable: bool = False

    def after_exit(self, uptime_s: float) -> float | None:
        if uptime_s >= self.stable_s:
            self.quick_exits, self.ever_stable = 0, True
        self.quick_exits += 1
        if not self.ever_stable and self.quick_exits >= self.give_up_after:
            return None
        return min(self.cap_s, self.first_s * 2.0 ** min(self.quick_exits - 1, 32))


class Supervisor:
    """Keeps one service running until ``stopping`` is set, then stops it gracefully.

    ``run`` returns only once the stack is stopping: it sets ``stopping`` itself when it
    gives up on the service (``gave_up``) or fails, so no service is left unwatched.
    """

    stop_timeout_s = 30.0  # for a graceful stop, before the service is killed

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        env: Mapping[str, str],
        stopping: asyncio.Event,
        *,
        backoff: Backoff | None = None,
    ) -> None:
        self.name = name
        self._argv = list(argv)
        self._env = dict(env)
        self._stopping = stopping
        self._backoff = backoff or Backoff()
        self._tail: deque[str] = deque(maxlen=20)  # the latest run's last lines, shown on giving up
        self.restarts = 0
        self.gave_up = False
        # False when the service had to be killed, or ended badly, while being stopped.
        self.stopped_cleanly = True

    async def run(self) -> None:
        try:
            while not self._stopping.is_set():
                started = time.monotonic()
                status = await self._run_once()
                if status is None:
                    return
                delay = self._backoff.after_exit(time.monotonic() - started)
                if delay is None:
                    self._give_up(status)
                    return
                self.restarts += 1
                _say(
                    f"{self.name} exited with {describe_exit(status)}; "
                    f"restarting in {delay:.1f} s (restart {self.restarts})"
                )
                # Ctrl-C during the pause ends it at once.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), delay)
        finally:
            self._stopping.set()

    async def _run_once(self) -> int | None:
        """Start the service and wait: its exit status, or None once stopped on request."""
        self._tail.clear()
        process = await asyncio.create_subprocess_exec(
            *self._argv,
            env=self._env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            # Own session: Ctrl-C reaches only the stack, which stops the services in order.
            start_new_session=True,
        )
        _say(f"{self.name} started (pid {process.pid})")
        if process.stdout is None:
            raise RuntimeError("the service's output is not piped")
        pipe = asyncio.create_task(self._pipe(process.stdout))
        exited = asyncio.create_task(process.wait())
        stop = asyncio.create_task(self._stopping.wait())
        await asyncio.wait((exited, stop), return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        stopped = self._stopping.is_set()
        if stopped:
            await self._stop(process)
        await pipe
        return None if stopped else exited.result()

    async def _stop(self, process: asyncio.subprocess.Process) -> None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), self.stop_timeout_s)
        except TimeoutError:
            _say(f"{self.name} did not stop within {self.stop_timeout_s:.0f} s; killing it")
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        self.stopped_cleanly = process.returncode in (0, -signal.SIGTERM)

    async def _pipe(self, stream: asyncio.StreamReader) -> None:
        prefix = _prefix(self.name)
        while line := await stream.readline():
            text = line.decode(errors="replace")
            self._tail.append(text)
            print(prefix + text, end="", flush=True)

    def _give_up(self, status: int) -> None:
        self.gave_up = True
        backoff = self._backoff
        _say(
            f"{self.name} keeps dying at start-up: it exited {backoff.quick_exits} times in a row, never up for "
            f"{backoff.stable_s:.0f} s (last: {describe_exit(status)}); stopping the stack"
        )
        _say(f"the last lines {self.name} wrote:")
        print("".join(_prefix(self.name) + line for line in self._tail), end="", flush=True)


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


async def _announce_ready(url: str, patience_s: float = 90.0) -> None:
    """Say when the gateway first answers ready, and if that takes unusually long."""
    deadline = time.monotonic() + patience_s
    warned = False
    async with httpx.AsyncClient(timeout=2.0) as client:
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"{url}/api/health/ready")).status_code == 200:
                    _say(f"ready: gateway {url}  |  Swagger UI {url}/swagger  |  Ctrl-C stops everything")
                    return
            if not warned and time.monotonic() > deadline:
                _say(f"not ready after {patience_s:.0f} s; still waiting (see the service output above)")
                warned = True
            await asyncio.sleep(0.5)


async def run_stack(settings: StackSettings) -> int:
    data = settings.root / ".data"
    nats: EmbeddedNats | None = None
    postgres: EmbeddedPostgres | None = None
    env = dict(settings.environ)
    try:
        if settings.nats_url is None:
            port = settings.nats_port
            nats = EmbeddedNats(data / "nats", port if port_is_free(port) else None, log_file=data / "nats.log")
            nats.start()
            env["NATS_URL"] = nats.url
            _say(f"NATS (JetStream) at {nats.url}, data in .data/nats")
        else:
            _say(f"using NATS at {env['NATS_URL']}")
        if settings.database_url is None:
            postgres = EmbeddedPostgres(data / "postgres").start()
            env["DATABASE_URL"] = await ensure_database(postgres.url(), DATABASE)
            _say("PostgreSQL in .data/postgres (Unix socket), database " + DATABASE)
        else:
            _say("using the PostgreSQL of DATABASE_URL")
        await _migrate(env)
        return await _serve(env, settings.ports)
    finally:
        if nats is not None:
            nats.stop()
        if postgres is not None:
            postgres.stop()
        _say("stopped")


async def _serve(env: dict[str, str], ports: Mapping[str, tuple[str, str]]) -> int:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    supervisors = []
    for name, (variable, port) in ports.items():
        child_env = {**env, variable: port}
        supervisors.append(Supervisor(name, [sys.executable, "-m", f"assetforge.{name}"], child_env, stopping))
    runs = [asyncio.create_task(s.run()) for s in supervisors]
    announcer = asyncio.create_task(_announce_ready(f"http://localhost:{ports['gateway'][1]}"))
    # Runs until Ctrl-C, or until a supervisor gives up (or fails) and sets `stopping`.
    await stopping.wait()
    _say("stopping services")
    announcer.cancel()
    for outcome in await asyncio.gather(*runs, return_exceptions=True):
        if isinstance(outcome, BaseException):
            raise outcome
    return 0 if all(s.stopped_cleanly and not s.gave_up for s in supervisors) else 1


def main() -> None:
    try:
        settings = load_stack_settings(service_entries())
    except SettingsError as error:
        raise SystemExit(f"make run: {error}") from error
    raise SystemExit(asyncio.run(run_stack(settings)))


if __name__ == "__main__":
    main()
