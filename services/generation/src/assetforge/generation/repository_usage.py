"""Every SQL statement of the daily usage (GENERATION_DAILY_CREDITS)."""

from __future__ import annotations

from datetime import date
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.db.repository import Executor
from assetforge.generation.models import UsageDay

T = cast("Table", UsageDay.__table__)


async def charge(session: AsyncSession, owner_id: str, day: date, credits_: int, budget: int | None) -> int | None:
    """Add ``credits_`` to the owner's day unless that passes ``budget``; the new total,
    or None when it would pass (nothing is added). One statement: two submissions at
    once cannot both slip under the budget."""
    if budget is not None and credits_ > budget:
        return None
    statement = insert(T).values(owner_id=owner_id, day=day, credits=credits_)
    total = T.c.credits + statement.excluded.credits
    statement = statement.on_conflict_do_update(
        index_elements=[T.c.owner_id, T.c.day],
        set_={"credits": total},
        where=None if budget is None else total <= budget,
    )
    return cast("int | None", (await session.execute(statement.returning(T.c.credits))).scalar_one_or_none())


async def used(db: Executor, owner_id: str, day: date) -> int:
    found = (await db.execute(select(T.c.credits).where(T.c.owner_id == owner_id, T.c.day == day))).scalar_one_or_none()
    return int(found or 0)
