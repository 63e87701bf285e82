"""Micro-benchmark: what one shared rate-limit check costs on NATS JetStream.

``uv run python bench/ratelimit_micro.py [--checks 3000] [--concurrency 64]`` starts its
own ``nats-server`` (``assetforge.common.devstack.EmbeddedNats``, temporary store) and
compares, per check, from one Python process on one connection:

- ``kv-cas``: JetStream KV, ``get`` then ``create``/``update(last=revision)``, retried on a
  revision conflict (at most 10 times, then counted as an outage, as the limiter does);
- ``subject-limit``: a stream with ``max_msgs_per_subject`` = limit, ``discard_new_per_subject``
  and ``max_age`` = window; one publish per check, refused when over. The publish says
  nothing about how many are left, so ``subject-limit+count`` adds the ``stream_info``
  call an exact ``X-RateLimit-Remaining`` would need;
- ``counter``: a stream with ``allow_msg_counter`` (ADR-49, nats-server 2.12+); one
  publish with ``Nats-Incr: +1`` per check on a subject per fixed window, and the
  acknowledgement carries the new total;
- ``limiter``: ``assetforge.gateway.ratelimit.RateLimiter.check`` itself, end to end;
  ``limiter-spent`` the same with a limit of one, so checks meet a key already spent
  (refused in-process, without a round trip).

Scenarios: ``seq-hot`` (one key), ``seq-new`` (a new key per check), ``conc-spread`` and
``conc-hot`` (``--concurrency`` tasks, one key each / all on one key), all with limits
above the checks (every check writes), and ``exact``: all tasks on one key, limit 100.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext, api
from nats.js.errors import APIError, KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue
from prometheus_client import CollectorRegistry

from assetforge.common.devstack import EmbeddedNats
from assetforge.gateway.ratelimit import RateLimiter, make_rate_limit_metrics
from assetforge.gateway.settings import RateLimitSettings

WINDOW_S = 60.0
HUGE_LIMIT = 10_000_000
MAX_ATTEMPTS = 10
SUBJECT_LIMIT_EXCEEDED = 10077


@dataclass
class Tally:
    allowed: int = 0
    refused: int = 0
    conflicts: int = 0
    outages: int = 0
    seconds: float = 0.0
    # CPU of this process only (the gateway's share; nats-server's is not included).
    cpu_seconds: float = 0.0
    checks: int = field(init=False, default=0)


Check = Callable[[str, int, Tally], Awaitable[None]]


# --- kv-cas ---------------------------------------------------------------------------


def kv_check(kv: KeyValue) -> Check:
    async def check(key: str, limit: int, tally: Tally) -> None:
        for _ in range(MAX_ATTEMPTS):
            now = int(time.time() * 1000)
            try:
                entry = await kv.get(key)
            except KeyNotFoundError:
                entry = None
            if entry is None or entry.value is None:
                start, count, revision = now, 0, 0
            else:
                raw_start, raw_count = entry.value.split(b",")
                start, count, revision = int(raw_start), int(raw_count), entry.revision or 0
                if now - start >= WINDOW_S * 1000:
                    start, count = now, 0
            if count >= limit:
                tally.refused += 1
                return
            value = b"%d,%d" % (start, count + 1)
            try:
                if revision:
                    await kv.update(key, value, last=revision)
                else:
                    await kv.create(key, value)
            except KeyWrongLastSequenceError:
                tally.conflicts += 1
                continue
            tally.allowed += 1
            return
        tally.outages += 1

    return check


# --- subject-limit ----------------------------------------------------------------------


async def subject_limit_stream(js: JetStreamContext, name: str, limit: int) -> None:
    await js.add_stream(
        api.StreamConfig(
            name=name,
            subjects=[f"{name.lower()}.>"],
            storage=api.StorageType.MEMORY,
            max_msgs_per_subject=limit,
            discard=api.DiscardPolicy.NEW,
            discard_new_per_subject=True,
            max_age=WINDOW_S,
            max_msgs=-1,
            max_bytes=-1,
        )
    )


def subject_limit_check(js: JetStreamContext, stream: str, *, count: bool) -> Check:
    prefix = f"{stream.lower()}."

    async def check(key: str, _limit: int, tally: Tally) -> None:
        # The limit is the stream's max_msgs_per_subject.
        subject = prefix + key
        try:
            await js.publish(subject, b"")
        except APIError as exc:
            if exc.err_code != SUBJECT_LIMIT_EXCEEDED:
                raise
            tally.refused += 1
            return
        if count:
            # The only way to learn how many are left: the subject's message count.
            await js.stream_info(stream, subjects_filter=subject)
        tally.allowed += 1

    return check


# --- counter ----------------------------------------------------------------------------


async def counter_stream(js: JetStreamContext, name: str) -> None:
    await js.add_stream(
        api.StreamConfig(
            name=name,
            subjects=[f"{name.lower()}.>"],
            storage=api.StorageType.MEMORY,
            allow_msg_counter=True,
            max_age=2 * WINDOW_S,
        )
    )


def counter_check(js: JetStreamContext, stream: str) -> Check:
    prefix = f"{stream.lower()}."
    increment = {"Nats-Incr": "+1"}

    async def check(key: str, limit: int, tally: Tally) -> None:
        window = int(time.time() // WINDOW_S)
        ack = await js.publish(f"{prefix}{key}.{window}", b"", headers=dict(increment))
        if int(ack.val or 0) <= limit:
            tally.allowed += 1
        else:
            tally.refused += 1

    return check


# --- the real limiter -------------------------------------------------------------------


def limiter_check(limiter: RateLimiter) -> Check:
    async def check(key: str, _limit: int, tally: Tally) -> None:
        decision = await limiter.check("default", key)
        if decision.allowed:
            tally.allowed += 1
        else:
            tally.refused += 1

    return check


# --- scenarios --------------------------------------------------------------------------


async def sequential(check: Check, checks: int, *, new_key_each: bool) -> Tally:
    tally = Tally()
    hot = uuid.uuid4().hex
    keys = [uuid.uuid4().hex for _ in range(checks)] if new_key_each else [hot] * checks
    started, cpu = time.perf_counter(), time.process_time()
    for key in keys:
        await check(key, HUGE_LIMIT, tally)
    tally.seconds = time.perf_counter() - started
    tally.cpu_seconds = time.process_time() - cpu
    tally.checks = checks
    return tally


async def concurrent(check: Check, checks: int, tasks: int, *, one_key: bool, limit: int = HUGE_LIMIT) -> Tally:
    tally = Tally()
    hot = uuid.uuid4().hex
    per_task = checks // tasks

    async def worker() -> None:
        key = hot if one_key else uuid.uuid4().hex
        for _ in range(per_task):
            await check(key, limit, tally)

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(tasks)))
    tally.seconds = time.perf_counter() - started
    tally.cpu_seconds = time.process_time() - cpu
    tally.checks = per_task * tasks
    return tally


def row(strategy: str, scenario: str, tally: Tally) -> str:
    per_check_us = tally.seconds / tally.checks * 1e6
    cpu_us = tally.cpu_seconds / tally.checks * 1e6
    rate = tally.checks / tally.seconds
    extra = f"allowed={tally.allowed} refused={tally.refused} conflicts={tally.conflicts} outages={tally.outages}"
    return (
        f"| {strategy:<19} | {scenario:<11} | {per_check_us:>5.0f} µs | {cpu_us:>4.0f} µs | {rate:>6.0f}/s | {extra} |"
    )


async def run_strategy(name: str, check: Check, checks: int, tasks: int) -> list[str]:
    await sequential(check, 200, new_key_each=False)  # warm up connections and caches
    rows = [
        row(name, "seq-hot", await sequential(check, checks, new_key_each=False)),
        row(name, "seq-new", await sequential(check, checks, new_key_each=True)),
        row(name, "conc-spread", await concurrent(check, checks, tasks, one_key=False)),
        row(name, "conc-hot", await concurrent(check, checks, tasks, one_key=True)),
    ]
    if name not in {"subject-limit", "subject-limit+count", "limiter", "limiter-spent"}:
        rows.append(row(name, "exact", await concurrent(check, tasks * 3, tasks, one_key=True, limit=100)))
    return rows


async def strategies(nc: Client) -> dict[str, Check]:
    js = nc.jetstream()
    kv = await js.create_key_value(
        api.KeyValueConfig(bucket="bench_kv", ttl=WINDOW_S, storage=api.StorageType.MEMORY, history=1)
    )
    await subject_limit_stream(js, "BENCH_LIMIT", HUGE_LIMIT)
    await counter_stream(js, "BENCH_COUNTER")
    limiter = RateLimiter(
        RateLimitSettings(max=HUGE_LIMIT, window_ms=int(WINDOW_S * 1000), disabled=False, trusted_proxies=()),
        make_rate_limit_metrics(CollectorRegistry()),
    )
    await limiter.start(nc)
    # A limit of one: after the first check every check meets a spent key.
    spent = RateLimiter(
        RateLimitSettings(max=1, window_ms=int(WINDOW_S * 1000), disabled=False, trusted_proxies=()),
        make_rate_limit_metrics(CollectorRegistry()),
    )
    await spent.start(nc)
    return {
        "kv-cas": kv_check(kv),
        "subject-limit": subject_limit_check(js, "BENCH_LIMIT", count=False),
        "subject-limit+count": subject_limit_check(js, "BENCH_LIMIT", count=True),
        "counter": counter_check(js, "BENCH_COUNTER"),
        "limiter": limiter_check(limiter),
        "limiter-spent": limiter_check(spent),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checks", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--only", nargs="*", help="strategies to run (default: all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as store:
        server = EmbeddedNats(Path(store)).start()
        try:
            nc = await nats.connect(server.url)
            table = await strategies(nc)
            print(f"{os.cpu_count()} CPUs, {args.checks} checks per scenario, {args.concurrency} tasks when concurrent")
            print("| strategy | scenario | wall per check | CPU per check | checks/s | outcome |")
            print("| --- | --- | --- | --- | --- | --- |")
            for name, check in table.items():
                if args.only and name not in args.only:
                    continue
                for line in await run_strategy(name, check, args.checks, args.concurrency):
                    print(line, flush=True)
            await nc.close()
        finally:
            server.stop()


if __name__ == "__main__":
    asyncio.run(main())
