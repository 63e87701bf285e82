"""Rate limits shared by every gateway process through NATS JetStream.

Design: fixed windows aligned to the clock (window = now // window_ms), one JetStream
*counter* per (bucket, client, window). Each check publishes ``Nats-Incr: +1`` to
``ratelimit.<bucket>.<window_ms>.<sha256(client)[:32]>.<window number>`` on a stream with
``allow_msg_counter`` (ADR-49, nats-server 2.12+); the server adds atomically and the
acknowledgement carries the new total, so one round trip both counts the request and
gives the exact ``X-RateLimit-Remaining``. Requests are allowed while total <= limit.

Measured before choosing (bench/ratelimit_micro.py: nats-server 2.15.1, nats-py 2.16,
loopback, 2 CPUs shared with the server, one connection, memory storage, 3,000 checks
per scenario). Per check, wall time / CPU of the calling process:

    strategy                        sequential         64 tasks, 64 keys   64 tasks, one key
    KV get + create/update (CAS)    390-480 / 240-310  118 / 108 us        907 / 865 us; 31 conflicts
                                                                           per success, 74% gave up
                                                                           after 10 tries
    stream, max_msgs_per_subject    158-160 / 102-104  25 / 22 us          26 / 22 us (no count left)
      + stream_info for remaining   433-451 / 269-276  95 / 87 us          97 / 88 us
    counter stream (chosen)         171-183 / 104-113  27-32 / 26-28 us    27-30 / 26-28 us
    RateLimiter.check, end to end   172-193 / 109-128  33-38 / 31-36 us    33-36 / 31-35 us
      a key already spent           3 / 2 us           4 / 3 us            3 / 3 us

KV compare-and-set needs two round trips and collapses on a hot key: 64 tasks making
192 checks on one key with a limit of 100 got 55 allowed and 137 that gave up (which
the limiter would then count locally, so the shared limit would not hold). The
per-subject-limit stream is as cheap as the counter, but an exact
``X-RateLimit-Remaining`` needs a second call that triples the cost. The counter
allowed exactly 100 of those 192, one round trip each, without retries. Of the ~31 us
of CPU per check, ~2.5 us is this module; the rest is nats-py's request/reply.

Every refusal still adds one to the counter, so once this process has seen a key
reach its limit it refuses that key locally, without a round trip, until the window
ends: counts only grow within a window, so the answer cannot change. A flood from one
client then costs NATS nothing.

If NATS cannot be reached (or answers with an error, or not within the store timeout)
the limiter fails open to an in-process limiter with the same windows and limits,
counts ``rate_limit_store_failures_total`` and warns at most every 30 s. While the
store is down only one check per second tries it, so requests do not each wait out
the timeout. Memory-storage streams vanish when NATS restarts; the first check that
finds its stream gone re-creates it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from nats.js import JetStreamContext, api
from nats.js.errors import APIError, NoStreamResponseError
from prometheus_client import CollectorRegistry, Counter

from assetforge.common.settings import Env
from assetforge.gateway.client_address import Network, RawHeaders, TrustedProxies, client_ip, parse_networks

log = logging.getLogger(__name__)

DEFAULT = "default"
GENERATION = "generation"
AUDIO = "audio"

STREAM_PREFIX = "RATELIMIT_"
SUBJECT_PREFIX = "ratelimit."
# The counter operation of ADR-49: the server adds the value to the subject's total.
# Increments by 1..N, encoded once: a batch of N coalesced checks adds N in one message.
_INCREMENTS = [{"Nats-Incr": f"+{n}"} for n in range(257)]
_STREAM_EXISTS_DIFFERENTLY = 10058

# While the store is down, how often one check may try it again.
OUTAGE_RETRY_S = 1.0
WARNING_INTERVAL_S = 30.0
# The refusal memo and the fallback counts hold one window's clients; past this many
# they are dropped (the memo only saves round trips; the fallback is best effort).
MAX_TRACKED_KEYS = 100_000
_NOT_STARTED = RuntimeError("RateLimiter.start() has not been called")
_NEEDS_COUNTERS = "rate limiting needs nats-server 2.12 or newer (JetStream counters)"
_NO_COUNTERS = RuntimeError(_NEEDS_COUNTERS)


# --- settings and metrics ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RateLimitSettings:
    max: int
    window_ms: int
    disabled: bool
    trusted_proxies: tuple[Network, ...]
    generation_max: int = 10
    audio_max: int = 20
    # Generation and audio are "per minute" in the API whatever the default window is.
    strict_window_ms: int = 60_000
    # How long a check waits for NATS before counting locally.
    store_timeout_ms: int = 250


def get_rate_limit_settings(env: Env) -> RateLimitSettings:
    networks, problems = parse_networks(env.text("TRUSTED_PROXIES") or "")
    env.problems.extend(problems)
    return RateLimitSettings(
        max=env.integer("RATE_LIMIT_MAX", 100, minimum=1),
        window_ms=env.integer("RATE_LIMIT_WINDOW_MS", 60_000, minimum=1_000, maximum=86_400_000),
        disabled=env.flag("DISABLE_RATE_LIMITING", default=False),
        trusted_proxies=networks,
        store_timeout_ms=env.integer("RATE_LIMIT_STORE_TIMEOUT_MS", 250, minimum=10, maximum=10_000),
    )


@dataclass(frozen=True, slots=True)
class RateLimitMetrics:
    store_failures: Counter
    rejections: Counter


def make_rate_limit_metrics(registry: CollectorRegistry) -> RateLimitMetrics:
    return RateLimitMetrics(
        store_failures=Counter(
            "rate_limit_store_failures_total",
            "Rate-limit checks counted locally because NATS failed or timed out",
            registry=registry,
        ),
        rejections=Counter(
            "rate_limit_rejections_total", "Requests refused with 429, by bucket", ["bucket"], registry=registry
        ),
    )


# --- routes and clients -----------------------------------------------------------------

_UNLIMITED_PREFIXES = ("/api/health", "/swagger", "/health/")
_UNLIMITED_PATHS = frozenset({"/metrics", "/docs/asyncapi"})
_AUDIO_PREFIXES = ("/api/audio/", "/api/voice/", "/api/sfx/", "/api/music/")


def bucket_for(method: str, path: str) -> str | None:
    """The bucket a request counts against, or None for routes that are never limited."""
    if path in _UNLIMITED_PATHS or path.startswith(_UNLIMITED_PREFIXES):
        return None
    if method == "OPTIONS":
        # CORS preflights carry no credentials and do no work; counting them would halve
        # a browser's allowance, keyed by IP instead of by user.
        return None
    if method == "POST":
        if path.startswith("/api/generation/"):
            return GENERATION
        if path.startswith(_AUDIO_PREFIXES):
            return AUDIO
    return DEFAULT


@lru_cache(maxsize=8)
def _trusted(networks: tuple[Network, ...]) -> TrustedProxies:
    return TrustedProxies(networks)


def client_key(
    scope_client: tuple[str, int] | None,
    headers: Mapping[str, str] | RawHeaders,
    principal_id: str | None,
    trusted_proxies: TrustedProxies | tuple[Network, ...],
) -> str:
    """``user:<id>`` for an authenticated request, else ``ip:<address>``.

    ``trusted_proxies`` is ``RateLimitSettings.trusted_proxies`` or a :class:`TrustedProxies`
    made from it; either way the peer-membership cache is built once, not per request.
    """
    if principal_id:
        return "user:" + principal_id
    trusted = trusted_proxies if isinstance(trusted_proxies, TrustedProxies) else _trusted(trusted_proxies)
    # No peer (a Unix socket without a proxy header): all such requests share one key.
    return "ip:" + (client_ip(scope_client, headers, trusted) or "unknown")


# --- decisions --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_s: int  # seconds until the window resets (X-RateLimit-Reset)
    retry_after_s: int  # Retry-After on a 429; 0 when allowed


_LIMIT = b"x-ratelimit-limit"
_REMAINING = b"x-ratelimit-remaining"
_RESET = b"x-ratelimit-reset"
_RETRY_AFTER = b"retry-after"
# Header values for the numbers limits and windows usually take, encoded once.
_NUMBERS = tuple(str(n).encode() for n in range(4096))


def _number(n: int) -> bytes:
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n).encode()


class _WindowCounts:
    """Counts per key for the current window only; a new window starts them all again."""

    __slots__ = ("_counts", "_window")

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._window = -1

    def _enter(self, window: int) -> bool:
        """Move to ``window``; False when it has already ended (a check that waited on NATS)."""
        if window < self._window:
            return False
        if window > self._window or len(self._counts) >= MAX_TRACKED_KEYS:
            self._counts.clear()
            self._window = window
        return True

    def increment(self, key: str, window: int) -> int:
        if not self._enter(window):
            return 1  # its window is over: nothing left to count it against
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        return count

    def mark(self, key: str, window: int) -> None:
        if self._enter(window):
            self._counts[key] = 1

    def marked(self, key: str, window: int) -> bool:
        return window == self._window and key in self._counts


@dataclass(slots=True)
class _Bucket:
    name: str
    limit: int
    window_ms: int
    rejections: Counter
    stream: str = field(init=False)
    subject_prefix: str = field(init=False)
    # Keys that reached the limit in the current window: refused without asking NATS.
    exhausted: _WindowCounts = field(default_factory=_WindowCounts)
    # The fallback limiter's counts while NATS is unreachable.
    local: _WindowCounts = field(default_factory=_WindowCounts)

    def __post_init__(self) -> None:
        # The window is part of the names: processes configured with different windows
        # (a rolling change of RATE_LIMIT_WINDOW_MS, or tests) count apart instead of
        # rewriting each other's stream settings.
        self.stream = f"{STREAM_PREFIX}{self.name.upper()}_{self.window_ms}MS"
        self.subject_prefix = f"{SUBJECT_PREFIX}{self.name}.{self.window_ms}."

    def stream_config(self, replicas: int) -> api.StreamConfig:
        return api.StreamConfig(
            name=self.stream,
            subjects=[f"{self.subject_prefix}>"],
            # Memory: a check must not wait for a disk, and losing the counts when NATS
            # restarts only gives every client a fresh window once.
            storage=api.StorageType.MEMORY,
            allow_msg_counter=True,
            # The newest message of a subject holds its total; older ones are dead weight.
            max_msgs_per_subject=1,
            # A window's subject is written for one window; the second is slack for clock skew.
            max_age=2 * self.window_ms / 1000,
            num_replicas=replicas,
        )


class _StoreFailure(Exception):
    """The shared counter could not be reached for a batch of checks."""


class _Batch:
    """Checks of one key waiting to be counted together: one message adds ``size``."""

    __slots__ = ("future", "size")

    def __init__(self) -> None:
        self.size = 0
        self.future: asyncio.Future[int] = asyncio.get_running_loop().create_future()


def _digest(client: str) -> str:
    # Subject tokens cannot hold '.', '*', '>' or spaces, and ids and IPv6 addresses may.
    return hashlib.sha256(client.encode()).hexdigest()[:32]


# --- the limiter ------------------------------------------------------------------------


class RateLimiter:
    def __init__(self, settings: RateLimitSettings, metrics: RateLimitMetrics) -> None:
        self.enabled = not settings.disabled
        self.trusted_proxies = TrustedProxies(settings.trusted_proxies)
        self._metrics = metrics
        self._timeout_s = settings.store_timeout_ms / 1000
        self._buckets = {
            name: _Bucket(name, limit, window_ms, metrics.rejections.labels(name))
            for name, limit, window_ms in (
                (DEFAULT, settings.max, settings.window_ms),
                (GENERATION, settings.generation_max, settings.strict_window_ms),
                (AUDIO, settings.audio_max, settings.strict_window_ms),
            )
        }
        self._unlimited = {
            name: Decision(allowed=True, limit=b.limit, remaining=b.limit, reset_s=b.window_ms // 1000, retry_after_s=0)
            for name, b in self._buckets.items()
        }
        self._js: JetStreamContext | None = None
        self._replicas = 1
        self._healthy = True
        self._probe_at = 0.0
        self._last_warning = -WARNING_INTERVAL_S
        self._repair: asyncio.Task[None] | None = None
        # Per (bucket, key, window): checks waiting for the next message, and whether a
        # message for it is in flight. At most one round trip per key at a time; checks
        # arriving meanwhile are added together in the next one.
        self._waiting: dict[tuple[str, str, int], _Batch] = {}
        self._sending: set[tuple[str, str, int]] = set()
        self._senders: set[asyncio.Task[None]] = set()

    @property
    def shared(self) -> bool:
        """Whether checks are counted in NATS (False while failing open)."""
        return self._js is not None and self._healthy

    async def start(self, js: JetStreamContext, *, replicas: int = 1) -> None:
        """Create the counter streams (idempotent). Call once NATS is connected."""
        if not self.enabled:
            return
        self._replicas = replicas
        await self._ensure_streams(js)
        self._js = js

    async def stop(self) -> None:
        for sender in list(self._senders):
            sender.cancel()
        if self._repair is not None:
            self._repair.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._repair

    async def check(self, bucket: str, client_key: str) -> Decision:
        rule = self._buckets[bucket]
        if not self.enabled:
            return self._unlimited[bucket]
        window, elapsed_ms = divmod(time.time_ns() // 1_000_000, rule.window_ms)
        reset_s = -(-(rule.window_ms - elapsed_ms) // 1000)  # rounded up: never "0 s" early
        key = _digest(client_key)
        if rule.exhausted.marked(key, window):
            return self._refuse(rule, reset_s)
        count = await self._count(rule, key, window)
        if count < rule.limit:
            return Decision(
                allowed=True, limit=rule.limit, remaining=rule.limit - count, reset_s=reset_s, retry_after_s=0
            )
        rule.exhausted.mark(key, window)
        if count == rule.limit:
            return Decision(allowed=True, limit=rule.limit, remaining=0, reset_s=reset_s, retry_after_s=0)
        return self._refuse(rule, reset_s)

    def headers(self, decision: Decision) -> list[tuple[bytes, bytes]]:
        headers = [
            (_LIMIT, _number(decision.limit)),
            (_REMAINING, _number(decision.remaining)),
            (_RESET, _number(decision.reset_s)),
        ]
        if not decision.allowed:
            headers.append((_RETRY_AFTER, _number(decision.retry_after_s)))
        return headers

    def _refuse(self, rule: _Bucket, reset_s: int) -> Decision:
        rule.rejections.inc()
        return Decision(allowed=False, limit=rule.limit, remaining=0, reset_s=reset_s, retry_after_s=reset_s)

    async def _count(self, rule: _Bucket, key: str, window: int) -> int:
        """This request's number in its window: from NATS, or locally while NATS is out."""
        js = self._js
        if js is None:
            self._store_failed(_NOT_STARTED)
            return rule.local.increment(key, window)
        if not self._may_try_store():
            self._store_failed(None)
            return rule.local.increment(key, window)
        slot = (rule.name, key, window)
        batch = self._waiting.get(slot)
        if batch is None:
            batch = self._waiting[slot] = _Batch()
        batch.size += 1
        position = batch.size
        if slot not in self._sending:
            self._sending.add(slot)
            sender = asyncio.create_task(self._send(js, rule, slot))
            self._senders.add(sender)
            sender.add_done_callback(self._senders.discard)
        try:
            total = await asyncio.shield(batch.future)
        except _StoreFailure:
            self._store_failed(None)
            return rule.local.increment(key, window)
        # The batch took the numbers total-size+1 .. total, in the order its checks came.
        return total - batch.size + position

    async def _send(self, js: JetStreamContext, rule: _Bucket, slot: tuple[str, str, int]) -> None:
        """Count the waiting batches of one key, one message each, until none is left."""
        _, key, window = slot
        try:
            while (batch := self._waiting.pop(slot, None)) is not None:
                try:
                    total = await self._add(js, rule, key, window, batch.size)
                except Exception as exc:  # noqa: BLE001 - whatever the store does, requests must not fail
                    self._outage(exc)  # each waiting check counts itself as a local one
                    batch.future.set_exception(_StoreFailure())
                    batch.future.exception()  # retrieved by the waiters; mark it seen
                else:
                    batch.future.set_result(total)
        finally:
            self._sending.discard(slot)

    async def _add(self, js: JetStreamContext, rule: _Bucket, key: str, window: int, amount: int) -> int:
        ack = await js.publish(
            f"{rule.subject_prefix}{key}.{window}",
            b"",
            timeout=self._timeout_s,
            headers=_INCREMENTS[amount] if amount < len(_INCREMENTS) else {"Nats-Incr": f"+{amount}"},
        )
        if ack.val is None:
            # A server without counters (before 2.12) stores the message and reports no total.
            raise _NO_COUNTERS
        if not self._healthy:
            self._healthy = True
            log.info("rate limiting is shared through NATS again")
        return int(ack.val)

    def _may_try_store(self) -> bool:
        if self._healthy:
            return True
        now = time.monotonic()
        if now < self._probe_at:
            return False
        # This check probes the store; others stay local until it answers or times out.
        self._probe_at = now + self._timeout_s
        return True

    def _store_failed(self, exc: Exception | None) -> None:
        """Count one check made locally; with ``exc``, also enter (or extend) an outage."""
        self._metrics.store_failures.inc()
        if exc is not None:
            self._outage(exc)

    def _outage(self, exc: Exception) -> None:
        self._healthy = False
        self._probe_at = time.monotonic() + OUTAGE_RETRY_S
        if isinstance(exc, NoStreamResponseError):
            self._repair_streams()
        now = time.monotonic()
        if now - self._last_warning >= WARNING_INTERVAL_S:
            self._last_warning = now
            log.warning("rate-limit store unavailable (%s: %s); limiting per process", type(exc).__name__, exc)

    def _repair_streams(self) -> None:
        """Re-create streams that vanished (a NATS restart empties memory storage)."""
        if self._js is None or (self._repair is not None and not self._repair.done()):
            return
        self._repair = asyncio.create_task(self._recreate(self._js))

    async def _recreate(self, js: JetStreamContext) -> None:
        try:
            await self._ensure_streams(js)
        except Exception as exc:  # noqa: BLE001 - the next failed check tries again
            log.warning("re-creating the rate-limit streams failed: %s", exc)
            return
        self._probe_at = 0.0

    async def _ensure_streams(self, js: JetStreamContext) -> None:
        for rule in self._buckets.values():
            config = rule.stream_config(self._replicas)
            try:
                info = await js.add_stream(config)
            except APIError as exc:
                if exc.err_code != _STREAM_EXISTS_DIFFERENTLY:
                    raise
                # Made by a process with other replicas (or by hand): use it as it is, so
                # a start never weakens a stream another process relies on.
                info = await js.stream_info(config.name or "")
            if not info.config.allow_msg_counter:
                raise RuntimeError(_NEEDS_COUNTERS)
