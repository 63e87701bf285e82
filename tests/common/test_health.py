"""Readiness checks are single-flight, reused briefly, and never raise or hang."""

from __future__ import annotations

import asyncio
import time

import pytest

from assetforge.common.health import HealthChecks, SharedCheck


class Counted:
    """A check that counts its runs, takes ``delay`` seconds and answers ``answer``."""

    def __init__(self, answer: bool = True, delay: float = 0.02) -> None:
        self.runs = 0
        self.answer = answer
        self.delay = delay

    async def __call__(self) -> bool:
        self.runs += 1
        await asyncio.sleep(self.delay)
        return self.answer


async def test_concurrent_callers_share_one_run() -> None:
    check = Counted()
    shared = SharedCheck("db", check, timeout=1, cache_s=10)
    answers = await asyncio.gather(*(shared() for _ in range(200)))
    assert answers == [True] * 200
    assert check.runs == 1


async def test_an_answer_is_reused_within_the_interval_only() -> None:
    check = Counted()
    shared = SharedCheck("db", check, timeout=1, cache_s=0.1)
    assert await shared()
    check.answer = False
    assert await shared()
    assert check.runs == 1
    await asyncio.sleep(0.15)
    assert not await shared()
    assert check.runs == 2


async def test_an_exception_is_a_false_not_a_crash(caplog: pytest.LogCaptureFixture) -> None:
    async def broken() -> bool:
        raise ConnectionRefusedError("no route")

    shared = SharedCheck("db", broken, timeout=1, cache_s=0)
    assert list(await asyncio.gather(shared(), shared())) == [False, False]
    assert "readiness check db failed: no route" in caplog.text


async def test_a_slow_check_is_a_false_after_its_timeout() -> None:
    check = Counted(delay=5)
    shared = SharedCheck("db", check, timeout=0.1, cache_s=0)
    started = time.monotonic()
    assert await asyncio.gather(*(shared() for _ in range(10))) == [False] * 10
    assert time.monotonic() - started < 0.5
    assert check.runs == 1


async def test_a_caller_that_gives_up_does_not_cancel_the_others() -> None:
    check = Counted(delay=0.1)
    shared = SharedCheck("db", check, timeout=1, cache_s=10)
    impatient = asyncio.create_task(shared())
    patient = asyncio.create_task(shared())
    await asyncio.sleep(0.02)
    impatient.cancel()
    assert await patient
    assert impatient.cancelled()
    assert check.runs == 1


async def test_ready_gathers_every_check() -> None:
    health = HealthChecks(timeout=1, cache_s=10)
    database, nats = Counted(answer=True), Counted(answer=False)
    health.add("database", database)
    health.add("nats", nats)
    results = await asyncio.gather(*(health.ready() for _ in range(50)))
    assert results == [(False, {"database": True, "nats": False})] * 50
    assert (database.runs, nats.runs) == (1, 1)
