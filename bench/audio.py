"""Audio jobs at once on 2 cores: ``--effects`` (200) sound effects of 2 s submitted
together on the generation service's bus API (through the gateway, its 20/min/user limit
would be what is measured), on the offline provider with ``OFFLINE_LATENCY_MS=0``.

Checked: every job completes; none is lost or doubled (one completed event and one
catalog asset per job). Measured: the orchestration overhead of each job, the wall time
of its stage less the time spent inside the provider call (synthesis and encoding, here),
target p95 < 20 ms; the provider time; and the wall time of the whole batch. Each run
is repeated ``--runs`` times (3); the report gives every run and the median.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import msgspec
import nats
from generation import percentiles, wait_done
from harness import SERVICES, Harness, cpu_busy_share, run_and_report, say
from seeding import Stack, start_stack

from assetforge.common.contracts import headers
from assetforge.common.contracts.audio import AUDIO_SUBMIT
from assetforge.common.contracts.jobs import JOB_COMPLETED_FILTER
from assetforge.common.devstack import asyncpg_dsn

OWNER = "did:privy:dev-bench-audio"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/audio.py", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--effects", type=int, default=200, help="sound effects submitted at once (default 200)")
    parser.add_argument("--seconds", type=float, default=2.0, help="length of each (default 2 s)")
    parser.add_argument("--runs", type=int, default=3, help="runs (default 3)")
    parser.add_argument("--concurrency", type=int, default=4, help="GENERATION_MAX_CONCURRENT_JOBS (default 4)")
    return parser.parse_args(argv)


async def submit_all(nats_url: str, count: int, seconds: float) -> tuple[list[str], float]:
    nc = await nats.connect(nats_url)
    try:
        started = time.perf_counter()

        async def one(number: int) -> str:
            body = {"request": {"kind": "sfx", "text": f"sword clang number {number}", "durationSeconds": seconds}}
            reply = await nc.request(
                AUDIO_SUBMIT,
                msgspec.json.encode(body),
                timeout=60,
                headers={headers.USER_ID: OWNER, headers.USER_ROLE: "member", headers.REQUEST_ID: uuid.uuid4().hex},
            )
            answer: dict[str, Any] = msgspec.json.decode(reply.data)
            return str(answer["jobId"])

        ids = await asyncio.gather(*(one(n) for n in range(count)))
        return list(ids), time.perf_counter() - started
    finally:
        await nc.close()


async def completed_events(nats_url: str, ids: set[str]) -> dict[str, int]:
    """How many completed events each job has in the EVENTS stream."""
    nc = await nats.connect(nats_url)
    counts: dict[str, int] = {}
    try:
        subscription = await nc.jetstream().subscribe(JOB_COMPLETED_FILTER, ordered_consumer=True)
        while True:
            try:
                message = await subscription.next_msg(timeout=2.0)
            except nats.errors.TimeoutError:
                return counts
            job_id = message.subject.split(".")[3]
            if job_id in ids:
                counts[job_id] = counts.get(job_id, 0) + 1
    finally:
        await nc.close()


async def audit(database_url: str, nats_url: str, ids: list[str]) -> dict[str, Any]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    keys = [uuid.UUID(i) for i in ids]
    try:
        jobs = await connection.fetch(
            "SELECT stages, asset_id FROM generation.generation_jobs WHERE id = ANY($1)", keys
        )
        assets = await connection.fetchval(
            "SELECT count(*) FROM assets.assets WHERE type = 'audio' AND id = ANY($1::uuid[])",
            [uuid.UUID(j["asset_id"]) for j in jobs],
        )
    finally:
        await connection.close()
    overheads: list[float] = []
    provider: list[float] = []
    for job in jobs:
        record = json.loads(job["stages"]).get("audio", {})
        if record.get("status") == "completed":
            wall = datetime.fromisoformat(record["completedAt"]) - datetime.fromisoformat(record["startedAt"])
            overheads.append(wall.total_seconds() * 1000 - record.get("providerMs", 0.0))
            provider.append(record.get("providerMs", 0.0))
    completed = await completed_events(nats_url, set(ids))
    return {
        "overhead_ms": percentiles(overheads),
        "provider_ms": percentiles(provider),
        "completed_events": sum(completed.values()),
        "jobs_with_repeated_completed_event": sum(1 for n in completed.values() if n > 1),
        "catalog_assets": assets,
    }


def batch_run(stack: Stack, options: argparse.Namespace) -> dict[str, Any]:
    ids, submit_s = asyncio.run(submit_all(stack.nats_url, options.effects, options.seconds))
    counts, done_s = asyncio.run(wait_done(stack.env["DATABASE_URL"], ids, timeout=600))
    result = {"jobs": len(ids), "submit_s": round(submit_s, 2), "all_ended_s": round(submit_s + done_s, 2)}
    result |= {"by_status": counts, **asyncio.run(audit(stack.env["DATABASE_URL"], stack.nats_url, ids))}
    say(f"{len(ids)} sound effects: {counts} in {result['all_ended_s']} s; overhead {result['overhead_ms']}")
    return result


def run(harness: Harness, options: argparse.Namespace) -> dict[str, Any]:
    busy = cpu_busy_share()
    extra = {"GENERATION_PROVIDER": "offline", "GENERATION_MAX_CONCURRENT_JOBS": str(options.concurrency)}
    stack = start_stack(harness, None, extra)
    batches = [batch_run(stack, options) for _ in range(options.runs)]
    return {
        "timestamp": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
        "cpu_busy_before_start": None if busy is None else round(busy, 3),
        "services": list(SERVICES),
        "concurrent_jobs": options.concurrency,
        "effects": options.effects,
        "seconds_each": options.seconds,
        "batches": batches,
        "median_overhead_p95_ms": statistics.median(b["overhead_ms"].get("p95", 0.0) for b in batches),
    }


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    return run_and_report("audio", lambda harness: run(harness, options))


if __name__ == "__main__":
    sys.exit(main())
