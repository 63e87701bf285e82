"""``make bench-generation``: many pipelines at once on the offline provider, and live SSE.

1. ``--pipelines`` (500) pipelines submitted at once over the bus, as the gateway submits
   them (through the gateway, its 10/min/user limit would be what is measured), with the
   offline provider at ``OFFLINE_LATENCY_MS=0``. Checked: every one completes; none is
   lost or duplicated (one completed event, one catalog asset and one image-to-3D task per
   pipeline). Measured: the orchestration overhead of each stage that ran, its wall time
   less the time spent inside provider calls and downloads (target p95 < 20 ms), and the
   wall time of the whole batch.
2. ``--watchers`` (200) SSE clients on ``/api/generation/pipeline/{id}/events`` of live
   pipelines (``OFFLINE_LATENCY_MS`` of a few seconds, so progress events flow): the
   gateway's CPU time (``/proc/<pid>/stat``) per event delivered (target < 1 ms).

Each part runs ``--runs`` times (3); the report gives every run and the median.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import msgspec
import nats
from generation_watch import gateway_cpu_seconds, watch_all
from harness import (
    SERVICES,
    Harness,
    cpu_busy_share,
    free_port,
    python_module,
    run_and_report,
    say,
    wait_for,
)
from seeding import Stack, start_stack

from assetforge.common.contracts import headers
from assetforge.common.contracts.pipelines import PIPELINE_SUBMIT
from assetforge.common.devstack import asyncpg_dsn
from assetforge.gateway.auth.devmode import mint_token

OWNER = "did:privy:dev-bench-generation"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/generation.py", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pipelines", type=int, default=500, help="pipelines submitted at once (default 500)")
    parser.add_argument("--watchers", type=int, default=200, help="SSE clients (default 200; 0 skips part 2)")
    parser.add_argument("--watched", type=int, default=50, help="live pipelines they watch (default 50)")
    parser.add_argument("--latency-ms", type=int, default=4000, help="offline latency while watched (default 4000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each part (default 3)")
    parser.add_argument(
        "--concurrency", type=int, default=4, help="GENERATION_MAX_CONCURRENT_JOBS of the replica (default 4)"
    )
    return parser.parse_args(argv)


async def submit_all(nats_url: str, count: int, owner: str) -> tuple[list[str], float]:
    """Submit ``count`` pipelines at once; their ids and the seconds until all answered."""
    nc = await nats.connect(nats_url)
    try:
        started = time.perf_counter()

        async def one(number: int) -> str:
            body = {"config": {"name": f"bench blade {number}", "type": "weapon", "description": "a rusty longsword"}}
            reply = await nc.request(
                PIPELINE_SUBMIT,
                msgspec.json.encode(body),
                timeout=60,
                headers={headers.USER_ID: owner, headers.USER_ROLE: "member", headers.REQUEST_ID: uuid.uuid4().hex},
            )
            answer: dict[str, Any] = msgspec.json.decode(reply.data)
            return str(answer["pipelineId"])

        ids = await asyncio.gather(*(one(n) for n in range(count)))
        return list(ids), time.perf_counter() - started
    finally:
        await nc.close()


async def wait_done(database_url: str, ids: list[str], timeout: float) -> tuple[dict[str, int], float]:
    """Poll until every pipeline has ended; the count by status and the seconds it took."""
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    started = time.perf_counter()
    try:
        keys = [uuid.UUID(i) for i in ids]
        while True:
            rows = await connection.fetch(
                "SELECT status, count(*) AS n FROM generation.generation_jobs WHERE id = ANY($1) GROUP BY status", keys
            )
            counts = {row["status"]: row["n"] for row in rows}
            ended = sum(n for status, n in counts.items() if status in {"completed", "failed", "cancelled"})
            if ended == len(ids) or time.perf_counter() - started > timeout:
                return counts, time.perf_counter() - started
            await asyncio.sleep(0.25)
    finally:
        await connection.close()


async def audit(database_url: str, nats_url: str, ids: list[str]) -> dict[str, Any]:
    """What a lost or doubled pipeline would show: events, assets and provider tasks."""
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    keys = [uuid.UUID(i) for i in ids]
    try:
        jobs = await connection.fetch(
            "SELECT stages, asset_id FROM generation.generation_jobs WHERE id = ANY($1)", keys
        )
        tasks = await connection.fetch(
            "SELECT job_id, count(*) AS n FROM generation.provider_tasks WHERE job_id = ANY($1) GROUP BY job_id", keys
        )
        assets = await connection.fetchval(
            "SELECT count(*) FROM assets.assets WHERE id = ANY($1::uuid[])", [uuid.UUID(j["asset_id"]) for j in jobs]
        )
    finally:
        await connection.close()
    overheads: list[float] = []
    by_stage: dict[str, list[float]] = {}
    for job in jobs:
        for name, record in json.loads(job["stages"]).items():
            if record.get("status") == "completed" and record.get("startedAt") and record.get("completedAt"):
                wall = datetime.fromisoformat(record["completedAt"]) - datetime.fromisoformat(record["startedAt"])
                overhead = wall.total_seconds() * 1000 - record.get("providerMs", 0.0)
                overheads.append(overhead)
                by_stage.setdefault(name, []).append(overhead)
    completed = await completed_events(nats_url, set(ids))
    return {
        "stages_measured": len(overheads),
        "overhead_ms": percentiles(overheads),
        "overhead_ms_by_stage": {name: percentiles(values) for name, values in by_stage.items()},
        "completed_events": sum(completed.values()),
        "pipelines_with_repeated_completed_event": sum(1 for n in completed.values() if n > 1),
        "catalog_assets": assets,
        "image_to_3d_tasks": sum(row["n"] for row in tasks),
        "pipelines_with_more_than_one_task": sum(1 for row in tasks if row["n"] > 1),
    }


async def completed_events(nats_url: str, ids: set[str]) -> dict[str, int]:
    nc = await nats.connect(nats_url)
    counts: dict[str, int] = {}
    try:
        subscription = await nc.jetstream().subscribe("evt.generation.pipeline.*.completed", ordered_consumer=True)
        with contextlib.suppress(TimeoutError, nats.errors.TimeoutError):
            while True:
                message = await subscription.next_msg(timeout=2.0)
                pipeline_id = message.subject.split(".")[3]
                if pipeline_id in ids:
                    counts[pipeline_id] = counts.get(pipeline_id, 0) + 1
    finally:
        await nc.close()
    return counts


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50": round(pick(0.5), 2), "p95": round(pick(0.95), 2), "p99": round(pick(0.99), 2)}


def batch_run(stack: Stack, count: int) -> dict[str, Any]:
    ids, submit_s = asyncio.run(submit_all(stack.nats_url, count, OWNER))
    counts, done_s = asyncio.run(wait_done(stack.env["DATABASE_URL"], ids, timeout=600))
    result = {"pipelines": count, "submit_s": round(submit_s, 2), "all_ended_s": round(submit_s + done_s, 2)}
    result |= {"by_status": counts, **asyncio.run(audit(stack.env["DATABASE_URL"], stack.nats_url, ids))}
    say(f"{count} pipelines: {counts} in {result['all_ended_s']} s; overhead {result['overhead_ms']}")
    return result


def restart_generation(harness: Harness, stack: Stack, latency_ms: int) -> None:
    """The generation process again, with offline tasks taking ``latency_ms``."""
    index = next(i for i, p in enumerate(stack.services) if p.name == "generation")
    stack.services[index].terminate()
    stack.services[index].wait_stopped()
    port = free_port()
    env = {**stack.env, "OFFLINE_LATENCY_MS": str(latency_ms), "HTTP_PORT": str(port)}
    stack.services[index] = harness.start("generation", python_module("assetforge.generation"), env)
    wait_for(f"http://127.0.0.1:{port}/health/ready", stack.services)


def watch_run(stack: Stack, token: str, options: argparse.Namespace) -> dict[str, Any]:
    gateway = next(p for p in stack.services if p.name == "gateway")
    me = httpx.get(f"{stack.gateway_url}/api/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    me.raise_for_status()
    # The gateway's id of the watcher: the owner its pipelines must have.
    ids, _ = asyncio.run(submit_all(stack.nats_url, options.watched, me.json()["user"]["id"]))
    targets = [ids[n % len(ids)] for n in range(options.watchers)]
    before = gateway_cpu_seconds(gateway.popen.pid)
    delivered, seconds, complete = asyncio.run(watch_all(stack.gateway_url, token, targets))
    cpu = gateway_cpu_seconds(gateway.popen.pid) - before
    per_event_ms = cpu * 1000 / delivered if delivered else None
    say(f"{options.watchers} watchers: {delivered} events in {seconds:.1f} s, gateway CPU {cpu:.2f} s")
    return {
        "watchers": options.watchers,
        "pipelines": options.watched,
        "events_delivered": delivered,
        "streams_ended_after_terminal": complete,
        "seconds": round(seconds, 2),
        "gateway_cpu_s": round(cpu, 3),
        "gateway_cpu_ms_per_event": None if per_event_ms is None else round(per_event_ms, 4),
    }


def run(harness: Harness, options: argparse.Namespace) -> dict[str, Any]:
    busy = cpu_busy_share()
    keys = harness.workdir / "dev-auth"
    extra = {
        "AUTH_MODE": "dev",
        "DEV_AUTH_DIR": str(keys),
        "GENERATION_PROVIDER": "offline",
        "GENERATION_MAX_CONCURRENT_JOBS": str(options.concurrency),
    }
    stack = start_stack(harness, None, {**extra, "GENERATION_POLL_INITIAL_S": "0.05", "GENERATION_POLL_MAX_S": "0.5"})
    token = mint_token(keys, "assetforge-dev", role="member", user="bench-watcher")
    batches = [batch_run(stack, options.pipelines) for _ in range(options.runs)]
    watches = []
    if options.watchers:
        restart_generation(harness, stack, options.latency_ms)
        watches = [watch_run(stack, token, options) for _ in range(options.runs)]
    return {
        "timestamp": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
        "cpu_busy_before_start": None if busy is None else round(busy, 3),
        "services": list(SERVICES),
        "concurrent_jobs": options.concurrency,
        "batches": batches,
        "median_overhead_p95_ms": statistics.median(b["overhead_ms"].get("p95", 0.0) for b in batches),
        "watches": watches,
        "median_cpu_ms_per_event": statistics.median(w["gateway_cpu_ms_per_event"] or 0.0 for w in watches)
        if watches
        else None,
    }


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    return run_and_report("generation", lambda harness: run(harness, options))


if __name__ == "__main__":
    sys.exit(main())
