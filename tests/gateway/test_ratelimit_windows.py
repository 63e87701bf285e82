"""The sliding-window arithmetic on its own: no span of one window's length allows more
than the limit, whatever the arrivals, and the allowance comes back in time."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from assetforge.gateway.ratelimit.windows import SlidingWindow


def simulate(window: SlidingWindow, limit: int, arrivals: list[int]) -> list[int]:
    """The times allowed, counting as the shared store would (refusals taken back)."""
    totals: dict[int, int] = defaultdict(int)
    allowed = []
    for now in arrivals:
        slot = window.slot_at(now)
        decision = window.decide(limit, now, totals, totals[slot] + 1)
        if decision.allowed:
            totals[slot] += 1
            allowed.append(now)
    return allowed


def busiest_span(allowed: list[int], length_ms: int) -> int:
    return max((sum(1 for u in allowed if t - length_ms < u <= t) for t in allowed), default=0)


@pytest.mark.parametrize("seed", range(40))
def test_no_window_long_span_exceeds_the_limit(seed: int) -> None:
    rng = random.Random(seed)
    length = rng.choice([1000, 1200, 60_000, 3_600_000])
    limit = rng.choice([1, 3, 10, 100])
    window = SlidingWindow(length)
    # Bursts and quiet stretches over about five windows, starting anywhere on the clock.
    start = rng.randrange(10**12)
    arrivals, now = [], start
    while now < start + 5 * length:
        now += rng.choice([0, 0, 1, length // 50, length // 7, length // 2])
        arrivals.extend([now] * rng.choice([1, 1, 2, limit]))
    allowed = simulate(window, limit, arrivals)
    assert allowed
    assert busiest_span(allowed, length) <= limit


def test_the_fixed_window_pattern_is_refused() -> None:
    """The limit at the end of one window and again at the start of the next."""
    window = SlidingWindow(60_000)
    boundary = 60_000 * 1000
    arrivals = [boundary - 1_000] * 100 + [boundary + 1_000] * 100
    assert simulate(window, 100, arrivals) == [boundary - 1_000] * 100


def test_a_steady_client_gets_nearly_the_whole_limit() -> None:
    """Forgetting a request up to one slot late costs at most a slot's share."""
    window = SlidingWindow(60_000)
    arrivals = list(range(0, 10 * 60_000, 100))  # ten requests a second for ten minutes
    allowed = simulate(window, 100, arrivals)
    assert len(allowed) >= 100 * 10 * 60 / 70


def test_retry_after_names_the_moment_the_request_fits() -> None:
    window = SlidingWindow(60_000)  # slots of 10 s
    totals = {window.slot_at(5_000): 3}
    now = 30_000
    refused = window.decide(3, now, totals, 1)
    assert not refused.allowed
    # The slot of 0-10 s leaves the window at 70 s.
    assert refused.until_ms == 70_000
    assert refused.retry_after_s == 40
    assert window.decide(3, refused.until_ms, totals, 1).allowed


def test_headers_count_down_and_reset_when_the_oldest_counted_slot_leaves() -> None:
    window = SlidingWindow(60_000)
    totals = {window.slot_at(12_000): 2}
    decision = window.decide(5, 30_000, totals, 2)
    assert (decision.allowed, decision.remaining) == (True, 1)
    assert decision.reset_s == 50  # the 10-20 s slot leaves at 80 s
