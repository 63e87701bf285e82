"""What every service's repositories share: the session they run on, LIKE patterns
that match literally, and a page of rows with the total they come from."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

Executor = AsyncSession | AsyncConnection


class Repository:
    """Base of a repository: SQL on one session (a unit of work) or read connection."""

    def __init__(self, executor: Executor) -> None:
        self._executor = executor


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its ``%``, ``_`` and ``\\`` taken literally
    (use with ``escape="\\\\"``)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def page(
    executor: Executor, query: Select[Any], conditions: list[ColumnElement[bool]], limit: int, offset: int
) -> tuple[list[Any], int]:
    """The rows of ``query`` from ``offset`` (``limit`` of them), and how many match in all."""
    rows = await executor.execute(query.where(*conditions).limit(limit).offset(offset))
    counted = select(func.count()).select_from(query.where(*conditions).order_by(None).subquery())
    total = (await executor.execute(counted)).scalar_one()
    return list(rows), int(total)
