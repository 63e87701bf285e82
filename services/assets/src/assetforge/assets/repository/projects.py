"""Every SQL statement about projects, and the project's reads and one write on assets."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Numeric,
    String,
    Table,
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import JSONB

from assetforge.assets.models import AssetRecord
from assetforge.assets.models.projects import ProjectRecord
from assetforge.common.contracts.projects import Project
from assetforge.common.db.repository import Repository

_PROJECTS = cast("Table", ProjectRecord.__table__)
_ASSETS = cast("Table", AssetRecord.__table__)
_P = _PROJECTS.c

# In the field order of the Project Struct, so a row builds one positionally.
_PROJECT_COLUMNS = (
    sql_cast(_P.id, String).label("id"),
    _P.owner_id,
    _P.name,
    _P.description,
    _P.settings,
    _P.metadata,
    _P.archived_at.is_not(None).label("is_archived"),
    _P.archived_at,
    _P.created_at,
    _P.updated_at,
)
_SELECT_PROJECTS = select(*_PROJECT_COLUMNS)


@dataclass(frozen=True, slots=True)
class Position:
    """Keyset position in a newest-first listing: the page starts after this row."""

    created_at: datetime
    id: uuid.UUID


@dataclass(frozen=True, slots=True)
class NewProject:
    id: uuid.UUID
    owner_id: str
    name: str
    description: str | None
    settings: dict[str, Any]
    metadata: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ProjectUpdate:
    """What a PATCH sets: each field named in ``changed`` takes the value given here."""

    changed: frozenset[str]
    name: str = ""
    description: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AssetFigures:
    count: int
    by_type: dict[str, int]
    total_size_bytes: int
    last_modified_at: datetime | None


def _visible_to(viewer_id: str, *, admin: bool) -> ColumnElement[bool]:
    """A project is its owner's; an admin sees every one."""
    return true() if admin else _P.owner_id == viewer_id


def _visible_assets(viewer_id: str, *, admin: bool) -> ColumnElement[bool]:
    """The catalog's rule of who sees an asset, as its listing applies it: an admin every
    one, anyone else the public ones and their own."""
    if admin:
        return true()
    return or_(_ASSETS.c.visibility == "public", _ASSETS.c.owner_id == viewer_id)


class ProjectRepository(Repository):
    async def insert(self, project: NewProject) -> Project:
        values = {
            "id": project.id,
            "owner_id": project.owner_id,
            "name": project.name,
            "description": project.description,
            "settings": project.settings,
            "metadata": project.metadata,
        }
        statement = insert(_PROJECTS).values(**values).returning(*_PROJECT_COLUMNS)
        return Project(*(await self._executor.execute(statement)).one())

    async def get(
        self, project_id: uuid.UUID, viewer_id: str, *, admin: bool, for_update: bool = False
    ) -> Project | None:
        """The project if the viewer may see it; ``for_update`` locks it for a change."""
        query = _SELECT_PROJECTS.where(_P.id == project_id, _visible_to(viewer_id, admin=admin))
        if for_update:
            query = query.with_for_update()
        row = (await self._executor.execute(query)).first()
        return Project(*row) if row else None

    async def list_page(
        self, owner_id: str, *, include_archived: bool, after: Position | None, limit: int
    ) -> list[Project]:
        """One owner's projects, newest first (``limit`` rows; ask one extra to detect more)."""
        conditions: list[ColumnElement[bool]] = [_P.owner_id == owner_id]
        if not include_archived:
            conditions.append(_P.archived_at.is_(None))
        if after is not None:
            conditions.append(tuple_(_P.created_at, _P.id) < tuple_(after.created_at, after.id))
        query = _SELECT_PROJECTS.where(and_(*conditions)).order_by(_P.created_at.desc(), _P.id.desc()).limit(limit)
        return [Project(*row) for row in await self._executor.execute(query)]

    async def update(self, project_id: uuid.UUID, changes: ProjectUpdate) -> Project:
        values: dict[str, Any] = {name: getattr(changes, name) for name in changes.changed}
        values["updated_at"] = func.now()
        statement = update(_PROJECTS).where(_P.id == project_id).values(**values).returning(*_PROJECT_COLUMNS)
        return Project(*(await self._executor.execute(statement)).one())

    async def set_archived(self, project_id: uuid.UUID, *, archived: bool) -> Project:
        statement = (
            update(_PROJECTS)
            .where(_P.id == project_id)
            .values(archived_at=func.now() if archived else None, updated_at=func.now())
            .returning(*_PROJECT_COLUMNS)
        )
        return Project(*(await self._executor.execute(statement)).one())

    async def delete(self, project_id: uuid.UUID) -> int:
        """Delete the project and unassign its assets (kept, with no project), in the
        caller's transaction; returns how many assets were unassigned."""
        unassigned = await self._executor.execute(
            update(_ASSETS)
            .where(_ASSETS.c.project_id == project_id)
            .values(project_id=None, updated_at=func.now())
            .returning(_ASSETS.c.id)
        )
        count = len(unassigned.all())
        await self._executor.execute(delete(_PROJECTS).where(_P.id == project_id))
        return count

    async def asset_visible(self, asset_id: uuid.UUID, viewer_id: str, *, admin: bool) -> bool:
        """Whether the asset exists and the viewer may see it."""
        query = select(_ASSETS.c.id).where(_ASSETS.c.id == asset_id, _visible_assets(viewer_id, admin=admin))
        return (await self._executor.execute(query)).first() is not None

    async def asset_figures(self, project_id: uuid.UUID, viewer_id: str, *, admin: bool) -> AssetFigures:
        """Counts, types, sizes and the latest change of the project's visible assets, in one
        statement (a grouped subquery, then its totals)."""
        a = _ASSETS.c
        by_type = (
            select(
                a.type.label("type"),
                func.count().label("n"),
                func.coalesce(func.sum(_size_of_files()), 0).label("size"),
                func.max(a.updated_at).label("latest"),
            )
            .where(a.project_id == project_id, _visible_assets(viewer_id, admin=admin))
            .group_by(a.type)
            .subquery()
        )
        query = select(
            func.coalesce(func.sum(by_type.c.n), 0),
            func.jsonb_object_agg(by_type.c.type, by_type.c.n, type_=JSONB),  # NULL when there is no asset
            func.coalesce(func.sum(by_type.c.size), 0),
            func.max(by_type.c.latest),
        )
        count, types, size, latest = (await self._executor.execute(query)).one()
        return AssetFigures(int(count), dict(types or {}), int(size), latest)


def _size_of_files() -> ColumnElement[Any]:
    """The bytes of one asset's files as far as the catalog knows them: the ``fileSize``
    its metadata records when that is a non-negative number, else nothing (NULL, which
    the sums skip). Summed as NUMERIC, so no recorded value can overflow the query."""
    size = _ASSETS.c.metadata["fileSize"]
    as_number = sql_cast(size.astext, Numeric)
    return case((and_(func.jsonb_typeof(size) == "number", as_number >= 0), as_number), else_=None)
