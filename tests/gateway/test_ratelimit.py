"""The gateway's rate limiter against a real nats-server: exact limits shared across
processes, windows, buckets, failing open when NATS is gone, and client keys."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import nats
import pytest
from prometheus_client import CollectorRegistry

from assetforge.common.devstack import EmbeddedNats
from assetforge.gateway.ratelimit import (
    OUTAGE_RETRY_S,
    RateLimiter,
    make_rate_limit_metrics,
    rate_limit_headers,
)
from assetforge.gateway.settings import RateLimitSettings
from tests.support import wait_until

MINUTE_MS = 60_000
BASE = RateLimitSettings(max=5, window_ms=MINUTE_MS, disabled=False, trusted_proxies=())


def settings(**overrides: Any) -> RateLimitSettings:
    return replace(BASE, **overrides)


def fresh_client() -> str:
    """A client key of this test's own: the suite's NATS keeps every test's counts."""
    return f"user:did:privy:{uuid.uuid4().hex}"


def failures(registry: CollectorRegistry) -> float:
    return registry.get_sample_value("rate_limit_store_failures_total") or 0.0


def rejections(registry: CollectorRegistry, bucket: str) -> float:
    return registry.get_sample_value("rate_limit_rejections_total", {"bucket": bucket}) or 0.0


@asynccontextmanager
async def limiter_on(url: str, config: RateLimitSettings) -> AsyncIterator[tuple[RateLimiter, CollectorRegistry]]:
    """A started limiter on a NATS connection of its own, as one gateway process has."""
    connection = await nats.connect(url, max_reconnect_attempts=-1, reconnect_time_wait=0.1)
    registry = CollectorRegistry()
    limiter = RateLimiter(config, make_rate_limit_metrics(registry))
    await limiter.start(connection)
    await room_in_window(config.window_ms)
    try:
        yield limiter, registry
    finally:
        await limiter.stop()
        await connection.close()


def ms_left_in_window(window_ms: int) -> int:
    return window_ms - time.time_ns() // 1_000_000 % window_ms


async def sleep_to_window_start(window_ms: int) -> None:
    """Wait for a new window, so a burst of checks falls inside one."""
    await asyncio.sleep(ms_left_in_window(window_ms) / 1000 + 0.01)


async def room_in_window(window_ms: int, room_ms: int = 500) -> None:
    """Windows follow the clock: a test counting in one must not start just before it ends."""
    if ms_left_in_window(window_ms) < room_ms:
        await sleep_to_window_start(window_ms)


# --- the shared limit -------------------------------------------------------------------


async def test_allows_exactly_the_limit_then_refuses(nats_server: EmbeddedNats) -> None:
    async with limiter_on(nats_server.url, settings(max=5)) as (limiter, registry):
        client = fresh_client()
        allowed = [await limiter.check("default", client) for _ in range(5)]
        refused = await limiter.check("default", client)

    assert [d.allowed for d in allowed] == [True] * 5
    assert [d.remaining for d in allowed] == [4, 3, 2, 1, 0]
    # A sliding window forgets a request up to one slot (a sixth of it) after the window.
    assert all(d.limit == 5 and d.retry_after_s == 0 and 1 <= d.reset_s <= 70 for d in allowed)
    assert not refused.allowed
    assert refused.remaining == 0
    assert 1 <= refused.retry_after_s <= 70
    assert refused.retry_after_s == refused.reset_s
    assert rejections(registry, "default") == 1
    assert failures(registry) == 0


async def test_headers_name_limit_remaining_reset_and_retry_after(nats_server: EmbeddedNats) -> None:
    async with limiter_on(nats_server.url, settings(max=1)) as (limiter, _):
        client = fresh_client()
        allowed = await limiter.check("default", client)
        refused = await limiter.check("default", client)
        allowed_headers = dict(rate_limit_headers(allowed))
        refused_headers = dict(rate_limit_headers(refused))

    assert allowed_headers == {
        b"x-ratelimit-limit": b"1",
        b"x-ratelimit-remaining": b"0",
        b"x-ratelimit-reset": str(allowed.reset_s).encode(),
    }
    assert refused_headers[b"x-ratelimit-remaining"] == b"0"
    assert refused_headers[b"retry-after"] == str(refused.retry_after_s).encode()
    assert int(refused_headers[b"retry-after"]) >= 1


