"""The rate limiter: sliding windows (windows.py) counted in JetStream (store.py),
shared exactly by every gateway process.

Concurrent checks of one client are coalesced: at most one round trip per client and
slot is in flight, and the checks that arrive meanwhile are added together in the next
one, each still getting its own place in the count. A refused check is taken back out
of the count (one message per batch that had refusals), so counts hold allowed requests
only and a client that keeps knocking does not push its own allowance further away.

A client that was refused, or took the last request of its allowance, is answered here
without a round trip until its count can next go down, so a flood from one client costs
NATS nothing.

If NATS cannot be reached (or answers with an error, or not within the store timeout)
the limiter fails open to counting in this process with the same windows and limits,
and counts ``rate_limit_store_failures_total`` (outage.py says when it tries again).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from dataclasses import dataclass, field

from nats.aio.client import Client
from prometheus_client import Counter

from assetforge.gateway.ratelimit.buckets import AUDIO, AUTH_FAILURES, DEFAULT, GENERATION, Bucket
from assetforge.gateway.ratelimit.local import MAX_TRACKED_KEYS, LocalCounts, Memo
from assetforge.gateway.ratelimit.metrics import RateLimitMetrics
from assetforge.gateway.ratelimit.outage import StoreHealth
from assetforge.gateway.ratelimit.store import CounterStore, StoreFailure, stream_name
from assetforge.gateway.ratelimit.windows import Decision, SlidingWindow
from assetforge.gateway.settings import RateLimitSettings

log = logging.getLogger(__name__)

_NOT_STARTED = StoreFailure("RateLimiter.start() has not been called")


def buckets_of(settings: RateLimitSettings) -> list[Bucket]:
    strict = SlidingWindow(settings.strict_window_ms)
    return [
        Bucket(DEFAULT, settings.max, SlidingWindow(settings.window_ms)),
        Bucket(GENERATION, settings.generation_max, strict),
        Bucket(AUDIO, settings.audio_max, strict),
        Bucket(AUTH_FAILURES, settings.auth_failure_max, strict),
    ]


@dataclass(slots=True)
class _State:
    """One bucket's rule and what this process remembers about its clients."""

    bucket: Bucket
    rejections: Counter
    blocked: Memo = field(default_factory=Memo)
    # Totals of older slots read from the store (they no longer change), and the slot
    # before which they are all known, per client.
    frozen: dict[str, tuple[int, dict[int, int]]] = field(default_factory=dict)
    local: LocalCounts = field(init=False)

    def __post_init__(self) -> None:
        self.local = LocalCounts(self.bucket.window.slots + 2)

    async def older_totals(self, store: CounterStore, key: str, slot: int) -> dict[int, int]:
        """The client's totals in slots before ``slot``: read once after they end, then kept."""
        known = self.frozen.get(key)
        if known is not None and known[0] >= slot:
            return known[1]
        totals = await store.slot_totals(self.bucket, key)
        keep = slot - self.bucket.window.slots - 1
        older = {k: n for k, n in totals.items() if keep <= k < slot}
        if len(self.frozen) >= MAX_TRACKED_KEYS:
            self.frozen.clear()
        self.frozen[key] = (slot, older)
        return older


class _Batch:
    """Checks of one client and slot waiting to be counted together."""

    __slots__ = ("future", "size")

    def __init__(self) -> None:
        self.size = 0
        self.future: asyncio.Future[list[Decision]] = asyncio.get_running_loop().create_future()


