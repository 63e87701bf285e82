"""Every SQL statement about world configs and their history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, String, Table, delete, func, insert, select, text, true, update
from sqlalchemy import cast as sql_cast

from assetforge.assets.models.worlds import WorldConfigHistoryRecord, WorldConfigRecord
from assetforge.common.contracts.worlds import WorldConfig, WorldConfigHistoryEntry
from assetforge.common.db.repository import Repository

_CONFIGS = cast("Table", WorldConfigRecord.__table__)
_HISTORY = cast("Table", WorldConfigHistoryRecord.__table__)
_C = _CONFIGS.c
_H = _HISTORY.c


def _wire(table: Table, name: str) -> ColumnElement[Any]:
    column = table.c[name]
    return sql_cast(column, String).label(name) if name in {"id", "config_id"} else column


# In the field order of the Structs, so a row builds one positionally.
_CONFIG_COLUMNS = tuple(_wire(_CONFIGS, name) for name in WorldConfig.__struct_fields__)
_HISTORY_COLUMNS = tuple(_wire(_HISTORY, name) for name in WorldConfigHistoryEntry.__struct_fields__)
_SELECT_CONFIGS = select(*_CONFIG_COLUMNS)
# Who may change a config's active flag is serialised per owner by this lock (taken
# before any row lock, always), so concurrent activations queue instead of colliding on
# the one-active index; the index still guarantees the rule if anything skipped the lock.
_OWNER_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended('assets.world_config.active:' || :owner, 0))")


@dataclass(frozen=True, slots=True)
class ConfigFilter:
    """Whose configs a listing shows: the viewer's own, or (an admin) anyone's."""

    viewer_id: str
    admin: bool
    owner_id: str | None = None
    include_templates: bool = True
    templates_only: bool = False


@dataclass(frozen=True, slots=True)
class NewHistory:
    config: WorldConfig
    change_type: str
    changed_by: str | None
    changed_fields: list[str]
    snapshot: dict[str, Any]


def _visible_to(viewer_id: str, *, admin: bool) -> ColumnElement[bool]:
    """A config is its owner's; an admin sees every one."""
    return true() if admin else _C.owner_id == viewer_id


class WorldConfigRepository(Repository):
    async def insert(self, config_id: uuid.UUID, owner_id: str, content: dict[str, Any]) -> WorldConfig:
        """A new config (version 1, not active) from its content columns."""
        statement = insert(_CONFIGS).values(id=config_id, owner_id=owner_id, **content).returning(*_CONFIG_COLUMNS)
        return WorldConfig(*(await self._executor.execute(statement)).one())

    async def get(
        self, config_id: uuid.UUID, viewer_id: str, *, admin: bool, for_update: bool = False
    ) -> WorldConfig | None:
        """The config if the viewer may see it; ``for_update`` locks its row for a change."""
        query = _SELECT_CONFIGS.where(_C.id == config_id, _visible_to(viewer_id, admin=admin))
        if for_update:
            query = query.with_for_update()
        row = (await self._executor.execute(query)).first()
        return WorldConfig(*row) if row else None

    async def active(self, owner_id: str) -> WorldConfig | None:
        row = (await self._executor.execute(_SELECT_CONFIGS.where(_C.owner_id == owner_id, _C.is_active))).first()
        return WorldConfig(*row) if row else None

    async def list_page(self, where: ConfigFilter, after: uuid.UUID | None, limit: int) -> list[WorldConfig]:
        """Newest first (UUIDv7 ids sort by creation); ``limit`` rows, ask one extra to see more."""
        conditions = [_visible_to(where.viewer_id, admin=where.admin)]
        if where.owner_id is not None:
            conditions.append(_C.owner_id == where.owner_id)
        if where.templates_only:
            conditions.append(_C.is_template)
        elif not where.include_templates:
            conditions.append(_C.is_template.is_(False))
        if after is not None:
            conditions.append(_C.id < after)
        query = _SELECT_CONFIGS.where(*conditions).order_by(_C.id.desc()).limit(limit)
        return [WorldConfig(*row) for row in await self._executor.execute(query)]

    async def lock_owner(self, owner_id: str) -> None:
        """Wait for (then hold, until the transaction ends) the owner's activation lock."""
        await self._executor.execute(_OWNER_LOCK, {"owner": owner_id})

    async def update(self, config_id: uuid.UUID, values: dict[str, Any]) -> WorldConfig:
        """Apply ``values`` (columns) and count a new version."""
        statement = (
            update(_CONFIGS)
            .where(_C.id == config_id)
            .values(**values, version=_C.version + 1, updated_at=func.now())
            .returning(*_CONFIG_COLUMNS)
        )
        return WorldConfig(*(await self._executor.execute(statement)).one())

    async def deactivate_others(self, owner_id: str, keep: uuid.UUID) -> list[WorldConfig]:
        """Deactivate the owner's active config unless it is ``keep``; each one changed counts a version."""
        statement = (
            update(_CONFIGS)
            .where(_C.owner_id == owner_id, _C.is_active, _C.id != keep)
            .values(is_active=False, version=_C.version + 1, updated_at=func.now())
            .returning(*_CONFIG_COLUMNS)
        )
        return [WorldConfig(*row) for row in await self._executor.execute(statement)]

    async def delete(self, config_id: uuid.UUID) -> None:
        """The config and (by the foreign key's cascade) its history."""
        await self._executor.execute(delete(_CONFIGS).where(_C.id == config_id))

    async def add_history(self, entry: NewHistory, entry_id: uuid.UUID) -> None:
        await self._executor.execute(
            insert(_HISTORY).values(
                id=entry_id,
                config_id=uuid.UUID(entry.config.id),
                version=entry.config.version,
                change_type=entry.change_type,
                changed_by=entry.changed_by,
                changed_fields=entry.changed_fields,
                snapshot=entry.snapshot,
            )
        )

    async def history_page(
        self, config_id: uuid.UUID, before_version: int | None, limit: int
    ) -> list[WorldConfigHistoryEntry]:
        """Newest version first; ``limit`` rows, ask one extra to see more."""
        conditions = [_H.config_id == config_id]
        if before_version is not None:
            conditions.append(_H.version < before_version)
        query = select(*_HISTORY_COLUMNS).where(*conditions).order_by(_H.version.desc()).limit(limit)
        return [WorldConfigHistoryEntry(*row) for row in await self._executor.execute(query)]
