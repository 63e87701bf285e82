"""``make bench-catalog``: the catalog's read path against the original server and the
no-bus baseline, then at a million assets. See bench/README.md.

Phase 1, 1,000 public assets seeded through the bus; three runs, each of:

- ``cached``: anonymous ``GET /api/assets?limit=50`` through the gateway (from memory);
- ``signed``: the same page signed in (cache bypassed: through the bus to the service);
- ``signed-deep``: signed in, the last page (the 20th) by cursor;
- ``baseline``: bench/baseline.py, the same query without the bus (services stopped);
- ``anchor``: bench/anchor, Elysia on Bun with postgres.js (services stopped).

Phase 2, 999,000 more assets written straight into the schema; three runs of
``signed`` (first page), ``signed-deep`` (the 1,000th page) and ``search`` (``q=`` over
forty terms, signed in, 4 connections).

Targets: cached/anchor >= 2.0 and signed/baseline >= 0.9 (each the median of the three
runs' ratios); at a million, first and deep pages >= 90% of phase 1's signed first page;
search p99 < 50 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import warnings
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anchor
import httpx
import million
from catalog_report import render
from harness import (
    BENCH,
    RESULTS,
    Harness,
    cpu_busy_share,
    free_port,
    machine_info,
    say,
    show_service_output,
    start_services,
    stop_all,
    wait_for,
)
from loadgen import Load, WrkResult, run_wrk, write_paths_script, write_script, wrk_binary
from seeding import Stack, seed_catalog, start_stack

from assetforge.gateway.auth.devmode import mint_token

PAGE = "/api/assets?limit=50"
SMALL = 1000
SEARCH_CONNECTIONS = 4


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/catalog.py", description="the catalog's read path, measured")
    parser.add_argument("--runs", type=int, default=3, help="runs of each phase (default 3)")
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per scenario (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unrecorded load first (default 2)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    parser.add_argument("--large", type=int, default=1_000_000, help="assets in phase 2 (default 1,000,000)")
    options = parser.parse_args(argv)
    if options.large < 1000 * 50 + SMALL:
        parser.error("--large must leave a 1,000th page of 50 (at least 51,000)")
    return options


class Bench:
    def __init__(self, harness: Harness, binary: str, options: argparse.Namespace) -> None:
        self.harness = harness
        self.binary = binary
        self.options = options
        self.script = write_script(harness.workdir)
        self.load = Load(options.connections, 2, options.duration, 5)
        self.results: dict[str, list[dict[str, float]]] = {}

    def measure(self, scenario: str, url: str, headers: list[str] | None = None, **load: Any) -> WrkResult:
        script = load.pop("script", self.script)
        chosen = replace(self.load, **load)
        if self.options.warmup:
            run_wrk(self.binary, script, url, replace(chosen, duration_s=self.options.warmup), headers or [])
        result = run_wrk(self.binary, script, url, chosen, headers or [])
        say(
            f"{scenario}: {result.requests_per_s:,.0f} req/s, p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms, "
            f"{result.bytes_read / max(result.requests, 1) / 1024:.1f} KB/response, errors {result.errors}"
        )
        if result.errors:
            raise RuntimeError(f"{scenario}: {result.non_2xx} non-2xx and {result.socket_errors} socket errors")
        self.results.setdefault(scenario, []).append(
            {
                "requests_per_s": result.requests_per_s,
                "p50_ms": result.p50_ms,
                "p99_ms": result.p99_ms,
                "bytes_per_response": result.bytes_read / max(result.requests, 1),
            }
        )
        return result


def cursor_of_page(base: str, headers: dict[str, str], page: int) -> str:
    """The cursor that asks for page ``page`` (1-based), walked to like a client would."""
    cursor = ""
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        for _ in range(page - 1):
            response = client.get(PAGE + (f"&cursor={cursor}" if cursor else ""))
            response.raise_for_status()
            if "x-next-cursor" not in response.headers:
                raise RuntimeError(f"the catalog has fewer than {page} pages of 50")
            cursor = response.headers["x-next-cursor"]
    return cursor


def check_page(url: str, headers: dict[str, str] | None = None) -> None:
    response = httpx.get(url, headers=headers, timeout=30)
    found = len(response.json()) if response.status_code == 200 else -1
    if found != 50:
        raise RuntimeError(f"GET {url} answered {response.status_code} with {found} assets, expected 50")


def phase_one_run(  # noqa: PLR0917 - one run's parts
    bench: Bench, stack: Stack, token: str, me: str, base: str, services: list[Any]
) -> tuple[str, list[Any]]:
    auth = {"Authorization": f"Bearer {token}"}
    header = [f"Authorization: Bearer {token}"]
    check_page(base + PAGE)
    check_page(base + PAGE, auth)
    bench.measure("cached", base + PAGE)
    bench.measure("signed", base + PAGE, header)
    deep = f"{PAGE}&cursor={cursor_of_page(base, auth, SMALL // 50)}"
    bench.measure("signed-deep", base + deep, header)
    stop_all(services)

    port = free_port()
    baseline = bench.harness.start(
        "baseline",
        [sys.executable, str(BENCH / "baseline.py")],
        {**stack.env, "HTTP_PORT": str(port), "BASELINE_VIEWER": me},
    )
    wait_for(f"http://127.0.0.1:{port}/api/health/live", [baseline])
    check_page(f"http://127.0.0.1:{port}{PAGE}")
    bench.measure("baseline", f"http://127.0.0.1:{port}{PAGE}")
    stop_all([baseline])

    anchor_url, process = anchor.start(bench.harness, stack.env["DATABASE_URL"], stack.env)
    check_anchor(anchor_url + PAGE)
    bench.measure("anchor", anchor_url + PAGE)
    stop_all([process])
    return restart(bench.harness, stack)


def check_anchor(url: str) -> None:
    response = httpx.get(url, timeout=30)
    if response.status_code != 200 or len(response.json()["assets"]) != 50:
        raise RuntimeError(f"the anchor answered {response.status_code}: {response.text[:300]}")


def restart(harness: Harness, stack: Stack) -> tuple[str, list[Any]]:
    """The four services again, on new ports; the gateway's URL and the processes."""
    gateway_url, services = start_services(harness, stack.env)
    wait_for(f"{gateway_url}/api/health/ready", services)
    return gateway_url, services


