"""The policy `make run` supervises each service with, on tiny stand-in processes: a
service that dies is started again after a growing pause, one that keeps dying at
start-up stops the stack, and Ctrl-C is prompt even during a pause."""

from __future__ import annotations

import asyncio
import sys
import time

import pytest

from assetforge.common.stack import Backoff, Supervisor, describe_exit
from tests.support import wait_until


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_a_service_that_never_stays_up_is_given_up_on_after_five_quick_exits() -> None:
    backoff = Backoff()
    assert [backoff.after_exit(uptime_s=1.0) for _ in range(5)] == [0.5, 1.0, 2.0, 4.0, None]


def test_once_it_stayed_up_the_pause_resets_then_doubles_to_the_cap_and_never_gives_up() -> None:
    backoff = Backoff()
    assert [backoff.after_exit(uptime_s=1.0) for _ in range(3)] == [0.5, 1.0, 2.0]
    assert backoff.after_exit(uptime_s=31.0) == 0.5
    delays = [backoff.after_exit(uptime_s=1.0) for _ in range(2000)]
    assert delays[:7] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0]
    assert set(delays[4:]) == {10.0}


def test_exit_statuses_name_the_signal() -> None:
    assert describe_exit(-9) == "status -9 (signal SIGKILL)"
    assert describe_exit(2) == "status 2"


async def test_a_service_that_keeps_dying_at_start_up_stops_the_stack(capsys: pytest.CaptureFixture[str]) -> None:
    stopping = asyncio.Event()
    failing = _python("print('DATABASE_URL is not valid'); raise SystemExit(2)")
    supervisor = Supervisor("media", failing, {}, stopping, backoff=Backoff(first_s=0.01, give_up_after=3))

    await asyncio.wait_for(supervisor.run(), 30)

    assert supervisor.gave_up
    assert supervisor.restarts == 2
    assert stopping.is_set()
    out = capsys.readouterr().out
    assert "[stack] media exited with status 2; restarting in 0.0 s (restart 2)" in out
    assert "[stack] media keeps dying at start-up: it exited 3 times in a row, never up for 30 s" in out
    # Its last words are shown again, after the give-up message.
    assert "[media     ] DATABASE_URL is not valid" in out.split("keeps dying at start-up")[1]


async def test_ctrl_c_during_the_pause_stops_at_once() -> None:
    stopping = asyncio.Event()
    supervisor = Supervisor("assets", _python("raise SystemExit(1)"), {}, stopping, backoff=Backoff(first_s=60))
    run = asyncio.create_task(supervisor.run())

    async def pausing() -> bool:
        return supervisor.restarts == 1

    await wait_until(pausing, timeout=30)

    started = time.monotonic()
    stopping.set()
    await asyncio.wait_for(run, 5)

    assert time.monotonic() - started < 1
    assert supervisor.stopped_cleanly
    assert not supervisor.gave_up


async def test_stopping_sends_sigterm_and_kills_a_service_that_ignores_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    obedient = _python("import time; print('up', flush=True); time.sleep(60)")
    stubborn = _python(
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(60)"
    )
    stopping = asyncio.Event()
    gentle = Supervisor("gateway", obedient, {}, stopping)
    killed = Supervisor("generation", stubborn, {}, stopping)
    killed.stop_timeout_s = 0.5
    runs = [asyncio.create_task(s.run()) for s in (gentle, killed)]
    out: list[str] = []

    async def both_up() -> bool:
        # Once the stubborn one says "up", it is ignoring SIGTERM.
        out.append(capsys.readouterr().out)
        return "".join(out).count("] up") == 2

    await wait_until(both_up, timeout=30)

    stopping.set()
    await asyncio.wait_for(asyncio.gather(*runs), 10)

    assert gentle.stopped_cleanly
    assert not killed.stopped_cleanly
    assert gentle.restarts == killed.restarts == 0
