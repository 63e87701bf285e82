"""What a user has spent on generation today (``GET /api/users/me/usage``): expected
provider credits of the work they submitted since midnight UTC, against
``GENERATION_DAILY_CREDITS`` when the deployment sets one."""

from __future__ import annotations

from datetime import date

import msgspec

USAGE_GET = "generation.v1.usage.get"


class ReadUsage(msgspec.Struct, frozen=True):
    """The principal's own usage: nothing to ask but the question."""


class Usage(msgspec.Struct, frozen=True, rename="camel"):
    day: date
    credits_used: int
    # None: no daily budget in this deployment.
    daily_credits: int | None
    remaining: int | None
