"""Every SQL statement of the assets service."""

from __future__ import annotations

import functools
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from typing import cast as cast_type

from sqlalchemy import (
    ColumnElement,
    String,
    Table,
    and_,
    bindparam,
    cast,
    insert,
    or_,
    select,
    true,
    tuple_,
    type_coerce,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.types import NullType

from assetforge.assets.models import AssetRecord
from assetforge.common.contracts.assets import Asset
from assetforge.common.db.prepared import CompiledQuery
from assetforge.common.db.repository import Repository, contains_pattern

_ASSETS = cast_type("Table", AssetRecord.__table__)


def _as_wire(name: str) -> ColumnElement[Any]:
    """A column as the wire wants it: UUIDs as text (PostgreSQL formats them faster than
    Python), arrays straight from the driver (already lists of strings)."""
    column = _ASSETS.c[name]
    if isinstance(column.type, postgresql.UUID):
        return cast(column, String).label(name)
    if isinstance(column.type, postgresql.ARRAY):
        return type_coerce(column, NullType()).label(name)
    return column


# In the field order of the Asset Struct, so a row builds one positionally (Asset(*row))
# and the catalog's hot path spends no Python per column. Enum fields then hold their
# plain string values, which encode the same.
ASSET_COLUMNS = tuple(_as_wire(name) for name in Asset.__struct_fields__)
# Built once: coercing thirty-odd columns per query costs more than running it.
_SELECT_ASSETS = select(*ASSET_COLUMNS)
_NEWEST_FIRST = _SELECT_ASSETS.order_by(_ASSETS.c.created_at.desc(), _ASSETS.c.id.desc())


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


@dataclass(frozen=True, slots=True)
class PageShape:
    """Which filters a listing uses; one compiled statement per shape."""

    viewer: bool
    admin: bool
    project: bool
    asset_type: bool
    status: bool
    owner: bool
    text: bool
    after: bool


def _visible(*, viewer: bool, admin: bool) -> ColumnElement[bool] | None:
    """The one rule of who sees an asset: an admin every one; anyone else the public ones
    and, when signed in (``viewer_id``), their own. None: no condition."""
    if admin:
        return None
    public = _ASSETS.c.visibility == "public"
    return or_(public, _ASSETS.c.owner_id == bindparam("viewer_id")) if viewer else public


@functools.cache
def _page_query(shape: PageShape) -> CompiledQuery:
    c = _ASSETS.c
    conditions: list[ColumnElement[bool]] = []
    visible = _visible(viewer=shape.viewer, admin=shape.admin)
    if visible is not None:
        conditions.append(visible)
    if shape.project:
        conditions.append(c.project_id == bindparam("project_id"))
    if shape.asset_type:
        conditions.append(c.type == bindparam("asset_type"))
    if shape.status:
        conditions.append(c.status == bindparam("status"))
    if shape.owner:
        conditions.append(c.owner_id == bindparam("owner_id"))
    if shape.text:
        pattern: BindParameter[str] = bindparam("pattern")
        conditions.append(or_(c.name.ilike(pattern, escape="\\"), c.description.ilike(pattern, escape="\\")))
    if shape.after:
        position = tuple_(
            bindparam("after_created_at", type_=c.created_at.type), bindparam("after_id", type_=c.id.type)
        )
        conditions.append(tuple_(c.created_at, c.id) < position)
    return CompiledQuery(_NEWEST_FIRST.where(and_(true(), *conditions)).limit(bindparam("limit")))


@dataclass(frozen=True, slots=True)
class NewAsset:
    """An asset to insert, in the catalog's own types."""

    id: uuid.UUID
    name: str
    description: str | None
    type: str
    visibility: str
    status: str
    owner_id: str
    project_id: uuid.UUID | None
    tags: list[str]
    metadata: dict[str, Any]
    prompt: str | None
    files: list[str]


class AssetRepository(Repository):
    async def list_page(self, where: AssetFilter, after: PagePosition | None, limit: int) -> list[Asset]:
        """Newest first; fetches ``limit`` rows (callers ask for one extra to detect a next page)."""
        if not isinstance(self._executor, AsyncConnection):
            raise TypeError("list_page runs on a read connection (Database.read_only)")
        shape = PageShape(
            viewer=where.viewer_id is not None,
            admin=where.viewer_is_admin,
            project=where.project_id is not None,
            asset_type=where.type is not None,
            status=where.status is not None,
            owner=where.owner_id is not None,
            text=bool(where.text),
            after=after is not None,
        )
        params: dict[str, Any] = {
            "viewer_id": where.viewer_id,
            "project_id": where.project_id,
            "asset_type": where.type,
            "status": where.status,
            "owner_id": where.owner_id,
            "pattern": contains_pattern(where.text) if where.text else None,
            "after_created_at": after.created_at if after else None,
            "after_id": after.id if after else None,
            "limit": limit,
        }
        return [Asset(*row) for row in await _page_query(shape).fetch(self._executor, params)]

    async def get(self, asset_id: uuid.UUID, viewer_id: str | None, *, admin: bool) -> Asset | None:
        """The asset, if the viewer may see it (the same rule as the listing's)."""
        query = _SELECT_ASSETS.where(_ASSETS.c.id == asset_id)
        visible = _visible(viewer=viewer_id is not None, admin=admin)
        if visible is not None:
            query = query.where(visible)
        params = {"viewer_id": viewer_id} if viewer_id is not None and not admin else {}
        row = (await self._executor.execute(query, params)).first()
        return Asset(*row) if row else None

    async def insert(self, asset: NewAsset) -> Asset:
        statement = insert(_ASSETS).values(**asdict(asset)).returning(*ASSET_COLUMNS)
        return Asset(*(await self._executor.execute(statement)).one())