async def test_two_processes_share_the_limit_exactly(nats_server: EmbeddedNats) -> None:
    config = settings(max=100)
    client = fresh_client()
    async with limiter_on(nats_server.url, config) as (first, _), limiter_on(nats_server.url, config) as (second, _):
        decisions = await asyncio.gather(
            *(first.check("default", client) for _ in range(60)),
            *(second.check("default", client) for _ in range(60)),
        )
        assert first.shared
        assert second.shared

    allowed = [d for d in decisions if d.allowed]
    assert len(allowed) == 100
    # Each allowed request saw its own place in the shared count.
    assert sorted(d.remaining for d in allowed) == list(range(100))
    assert all(d.remaining == 0 for d in decisions if not d.allowed)


async def test_concurrent_checks_of_one_key_share_round_trips_and_stay_exact(nats_server: EmbeddedNats) -> None:
    """A hot key (one client, many requests at once) is counted in batches: one message
    adds many, yet every check still gets its own place in the count."""
    config = settings(max=150)
    client = fresh_client()
    async with limiter_on(nats_server.url, config) as (limiter, _):
        stream = limiter.stream("default")
        observer = await nats.connect(nats_server.url)
        js = observer.jetstream()
        before = (await js.stream_info(stream)).state.last_seq
        decisions = await asyncio.gather(*(limiter.check("default", client) for _ in range(200)))
        messages = (await js.stream_info(stream)).state.last_seq - before
        await observer.close()
    allowed = [d for d in decisions if d.allowed]
    assert len(allowed) == 150
    assert sorted(d.remaining for d in allowed) == list(range(150))
    assert messages < 20, f"{messages} messages for 200 checks"


async def test_no_span_of_one_window_allows_more_than_the_limit(nats_server: EmbeddedNats) -> None:
    """A steady client for four windows: every window-long span holds at most the limit,
    and the allowance comes back as old requests leave (a fixed window let twice the
    limit through around each boundary)."""
    window_ms, limit = 1200, 5
    async with limiter_on(nats_server.url, settings(max=limit, window_ms=window_ms)) as (limiter, _):
        client = fresh_client()
        allowed: list[int] = []
        started = time.monotonic()
        while time.monotonic() - started < 4 * window_ms / 1000:
            now_ms = time.time_ns() // 1_000_000
            if (await limiter.check("default", client)).allowed:
                allowed.append(now_ms)
            await asyncio.sleep(0.02)
    assert allowed, "nothing was allowed"
    busiest = max(sum(1 for u in allowed if t - window_ms < u <= t) for t in allowed)
    assert busiest <= limit
    # Not stricter than the scheme promises: a request is forgotten at most a slot late.
    assert len(allowed) >= limit * 3


async def test_a_burst_just_after_a_window_boundary_is_refused(nats_server: EmbeddedNats) -> None:
    window_ms = 1200
    async with limiter_on(nats_server.url, settings(max=4, window_ms=window_ms)) as (limiter, _):
        client = fresh_client()
        await sleep_to_window_start(window_ms)
        await asyncio.sleep(window_ms / 1000 - 0.25)  # the end of a (fixed) window
        late = [await limiter.check("default", client) for _ in range(4)]
        await sleep_to_window_start(window_ms)  # just after the boundary
        early = await limiter.check("default", client)
        await asyncio.sleep((window_ms + window_ms / 6) / 1000 + 0.05)
        later = await limiter.check("default", client)

    assert [d.allowed for d in late] == [True] * 4
    assert not early.allowed
    assert 1 <= early.retry_after_s <= 2
    assert later.allowed


