"""Every SQL statement about material presets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, or_, select, text, update

from assetforge.assets.models.worlds import MaterialPresetRecord
from assetforge.common.contracts.material_presets import MaterialPreset
from assetforge.common.db.repository import Repository

_PRESETS = cast("Table", MaterialPresetRecord.__table__)
_P = _PRESETS.c
# In the field order of the Struct, so a row builds one positionally.
_COLUMNS = tuple(_P[name] for name in MaterialPreset.__struct_fields__)
# System presets first, then by category, tier and id: the order is stable for a bare array.
_ORDER = (_P.is_system.desc(), _P.category, _P.tier, _P.id)
# Serialises one owner's creations, so concurrent ones cannot pass the per-user bound together.
_OWNER_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended('assets.material_preset.owner:' || :owner, 0))")


@dataclass(frozen=True, slots=True)
class StoredPreset:
    preset: MaterialPreset
    owner_id: str | None


@dataclass(frozen=True, slots=True)
class NewPreset:
    id: str
    owner_id: str
    name: str
    display_name: str
    category: str
    tier: int
    color: str
    style_prompt: str


class PresetRepository(Repository):
    async def list_for(self, owner_id: str | None, category: str | None) -> list[MaterialPreset]:
        """The system presets and, with ``owner_id``, that owner's custom ones."""
        visible = or_(_P.is_system, _P.owner_id == owner_id) if owner_id is not None else _P.is_system
        query = select(*_COLUMNS).where(visible)
        if category is not None:
            query = query.where(_P.category == category)
        return [MaterialPreset(*row) for row in await self._executor.execute(query.order_by(*_ORDER))]

    async def get(self, preset_id: str, *, for_update: bool = False) -> StoredPreset | None:
        query = select(*_COLUMNS, _P.owner_id).where(_P.id == preset_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._executor.execute(query)).first()
        return StoredPreset(MaterialPreset(*row[:-1]), row[-1]) if row else None

    async def lock_owner(self, owner_id: str) -> None:
        await self._executor.execute(_OWNER_LOCK, {"owner": owner_id})

    async def count_custom(self, owner_id: str) -> int:
        query = select(func.count()).select_from(_PRESETS).where(_P.owner_id == owner_id)
        return int((await self._executor.execute(query)).scalar_one())

    async def insert(self, preset: NewPreset) -> MaterialPreset:
        values: dict[str, Any] = {name: getattr(preset, name) for name in NewPreset.__dataclass_fields__}
        statement = insert(_PRESETS).values(**values, is_system=False).returning(*_COLUMNS)
        return MaterialPreset(*(await self._executor.execute(statement)).one())

    async def update(self, preset_id: str, values: dict[str, Any]) -> MaterialPreset:
        statement = (
            update(_PRESETS)
            .where(_P.id == preset_id, _P.is_system.is_(False))
            .values(**values, updated_at=func.now())
            .returning(*_COLUMNS)
        )
        return MaterialPreset(*(await self._executor.execute(statement)).one())

    async def delete(self, preset_id: str) -> None:
        await self._executor.execute(delete(_PRESETS).where(_P.id == preset_id, _P.is_system.is_(False)))
