"""Sliding windows made of slots: no span of one window's length allows more than the limit.

A window of length W is cut into ``SLOTS`` slots of W / SLOTS. A check at time t counts
every allowed request in each slot that overlaps [t - W, t], the oldest one whole, and
allows the request while that count, itself included, is at most the limit. So for any
span [a, a + W], the last request allowed in it was counted together with every request
allowed before it in the span (they all sit in slots overlapping its own [t - W, t]),
and the span holds at most ``limit`` allowed requests: the bound is exact, at the price
of forgetting a request up to one slot late (W / 6 for the default six slots).

A fixed window (the previous scheme) allows up to twice the limit around a boundary:
the limit just before it and the limit again just after.

This module is arithmetic only; the counts come from the store (limiter.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

SLOTS = 6


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_s: int  # seconds until the count next goes down (X-RateLimit-Reset)
    retry_after_s: int  # Retry-After on a 429; 0 when allowed
    # When the count next goes down (allowed) or the request would fit (refused), in ms
    # since the epoch: headers round it up to seconds, a memo of it should not.
    until_ms: int = 0


def _seconds(ms: int) -> int:
    return max(1, -(-ms // 1000))  # rounded up: never "retry in 0 s" early


@dataclass(frozen=True, slots=True)
class SlidingWindow:
    length_ms: int
    slots: int = SLOTS
    slot_ms: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "slot_ms", -(-self.length_ms // self.slots))

    def slot_at(self, now_ms: int) -> int:
        return now_ms // self.slot_ms

    def oldest_at(self, now_ms: int) -> int:
        """The oldest slot that overlaps [now - W, now]."""
        return (now_ms - self.length_ms) // self.slot_ms

    def leaves_at(self, slot: int) -> int:
        """When a slot stops overlapping the window (ms since the epoch)."""
        return (slot + 1) * self.slot_ms + self.length_ms

    def decide(self, limit: int, now_ms: int, older: Mapping[int, int], position: int) -> Decision:
        """The decision for a request that is number ``position`` in the current slot,
        given the allowed totals of the older slots still in the window."""
        slot, oldest = self.slot_at(now_ms), self.oldest_at(now_ms)
        earlier = [(k, older.get(k, 0)) for k in range(oldest, slot)]
        counted = sum(n for _, n in earlier) + position
        if counted <= limit:
            first = next((k for k, n in earlier if n), slot)
            until = self.leaves_at(first)
            reset = _seconds(until - now_ms)
            return Decision(
                allowed=True, limit=limit, remaining=limit - counted, reset_s=reset, retry_after_s=0, until_ms=until
            )
        return self.refusal(limit, now_ms, self.retry_at(limit, now_ms, older, position))

    def retry_at(self, limit: int, now_ms: int, older: Mapping[int, int], position: int) -> int:
        """When a refused request would fit: as old slots leave, the count they held goes."""
        slot, oldest = self.slot_at(now_ms), self.oldest_at(now_ms)
        # Allowed so far: the older slots and the current slot's requests before this one
        # (at most the limit: those past it were refused too).
        waiting = min(sum(older.get(k, 0) for k in range(oldest, slot)) + position - 1, limit)
        for k in range(oldest, slot):
            waiting -= older.get(k, 0)
            if waiting < limit:
                return self.leaves_at(k)
        return self.leaves_at(slot)

    def refusal(self, limit: int, now_ms: int, until_ms: int) -> Decision:
        wait = _seconds(until_ms - now_ms)
        return Decision(allowed=False, limit=limit, remaining=0, reset_s=wait, retry_after_s=wait, until_ms=until_ms)