async def test_buckets_count_separately(nats_server: EmbeddedNats) -> None:
    config = settings(max=5, generation_max=2, audio_max=3)
    async with limiter_on(nats_server.url, config) as (limiter, registry):
        client = fresh_client()
        generation = [await limiter.check("generation", client) for _ in range(3)]
        audio = await limiter.check("audio", client)
        default = await limiter.check("default", client)

    assert [d.allowed for d in generation] == [True, True, False]
    assert generation[0].limit == 2
    assert (audio.allowed, audio.limit, audio.remaining) == (True, 3, 2)
    assert (default.allowed, default.limit, default.remaining) == (True, 5, 4)
    assert rejections(registry, "generation") == 1
    assert rejections(registry, "default") == 0


async def test_users_and_ipv6_addresses_are_valid_keys(nats_server: EmbeddedNats) -> None:
    async with limiter_on(nats_server.url, settings(max=2)) as (limiter, registry):
        for client in (f"ip:2001:db8::{uuid.uuid4().hex[:4]}", f"user:did:privy:a.b*c>{uuid.uuid4().hex}"):
            decisions = [await limiter.check("default", client) for _ in range(3)]
            assert [d.allowed for d in decisions] == [True, True, False]
        assert failures(registry) == 0


# --- failing open -----------------------------------------------------------------------


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A NATS server this test may kill."""
    server = EmbeddedNats(tmp_path / "nats").start()
    yield server
    server.stop()


async def test_fails_open_to_a_local_limit_and_comes_back(
    own_nats: EmbeddedNats, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = settings(max=3, store_timeout_ms=200)
    async with limiter_on(own_nats.url, config) as (limiter, registry):
        assert (await limiter.check("default", fresh_client())).allowed
        assert failures(registry) == 0

        own_nats.kill()
        client = fresh_client()
        with caplog.at_level(logging.WARNING, logger="assetforge.gateway.ratelimit"):
            during = [await limiter.check("default", client) for _ in range(5)]
            # Counted here, with the same limit, while NATS is gone.
            assert [d.allowed for d in during] == [True, True, True, False, False]
            assert [d.remaining for d in during] == [2, 1, 0, 0, 0]
            assert not limiter.shared
            # The three counted locally; once a key is spent, refusals need no store at all.
            assert failures(registry) == 3
            # A second probe a second later fails too, and is not warned about again.
            await asyncio.sleep(OUTAGE_RETRY_S + 0.1)
            assert (await limiter.check("default", fresh_client())).allowed
            assert failures(registry) == 4
        assert len([r for r in caplog.records if "unavailable" in r.getMessage()]) == 1

        # Same port, empty memory: the limiter must re-create its streams and go back to NATS.
        restarted = EmbeddedNats(tmp_path / "nats-again", port=own_nats.port).start()
        try:

            async def shared_again() -> bool:
                # A new key each time: a spent one is refused without asking NATS.
                await limiter.check("default", fresh_client())
                return limiter.shared

            await wait_until(shared_again, timeout=10, interval=0.1)
            failures_after_recovery = failures(registry)
            await room_in_window(MINUTE_MS)
            async with limiter_on(restarted.url, config) as (other, _):
                client = fresh_client()
                assert (await limiter.check("default", client)).remaining == 2
                assert (await other.check("default", client)).remaining == 1
                assert (await limiter.check("default", client)).remaining == 0
                assert not (await other.check("default", client)).allowed
            assert failures(registry) == failures_after_recovery
        finally:
            restarted.stop()


async def test_a_limiter_that_was_never_started_counts_locally() -> None:
    registry = CollectorRegistry()
    limiter = RateLimiter(settings(max=2), make_rate_limit_metrics(registry))
    decisions = [await limiter.check("default", "ip:192.0.2.1") for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False]
    # Two counted locally; the refusal of a spent key asks no store.
    assert failures(registry) == 2
