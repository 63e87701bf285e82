"""Every SQL statement about relationships between entities."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, String, Table, and_, delete, or_, select, tuple_
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import insert as pg_insert

from assetforge.assets.models.projects import RelationshipRecord
from assetforge.assets.repository.projects import Position
from assetforge.common.contracts.projects import Relationship
from assetforge.common.db.repository import Repository

_LINKS = cast("Table", RelationshipRecord.__table__)
_L = _LINKS.c

# In the field order of the Relationship Struct, so a row builds one positionally.
_COLUMNS = (
    sql_cast(_L.id, String).label("id"),
    _L.owner_id,
    _L.source_type,
    _L.source_id,
    _L.target_type,
    _L.target_id,
    _L.relationship_type,
    _L.strength,
    _L.metadata,
    _L.created_at,
)
_SELECT = select(*_COLUMNS)
_NEWEST_FIRST = (_L.created_at.desc(), _L.id.desc())

Entity = tuple[str, str]  # (type, id)


@dataclass(frozen=True, slots=True)
class NewRelationship:
    id: uuid.UUID
    owner_id: str
    source_type: str
    source_id: str
    target_type: str
    target_id: str
    relationship_type: str
    strength: float
    metadata: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RelationshipFilter:
    """Whose links (None: everyone's, for an admin) and which."""

    owner_id: str | None
    source_type: str | None = None
    source_id: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    relationship_type: str | None = None


def _owned_by(owner_id: str | None) -> list[ColumnElement[bool]]:
    return [] if owner_id is None else [_L.owner_id == owner_id]


class RelationshipRepository(Repository):
    async def insert(self, link: NewRelationship) -> Relationship | None:
        """The new link, or None when the owner already has the same one."""
        values = {
            "id": link.id,
            "owner_id": link.owner_id,
            "source_type": link.source_type,
            "source_id": link.source_id,
            "target_type": link.target_type,
            "target_id": link.target_id,
            "relationship_type": link.relationship_type,
            "strength": link.strength,
            "metadata": link.metadata,
        }
        statement = (
            pg_insert(_LINKS)
            .values(**values)
            .on_conflict_do_nothing(constraint="uq_relationships_link")
            .returning(*_COLUMNS)
        )
        row = (await self._executor.execute(statement)).first()
        return Relationship(*row) if row else None

    async def get(self, link_id: uuid.UUID, owner_id: str | None) -> Relationship | None:
        """The link if ``owner_id`` owns it (None: whoever does)."""
        query = _SELECT.where(_L.id == link_id, *_owned_by(owner_id))
        row = (await self._executor.execute(query)).first()
        return Relationship(*row) if row else None

    async def list_page(self, where: RelationshipFilter, after: Position | None, limit: int) -> list[Relationship]:
        conditions = _owned_by(where.owner_id)
        for column, value in (
            (_L.source_type, where.source_type),
            (_L.source_id, where.source_id),
            (_L.target_type, where.target_type),
            (_L.target_id, where.target_id),
            (_L.relationship_type, where.relationship_type),
        ):
            if value is not None:
                conditions.append(column == value)
        if after is not None:
            conditions.append(tuple_(_L.created_at, _L.id) < tuple_(after.created_at, after.id))
        query = _SELECT.where(and_(*conditions)).order_by(*_NEWEST_FIRST).limit(limit)
        return [Relationship(*row) for row in await self._executor.execute(query)]

    async def delete(self, link_id: uuid.UUID) -> None:
        await self._executor.execute(delete(_LINKS).where(_L.id == link_id))

    async def delete_touching(self, entity_type: str, entity_id: str) -> int:
        """Remove every link to or from one entity (it is gone); returns how many."""
        statement = (
            delete(_LINKS)
            .where(
                or_(
                    and_(_L.source_type == entity_type, _L.source_id == entity_id),
                    and_(_L.target_type == entity_type, _L.target_id == entity_id),
                )
            )
            .returning(_L.id)
        )
        return len((await self._executor.execute(statement)).all())

    async def touching_id(self, entity_id: str, owner_id: str | None, limit: int) -> list[Relationship]:
        """Links with ``entity_id`` at either end, whatever its type."""
        condition = or_(_L.source_id == entity_id, _L.target_id == entity_id)
        query = _SELECT.where(condition, *_owned_by(owner_id)).order_by(*_NEWEST_FIRST).limit(limit)
        return [Relationship(*row) for row in await self._executor.execute(query)]

    async def touching_any(self, entities: Sequence[Entity], owner_id: str | None, limit: int) -> list[Relationship]:
        """Links with any of ``entities`` at either end."""
        if not entities:
            return []
        pairs = list(entities)
        condition = or_(
            tuple_(_L.source_type, _L.source_id).in_(pairs),
            tuple_(_L.target_type, _L.target_id).in_(pairs),
        )
        query = _SELECT.where(condition, *_owned_by(owner_id)).order_by(*_NEWEST_FIRST).limit(limit)
        return [Relationship(*row) for row in await self._executor.execute(query)]
