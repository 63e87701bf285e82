"""What the probes answer."""

from __future__ import annotations

from typing import Literal

import msgspec


class Liveness(msgspec.Struct, frozen=True):
    status: Literal["ok"]


class Readiness(msgspec.Struct, frozen=True, omit_defaults=True):
    status: Literal["ready", "not_ready"]
    checks: dict[str, bool]
    # Which provider each generation capability uses (chat, image, imageTo3D, retexture,
    # rigging): "offline" without a key. Shown once the generation service has answered.
    providers: dict[str, str] | None = None


class HealthSummary(msgspec.Struct, frozen=True):
    status: Literal["healthy", "unhealthy"]
    services: dict[str, bool]
