"""``make bench-health``: what health probes cost, and whether they hurt anyone else.

Starts NATS, PostgreSQL and the four services the way bench/run.py does, then measures:

1. the deployment checklist's load test: 100 virtual users x 10 requests each to
   ``GET /api/health`` (bench/vusers.py), a few rounds, each starting with cold caches;
2. ``GET /api/health/ready`` with wrk at 64 connections;
3. ``GET /api/users/me`` (a signed-in caller) at 4 connections, alone and then while
   wrk hammers ``/api/health/ready`` at 64.

Meanwhile it samples PostgreSQL's backends of the services (see bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from harness import (
    RESULTS,
    SERVICES,
    Harness,
    cpu_busy_share,
    machine_info,
    migrate,
    open_database,
    say,
    service_env,
    show_service_output,
    start_nats,
    start_services,
    wait_for,
)
from health_report import ME, READY, SUMMARY, render
from loadgen import Load, WrkResult, run_wrk, write_script, wrk_binary
from vusers import Backends, Outcome, closed_loop, sampling

from assetforge.gateway.auth.devmode import mint_token


@dataclass(frozen=True, slots=True)
class Options:
    users: int
    requests: int
    rounds: int
    duration: int
    warmup: int
    connections: int
    threads: int
    others: int
    database_url: str | None


def parse_args() -> Options:
    parser = argparse.ArgumentParser(prog="bench/health.py", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=100, help="virtual users of the checklist test (100)")
    parser.add_argument("--requests", type=int, default=10, help="sequential requests per user (10)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the checklist test (3)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk scenario (10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unrecorded wrk load first (2)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections on the probe (64)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads on the probe (2)")
    parser.add_argument("--others", type=int, default=4, help="wrk connections on /api/users/me (4)")
    parser.add_argument("--database-url", help="an existing PostgreSQL server (default: an embedded one)")
    options = Options(**vars(parser.parse_args()))
    if min(options.users, options.requests, options.rounds, options.duration, options.others) < 1:
        parser.error("every count and duration must be positive")
    return options


def checklist_round(gateway_url: str, database_url: str, options: Options) -> tuple[Outcome, Backends]:
    address = urlsplit(gateway_url)
    host, port = address.hostname or "127.0.0.1", address.port or 80

    async def measure() -> tuple[Outcome, Backends]:
        async with sampling(database_url, SERVICES) as backends:
            outcome = await closed_loop(host, port, SUMMARY, options.users, options.requests)
        return outcome, backends

    return asyncio.run(measure())


@dataclass(frozen=True, slots=True)
class Wrk:
    binary: str
    script: Path
    database_url: str

    def sampled(self, *runs: tuple[str, Load, list[str]]) -> tuple[list[WrkResult], Backends]:
        """Run wrk once per ``(url, load, headers)``, all at once, sampling the backends meanwhile."""

        async def measure() -> tuple[list[WrkResult], Backends]:
            async with sampling(self.database_url, SERVICES) as backends:
                results = await asyncio.gather(
                    *(asyncio.to_thread(run_wrk, self.binary, self.script, u, load, h) for u, load, h in runs)
                )
            return list(results), backends

        return asyncio.run(measure())


def checklist_row(outcome: Outcome, backends: Backends) -> dict[str, Any]:
    return {
        "requests": len(outcome.latencies),
        "seconds": round(outcome.seconds, 3),
        "p50_ms": round(outcome.percentile_ms(0.50), 2),
        "p95_ms": round(outcome.percentile_ms(0.95), 2),
        "p99_ms": round(outcome.percentile_ms(0.99), 2),
        "max_ms": round(max(outcome.latencies, default=0) * 1000, 2),
        "errors": outcome.errors,
        "statuses": {str(k): v for k, v in sorted(outcome.statuses.items())},
        **backend_fields(backends),
    }


def backend_fields(backends: Backends) -> dict[str, Any]:
    return {
        "backends_peak": backends.peak,
        "backends_peak_total": backends.peak_total,
        "probe_backends_seen": sorted(n for n in backends.seen if n.endswith("-probe")),
        "backend_samples": backends.samples,
    }


def wrk_row(result: WrkResult, backends: Backends | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {k: round(v, 2) if isinstance(v, float) else v for k, v in asdict(result).items()}
    return {**row, **(backend_fields(backends) if backends else {})}


def run(harness: Harness, options: Options, binary: str) -> dict[str, Any]:
    tmp = harness.workdir
    nats = start_nats(harness)
    database_url, database = open_database(harness, options.database_url)
    keys = tmp / "dev-auth"
    env = {**service_env(nats.url, database_url), "AUTH_MODE": "dev", "DEV_AUTH_DIR": str(keys)}
    migrate(harness, env)
    token = mint_token(keys, "assetforge-dev", role="member")
    gateway_url, services = start_services(harness, env)
    wait_for(f"{gateway_url}{READY}", services)
    me_headers = [f"Authorization: Bearer {token}"]
    status = httpx.get(gateway_url + ME, headers={"authorization": f"Bearer {token}"}, timeout=10).status_code
    if status != 200:
        raise RuntimeError(f"GET {ME} with the development token answered {status}")
    say(f"stack ready at {gateway_url}")
    wrk = Wrk(binary, write_script(tmp), database_url)

    rounds = []
    for number in range(1, options.rounds + 1):
        time.sleep(1.0)  # longer than the readiness cache: each round starts cold
        row = checklist_row(*checklist_round(gateway_url, database_url, options))
        rounds.append(row)
        say(f"checklist round {number}: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, errors {row['errors']}")

    probe = Load(options.connections, options.threads, options.duration, 5)
    others = Load(options.others, 1, options.duration, 5)
    warm = Load(options.connections, options.threads, options.warmup, 5) if options.warmup else None
    if warm:
        wrk.sampled((gateway_url + READY, warm, []))
    (ready,), ready_backends = wrk.sampled((gateway_url + READY, probe, []))
    say(f"{READY}: {ready.requests_per_s:,.0f} req/s, p99 {ready.p99_ms:.2f} ms, errors {ready.errors}")

    if options.warmup:
        wrk.sampled((gateway_url + ME, Load(options.others, 1, options.warmup, 5), me_headers))
    (alone,), _ = wrk.sampled((gateway_url + ME, others, me_headers))
    say(f"{ME} alone: p99 {alone.p99_ms:.2f} ms, {alone.requests_per_s:,.0f} req/s")
    # The probe load runs a little longer on both sides, so it covers the whole measurement.
    covering = Load(options.connections, options.threads, options.duration + 2, 5)
    (loaded, background), loaded_backends = wrk.sampled(
        (gateway_url + ME, others, me_headers), (gateway_url + READY, covering, [])
    )
    say(f"{ME} under probe load: p99 {loaded.p99_ms:.2f} ms (probe load: {background.requests_per_s:,.0f} req/s)")
    return {
        "database": database,
        "checklist": {"users": options.users, "requests_per_user": options.requests, "rounds": rounds},
        "ready": wrk_row(ready, ready_backends),
        "users_me": {"alone": wrk_row(alone), "under_probe_load": wrk_row(loaded, loaded_backends)},
        "probe_load_during_users_me": wrk_row(background),
    }


def main() -> int:
    options = parse_args()
    binary = wrk_binary()
    if binary is None:
        print("install wrk (apt-get install wrk)", file=sys.stderr)
        return 2
    busy = cpu_busy_share()
    with tempfile.TemporaryDirectory(prefix="af-bench-health-") as tmp, contextlib.ExitStack() as cleanup:
        harness = Harness(Path(tmp), cleanup)
        try:
            record = run(harness, options, binary)
        except Exception:
            say("failed; the output of what was started follows, then the error")
            harness.show_logs()
            raise
        show_service_output(harness)
        record["service_log_lines"] = harness.log_line_counts()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    record = {
        "timestamp": stamp,
        "wrk": {
            "connections": options.connections,
            "threads": options.threads,
            "others": options.others,
            "duration_s": options.duration,
            "warmup_s": options.warmup,
        },
        "machine": machine_info(binary),
        "cpu_busy_before_start": None if busy is None else round(busy, 3),
        **record,
    }
    report = render(record)
    print(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"health-{stamp}.json").write_text(json.dumps(record, indent=2) + "\n")
    (RESULTS / "health-latest.md").write_text(report + "\n")
    say(f"wrote bench/results/health-{stamp}.json and bench/results/health-latest.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
