"""Bounded in-process state of the limiter: counts while NATS is out, and memos."""

from __future__ import annotations

# Past this many clients a map is emptied: it holds one window's clients, and losing it
# costs a round trip (memos) or a fresh allowance while NATS is out (counts), no more.
MAX_TRACKED_KEYS = 100_000


class LocalCounts:
    """Slot totals per client, counted here: the fallback while NATS cannot be reached."""

    __slots__ = ("_counts", "_keep")

    def __init__(self, keep_slots: int) -> None:
        self._counts: dict[str, dict[int, int]] = {}
        self._keep = keep_slots

    def add(self, key: str, slot: int, amount: int) -> int:
        slots = self._counts.get(key)
        if slots is None:
            if len(self._counts) >= MAX_TRACKED_KEYS:
                self._counts.clear()
            slots = self._counts[key] = {}
        for old in [k for k in slots if k <= slot - self._keep]:
            del slots[old]
        total = slots.get(slot, 0) + amount
        slots[slot] = total
        return total

    def totals(self, key: str) -> dict[int, int]:
        return self._counts.get(key, {})


class Memo:
    """Clients refused until a time (ms since the epoch): answered without a round trip.

    A client is remembered when it is refused, or when it has just taken the last
    request of its allowance: until then nothing it sends can be allowed, because counts
    only go down when an old slot leaves the window.
    """

    __slots__ = ("_until",)

    def __init__(self) -> None:
        self._until: dict[str, int] = {}

    def __bool__(self) -> bool:
        return bool(self._until)

    def until(self, key: str, now_ms: int) -> int | None:
        until = self._until.get(key)
        if until is None:
            return None
        if now_ms >= until:
            del self._until[key]
            return None
        return until

    def block(self, key: str, until_ms: int) -> None:
        if len(self._until) >= MAX_TRACKED_KEYS:
            self._until.clear()
        self._until[key] = until_ms
