"""Probes: liveness touches nothing; readiness runs every named check at once.

Every check is a :class:`SharedCheck`: probes that arrive while one run is in flight
wait for that run, and its answer is reused for ``CACHE_S``. A burst of probes from a
load balancer, a monitor or a load test then costs one run per check, not one per probe.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[bool]]

# How long an answer is reused. Under the shortest probe period Kubernetes allows (1 s),
# so a kubelet probing on its own always gets a fresh answer and only bursts are folded
# together; a change (NATS gone, say) shows within this plus one check's timeout. At
# most two runs a second per check and process, whatever the probe rate.
CACHE_S = 0.5
# The gateway's READINESS_TIMEOUT_S by default: a service's answer to the gateway's
# readiness ping must come within it.
TIMEOUT_S = 1.0


class SharedCheck:
    """One check, single-flight, with a short memory; never raises, never hangs.

    A run bounded by ``timeout``; an exception or a timeout is a ``False`` (logged).
    """

    def __init__(self, name: str, check: Check, *, timeout: float = TIMEOUT_S, cache_s: float = CACHE_S) -> None:
        self.name = name
        self._check = check
        self._timeout = timeout
        self._cache_s = cache_s
        self._result = False
        self._fresh_until = -1.0
        self._running: asyncio.Task[bool] | None = None

    async def __call__(self) -> bool:
        if self._running is None:
            if time.monotonic() < self._fresh_until:
                return self._result
            self._running = asyncio.create_task(self._run(), name=f"readiness-{self.name}")
        # A caller that gives up (its request cancelled) must not cancel the others' run.
        return await asyncio.shield(self._running)

    async def _run(self) -> bool:
        try:
            async with asyncio.timeout(self._timeout):
                result = bool(await self._check())
        except Exception as exc:  # noqa: BLE001 - a failing check is a "false", not a crash
            log.warning("readiness check %s failed: %s", self.name, str(exc) or type(exc).__name__)
            result = False
        finally:
            # Cleared even when cancelled (at shutdown), or no later call would run it again.
            self._running = None
        self._result, self._fresh_until = result, time.monotonic() + self._cache_s
        return result


class HealthChecks:
    def __init__(self, timeout: float = TIMEOUT_S, cache_s: float = CACHE_S) -> None:
        self._checks: dict[str, SharedCheck] = {}
        self._timeout = timeout
        self._cache_s = cache_s

    def add(self, name: str, check: Check) -> None:
        self._checks[name] = SharedCheck(name, check, timeout=self._timeout, cache_s=self._cache_s)

    async def ready(self) -> tuple[bool, dict[str, bool]]:
        """Every check's answer (shared and cached, see :class:`SharedCheck`)."""
        names = list(self._checks)
        results = await asyncio.gather(*(check() for check in self._checks.values()))
        checks = dict(zip(names, results, strict=True))
        return all(results), checks


def readiness_body(ok: bool, checks: dict[str, bool]) -> tuple[dict[str, object], int]:
    """The probe's JSON and status: 200 ``ready`` or 503 ``not_ready``, with every check."""
    return {"status": "ready" if ok else "not_ready", "checks": checks}, 200 if ok else 503
