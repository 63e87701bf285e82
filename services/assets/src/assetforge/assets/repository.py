"""Every SQL statement of the assets service."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, insert, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.assets.models import AssetRecord

_ASSETS = AssetRecord.__table__
_COLUMNS = tuple(_ASSETS.c)


@dataclass(frozen=True, slots=True)
class AssetFilter:
    """Who is looking, and what they asked to see."""

    viewer_id: str | None
    viewer_is_admin: bool = False
    project_id: uuid.UUID | None = None
    type: str | None = None
    status: str | None = None
    owner_id: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class PagePosition:
    """Keyset position: the page starts after this (created_at, id)."""

    created_at: datetime
    id: uuid.UUID


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class AssetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list_page(self, where: AssetFilter, after: PagePosition | None, limit: int) -> list[Row[Any]]:
        """Newest first; fetches ``limit`` rows (callers ask for one extra to detect a next page)."""
        c = _ASSETS.c
        conditions = []
        if not where.viewer_is_admin:
            visible = c.visibility == "public"
            conditions.append(or_(visible, c.owner_id == where.viewer_id) if where.viewer_id else visible)
        if where.project_id is not None:
            conditions.append(c.project_id == where.project_id)
        if where.type is not None:
            conditions.append(c.type == where.type)
        if where.status is not None:
            conditions.append(c.status == where.status)
        if where.owner_id is not None:
            conditions.append(c.owner_id == where.owner_id)
        if where.text:
            pattern = f"%{_escape_like(where.text)}%"
            conditions.append(or_(c.name.ilike(pattern, escape="\\"), c.description.ilike(pattern, escape="\\")))
        if after is not None:
            conditions.append(tuple_(c.created_at, c.id) < tuple_(after.created_at, after.id))
        query = select(*_COLUMNS).where(and_(*conditions)).order_by(c.created_at.desc(), c.id.desc()).limit(limit)
        return list((await self._session.execute(query)).all())

    async def get(self, asset_id: uuid.UUID) -> Row[Any] | None:
        return (await self._session.execute(select(*_COLUMNS).where(_ASSETS.c.id == asset_id))).first()

    async def insert(self, values: dict[str, Any]) -> Row[Any]:
        return (await self._session.execute(insert(_ASSETS).values(**values).returning(*_COLUMNS))).one()
