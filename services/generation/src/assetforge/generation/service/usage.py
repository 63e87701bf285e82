"""The daily budget: each submission is charged its expected provider credits
(service/pricing.py) in the transaction that queues it, and refused with 402
QUOTA_EXCEEDED, before any provider is called, when that would pass
GENERATION_DAILY_CREDITS. Days are UTC. Work that fails later is not refunded: the
provider may have been paid for part of it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.bus.context import Principal
from assetforge.common.contracts.usage import Usage
from assetforge.common.db.repository import Executor
from assetforge.common.errors import QuotaExceeded, Unauthorized
from assetforge.generation import repository_usage


def today() -> date:
    return datetime.now(UTC).date()


async def charge(session: AsyncSession, owner_id: str, credits_: int, budget: int | None) -> None:
    if credits_ <= 0 and budget is None:
        return
    day = today()
    if await repository_usage.charge(session, owner_id, day, credits_, budget) is None:
        spent = await repository_usage.used(session, owner_id, day)
        left = max(0, (budget or 0) - spent)
        raise QuotaExceeded(
            f"this needs about {credits_} credits and {left} of your {budget} for today are left; "
            "the budget renews at midnight UTC"
        )


async def usage_of(db: Executor, principal: Principal | None, budget: int | None) -> Usage:
    if principal is None:
        raise Unauthorized("sign in to see your usage")
    day = today()
    spent = await repository_usage.used(db, principal.user_id, day)
    remaining = None if budget is None else max(0, budget - spent)
    return Usage(day=day, credits_used=spent, daily_credits=budget, remaining=remaining)