def _digest(client: str) -> str:
    # Subject tokens cannot hold '.', '*', '>' or spaces, and ids and IPv6 addresses may.
    return hashlib.sha256(client.encode()).hexdigest()[:32]


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class RateLimiter:
    def __init__(self, settings: RateLimitSettings, metrics: RateLimitMetrics) -> None:
        self._metrics = metrics
        self._timeout_s = settings.store_timeout_ms / 1000
        self._states = {b.name: _State(b, metrics.rejections.labels(b.name)) for b in buckets_of(settings)}
        self._store: CounterStore | None = None
        self._replicas = 1
        self._health = StoreHealth(self._timeout_s, self._recreate_streams)
        self._waiting: dict[tuple[str, str, int], _Batch] = {}
        self._sending: set[tuple[str, str, int]] = set()
        self._senders: set[asyncio.Task[None]] = set()

    @property
    def shared(self) -> bool:
        """Whether checks are counted in NATS (False while failing open)."""
        return self._store is not None and self._health.healthy

    def stream(self, bucket: str) -> str:
        """The JetStream stream that holds a bucket's counts."""
        return stream_name(self._states[bucket].bucket)

    async def start(self, client: Client, *, replicas: int = 1) -> None:
        """Create the counter streams (idempotent). Call once NATS is connected."""
        self._replicas = replicas
        store = CounterStore(client, self._timeout_s)
        await store.start([s.bucket for s in self._states.values()], replicas)
        self._store = store

    async def stop(self) -> None:
        for sender in list(self._senders):
            sender.cancel()
        await self._health.stop()
        if self._store is not None:
            await self._store.stop()

    def refusals_pending(self, bucket: str) -> bool:
        """Whether this process holds any client of the bucket over its limit."""
        return bool(self._states[bucket].blocked)

    def refusing(self, bucket: str, client_key: str) -> Decision | None:
        """The refusal of a client already known to be over its limit; no round trip."""
        state = self._states[bucket]
        now_ms = _now_ms()
        until = state.blocked.until(_digest(client_key), now_ms)
        return None if until is None else self._refuse(state, now_ms, until)

    async def check(self, bucket: str, client_key: str) -> Decision:
        state = self._states[bucket]
        now_ms = _now_ms()
        key = _digest(client_key)
        until = state.blocked.until(key, now_ms)
        if until is not None:
            return self._refuse(state, now_ms, until)
        decision = await self._decide(state, key, now_ms)
        if not decision.allowed:
            state.rejections.inc()
        if decision.remaining == 0:
            state.blocked.block(key, decision.until_ms)
        return decision

    def _refuse(self, state: _State, now_ms: int, until_ms: int) -> Decision:
        state.rejections.inc()
        return state.bucket.window.refusal(state.bucket.limit, now_ms, until_ms)

    async def _decide(self, state: _State, key: str, now_ms: int) -> Decision:
        store = self._store
        if store is None:
            return self._decide_locally(state, key, now_ms, _NOT_STARTED)
        if not self._health.may_try():
            return self._decide_locally(state, key, now_ms, None)
        slot = (state.bucket.name, key, state.bucket.window.slot_at(now_ms))
        batch = self._waiting.get(slot)
        if batch is None:
            batch = self._waiting[slot] = _Batch()
        batch.size += 1
        position = batch.size
        if slot not in self._sending:
            self._sending.add(slot)
            sender = asyncio.create_task(self._send(store, state, slot))
            self._senders.add(sender)
            sender.add_done_callback(self._senders.discard)
        try:
            decisions = await asyncio.shield(batch.future)
        except StoreFailure:
            return self._decide_locally(state, key, now_ms, None)
        return decisions[position - 1]

    def _decide_locally(self, state: _State, key: str, now_ms: int, failure: StoreFailure | None) -> Decision:
        """Count one check in this process; with ``failure``, also enter (or extend) an outage."""
        self._metrics.store_failures.inc()
        if failure is not None:
            self._health.failed(failure)
        window = state.bucket.window
        slot = window.slot_at(now_ms)
        position = state.local.add(key, slot, 1)
        decision = window.decide(state.bucket.limit, now_ms, state.local.totals(key), position)
        if not decision.allowed:
            state.local.add(key, slot, -1)
        return decision

    async def _send(self, store: CounterStore, state: _State, slot: tuple[str, str, int]) -> None:
        """Count the waiting batches of one client and slot, one at a time, until none is left."""
        _, key, number = slot
        try:
            while (batch := self._waiting.pop(slot, None)) is not None:
                try:
                    decisions = await self._count(store, state, key, number, batch.size)
                except StoreFailure as failure:
                    self._health.failed(failure)  # each waiting check counts itself as a local one
                    batch.future.set_exception(failure)
                    batch.future.exception()  # retrieved by the waiters; mark it seen
                else:
                    batch.future.set_result(decisions)
        finally:
            self._sending.discard(slot)

    async def _count(self, store: CounterStore, state: _State, key: str, slot: int, size: int) -> list[Decision]:
        bucket = state.bucket
        older = asyncio.ensure_future(state.older_totals(store, key, slot))
        try:
            total = await store.add(bucket, key, slot, size)
        except StoreFailure:
            older.cancel()
            raise
        totals = await older
        # Decided as of now, but within the slot counted (a round trip may cross its end).
        now_ms = min(_now_ms(), (slot + 1) * bucket.window.slot_ms - 1)
        decisions = [bucket.window.decide(bucket.limit, now_ms, totals, total - size + n) for n in range(1, size + 1)]
        refused = sum(not d.allowed for d in decisions)
        if refused:
            with contextlib.suppress(StoreFailure):  # left counted: stricter, never looser
                await store.add(bucket, key, slot, -refused)
        self._health.answered()
        return decisions

    async def _recreate_streams(self) -> None:
        if self._store is not None:
            await self._store.ensure_streams([s.bucket for s in self._states.values()], self._replicas)
