"""What every benchmark here shares: a temporary directory whose processes are always
stopped, the embedded NATS and PostgreSQL, the four services with migrations applied, and
a description of the machine the figures come from."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import httpx
from loadgen import wrk_version

from assetforge.common.devstack import EmbeddedNats, EmbeddedPostgres, drop_database, ensure_database, free_port

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
SERVICES = ("gateway", "assets", "generation", "media")
# Busier than this before anything starts means something else is using the CPUs.
BUSY_CPU_SHARE = 0.15
# Variables that would change what is measured (tracing, a replica) or clash with ours.
DROPPED_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "SENTRY_DSN", "DATABASE_REPLICA_URL", "PORT", "HTTP_PORT")

__all__ = ["free_port"]


def say(message: str) -> None:
    # The clock matches the services' log lines, so their warnings can be placed in the run.
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- processes -----------------------------------------------------------------------


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def exited(self) -> bool:
        return self.popen.poll() is not None

    def terminate(self) -> None:
        if not self.exited:
            self.popen.send_signal(signal.SIGTERM)

    def wait_stopped(self, timeout: float = 30.0) -> None:
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            say(f"{self.name} did not stop within {timeout:.0f}s of SIGTERM; killing it")
            self.popen.kill()
            self.popen.wait()

    def stop(self) -> None:
        self.terminate()
        self.wait_stopped()

    def tail(self, lines: int = 30) -> list[str]:
        return self.log.read_text(errors="replace").splitlines()[-lines:] if self.log.exists() else []


class Harness:
    """What this run started, so that everything is stopped (and its output shown)."""

    def __init__(self, workdir: Path, cleanup: contextlib.ExitStack) -> None:
        self.workdir = workdir
        self.cleanup = cleanup
        self.processes: list[Process] = []

    def start(self, name: str, args: list[str], env: dict[str, str], cwd: Path | None = None) -> Process:
        log = self.workdir / f"{name}.log"
        with log.open("wb") as output:
            # Own session: a Ctrl-C reaches only the harness, which stops the processes itself.
            popen = subprocess.Popen(
                args, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        process = Process(name, popen, log)
        self.processes.append(process)
        self.cleanup.callback(process.stop)
        return process

    def show_logs(self, lines: int = 30) -> None:
        for process in self.processes:
            tail = process.tail(lines)
            if tail:
                print(f"--- last {len(tail)} lines of {process.name} ({process.log.name}) ---", file=sys.stderr)
                print("\n".join(tail), file=sys.stderr)

    def log_line_counts(self) -> dict[str, int]:
        return {p.name: len(p.log.read_text(errors="replace").splitlines()) for p in self.processes}


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def stop_all(processes: Sequence[Process]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait_stopped()


# --- the servers ---------------------------------------------------------------------


def start_nats(harness: Harness) -> EmbeddedNats:
    server = EmbeddedNats(harness.workdir / "nats", log_file=harness.workdir / "nats.log").start()
    harness.cleanup.callback(server.stop)
    say(f"NATS at {server.url}")
    return server


def open_database(harness: Harness, server_url: str | None) -> tuple[str, str]:
    """The URL of an empty database for this run, and a description of where it lives."""
    if server_url:
        name = f"bench_{uuid.uuid4().hex[:10]}"
        url = asyncio.run(ensure_database(server_url, name))
        harness.cleanup.callback(drop, server_url, name)
        say(f"database {name} on the server of --database-url (dropped afterwards)")
        return url, f"external server, throw-away database {name}"
    postgres = EmbeddedPostgres(harness.workdir / "postgres").start()
    harness.cleanup.callback(postgres.stop)
    say("embedded PostgreSQL in the temporary directory")
    return asyncio.run(ensure_database(postgres.url(), "assetforge")), "embedded PostgreSQL (Unix socket)"


def drop(server_url: str, name: str) -> None:
    asyncio.run(drop_database(server_url, name))


def service_env(nats_url: str, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_VARIABLES}
    env.update(
        NATS_URL=nats_url,
        DATABASE_URL=database_url,
        NODE_ENV="development",
        LOG_LEVEL="WARNING",
        HTTP_HOST="127.0.0.1",
        # A load test from one address: the catalog's own cost is measured here, and the
        # edge's (auth, rate limits) by bench/edge.py.
        DISABLE_RATE_LIMITING="true",
    )
    return env


def migrate(harness: Harness, env: dict[str, str]) -> None:
    running = [
        harness.start(f"migrate-{name}", python_module(f"assetforge.{name}", "migrate"), env) for name in SERVICES
    ]
    for process in running:
        if process.popen.wait(timeout=180) != 0:
            raise RuntimeError(f"{process.name} failed with status {process.popen.returncode}")
    say("migrations applied for " + ", ".join(SERVICES))


def start_services(harness: Harness, env: dict[str, str]) -> tuple[str, list[Process]]:
    """Start the four services; return the gateway's base URL and the processes."""
    processes = []
    gateway_url = ""
    for name in SERVICES:
        port = free_port()
        variable = "PORT" if name == "gateway" else "HTTP_PORT"
        processes.append(harness.start(name, python_module(f"assetforge.{name}"), {**env, variable: str(port)}))
        if name == "gateway":
            gateway_url = f"http://127.0.0.1:{port}"
    return gateway_url, processes


def wait_for(url: str, processes: Sequence[Process], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            for process in processes:
                if process.exited:
                    raise RuntimeError(f"{process.name} exited with status {process.popen.returncode} while starting")
            with contextlib.suppress(httpx.HTTPError):
                if client.get(url).status_code == 200:
                    return
            time.sleep(0.25)
    raise TimeoutError(f"{url} did not answer 200 within {timeout:.0f}s")


def machine_info(binary: str) -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "wrk": wrk_version(binary),
    }


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def cpu_times() -> tuple[int, int]:
    """Busy and total jiffies of all CPUs, from the first line of /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def cpu_busy_share(seconds: float = 1.0) -> float | None:
    """How busy the machine is (0..1) over ``seconds``; None where /proc/stat is missing."""
    try:
        busy_before, total_before = cpu_times()
        time.sleep(seconds)
        busy_after, total_after = cpu_times()
    except OSError:
        return None
    elapsed = total_after - total_before
    return (busy_after - busy_before) / elapsed if elapsed else None


def show_service_output(harness: Harness) -> None:
    """At LOG_LEVEL=WARNING a healthy service prints nothing, so any output is news."""
    noisy = [p for p in harness.processes if p.tail(1)]
    if not noisy:
        say("no service wrote any warning or error")
        return
    say("service output (LOG_LEVEL=WARNING):")
    harness.show_logs(lines=20)


def interrupt(_signal: int, _frame: object) -> NoReturn:
    raise KeyboardInterrupt


def run_and_report(name: str, run: Callable[[Harness], dict[str, Any]]) -> int:
    """Run a benchmark on a fresh harness; print its results and keep them in
    bench/results/<name>-<timestamp>.json (``run`` puts the ``timestamp`` in them)."""
    with tempfile.TemporaryDirectory(prefix=f"af-bench-{name}-") as workdir, contextlib.ExitStack() as cleanup:
        harness = Harness(Path(workdir), cleanup)
        try:
            results = run(harness)
        except Exception:
            say("failed; the output of what was started follows, then the error")
            harness.show_logs()
            raise
        show_service_output(harness)
    text = json.dumps(results, indent=2)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}-{results['timestamp']}.json").write_text(text + "\n")
    return 0
