"""What the probes answer."""

from __future__ import annotations

from typing import Literal

import msgspec


class Liveness(msgspec.Struct, frozen=True):
    status: Literal["ok"]


class Readiness(msgspec.Struct, frozen=True):
    status: Literal["ready", "not_ready"]
    checks: dict[str, bool]


class HealthSummary(msgspec.Struct, frozen=True):
    status: Literal["healthy", "unhealthy"]
    services: dict[str, bool]
