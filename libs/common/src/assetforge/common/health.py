"""Probes: liveness touches nothing; readiness runs every named check at once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[bool]]


class HealthChecks:
    def __init__(self, timeout: float = 2.0) -> None:
        self._checks: dict[str, Check] = {}
        self._timeout = timeout

    def add(self, name: str, check: Check) -> None:
        self._checks[name] = check

    async def ready(self) -> tuple[bool, dict[str, bool]]:
        names = list(self._checks)
        results = await asyncio.gather(*(self._run(name) for name in names))
        checks = dict(zip(names, results, strict=True))
        return all(results), checks

    async def _run(self, name: str) -> bool:
        try:
            async with asyncio.timeout(self._timeout):
                return await self._checks[name]()
        except Exception as exc:  # noqa: BLE001 - a failing check is a "false", not a crash
            log.warning("readiness check %s failed: %s", name, exc or type(exc).__name__)
            return False


def readiness_body(ok: bool, checks: dict[str, bool]) -> tuple[dict[str, object], int]:
    """The probe's JSON and status: 200 ``ready`` or 503 ``not_ready``, with every check."""
    return {"status": "ready" if ok else "not_ready", "checks": checks}, 200 if ok else 503