def phase_two_run(bench: Bench, base: str, token: str, search: Path) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    header = [f"Authorization: Bearer {token}"]
    check_page(base + PAGE, auth)
    bench.measure("large-signed", base + PAGE, header)
    deep = f"{PAGE}&cursor={cursor_of_page(base, auth, 1000)}"
    bench.measure("large-signed-deep", base + deep, header)
    bench.measure("large-search", base + PAGE, header, script=search, connections=SEARCH_CONNECTIONS, threads=2)


def run(harness: Harness, binary: str, options: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    busy = cpu_busy_share()
    keys = harness.workdir / "dev-auth"
    stack = start_stack(harness, None, {"AUTH_MODE": "dev", "DEV_AUTH_DIR": str(keys)})
    seed_seconds, settled = seed_catalog(stack, SMALL)
    token = mint_token(keys, "assetforge-dev", role="member", user="bench-reader")
    me = httpx.get(stack.gateway_url + "/api/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    me.raise_for_status()
    me_id = me.json()["user"]["id"]
    anchor.seed(stack.env["DATABASE_URL"], SMALL)
    bench = Bench(harness, binary, options)
    base, services = stack.gateway_url, stack.services
    for number in range(1, options.runs + 1):
        say(f"phase 1, run {number} of {options.runs} ({SMALL:,} assets)")
        base, services = phase_one_run(bench, stack, token, me_id, base, services)

    stop_all(services)
    large_seconds = million.seed(stack.env, options.large - SMALL, me_id)
    base, services = restart(harness, stack)
    terms = [f"{PAGE}&q={term.replace(' ', '+')}" for term in million.search_terms()]
    search = write_paths_script(harness.workdir, "search", terms)
    for number in range(1, options.runs + 1):
        say(f"phase 2, run {number} of {options.runs} ({options.large:,} assets)")
        phase_two_run(bench, base, token, search)
    stop_all(services)
    context = {
        "timestamp": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
        "runs": options.runs,
        "wrk": {"connections": options.connections, "duration_s": options.duration, "warmup_s": options.warmup},
        "assets": {"phase_1": SMALL, "phase_2": options.large},
        "seed_seconds": {"bus": round(seed_seconds, 1), "large": round(large_seconds, 1)},
        "events_settled_before_measuring": settled,
        "machine": {**machine_info(binary), "anchor": anchor.version()},
        "cpu_busy_before_start": None if busy is None else round(busy, 3),
    }
    return bench.results, context


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    binary = wrk_binary()
    if binary is None:
        print("install wrk (apt-get install wrk)", file=sys.stderr)
        return 2
    problem = anchor.install()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")
    with tempfile.TemporaryDirectory(prefix="af-bench-catalog-") as workdir, contextlib.ExitStack() as cleanup:
        harness = Harness(Path(workdir), cleanup)
        try:
            results, context = run(harness, binary, options)
        except Exception:
            say("failed; the output of what was started follows, then the error")
            harness.show_logs()
            raise
        show_service_output(harness)
    report = render(results, context)
    print(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"catalog-{context['timestamp']}.json").write_text(
        json.dumps({"context": context, "results": results}, indent=2) + "\n"
    )
    (RESULTS / "catalog-latest.md").write_text(report + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
