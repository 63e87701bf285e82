"""Whether the shared store answers, and what to do while it does not.

While NATS cannot be reached (or errs, or is slower than the store timeout) the limiter
counts in-process. Only one check per second then tries the store, so requests do not
each wait out the timeout; a warning goes out at most every 30 s; and streams that
vanished (a NATS restart empties memory storage) are re-created.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from assetforge.gateway.ratelimit.store import StoreFailure

log = logging.getLogger(__name__)

# While the store is down, how often one check may try it again.
OUTAGE_RETRY_S = 1.0
WARNING_INTERVAL_S = 30.0


class StoreHealth:
    def __init__(self, timeout_s: float, recreate_streams: Callable[[], Awaitable[None]]) -> None:
        self._timeout_s = timeout_s
        self._recreate_streams = recreate_streams
        self.healthy = True
        self._probe_at = 0.0
        self._last_warning = -WARNING_INTERVAL_S
        self._repair: asyncio.Task[None] | None = None

    def may_try(self) -> bool:
        """Whether a check should ask the store (always, unless it is out)."""
        if self.healthy:
            return True
        now = time.monotonic()
        if now < self._probe_at:
            return False
        # This check probes the store; others stay local until it answers or times out.
        self._probe_at = now + self._timeout_s
        return True

    def answered(self) -> None:
        if not self.healthy:
            self.healthy = True
            log.info("rate limiting is shared through NATS again")

    def failed(self, failure: StoreFailure) -> None:
        """Enter (or extend) an outage."""
        self.healthy = False
        self._probe_at = time.monotonic() + OUTAGE_RETRY_S
        if failure.missing_stream and (self._repair is None or self._repair.done()):
            self._repair = asyncio.create_task(self._repair_streams())
        now = time.monotonic()
        if now - self._last_warning >= WARNING_INTERVAL_S:
            self._last_warning = now
            log.warning("rate-limit store unavailable (%s); limiting per process", failure)

    async def _repair_streams(self) -> None:
        try:
            await self._recreate_streams()
        except Exception as exc:  # noqa: BLE001 - the next failed check tries again
            log.warning("re-creating the rate-limit streams failed: %s", exc)
            return
        self._probe_at = 0.0

    async def stop(self) -> None:
        if self._repair is not None:
            self._repair.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._repair
