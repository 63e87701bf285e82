"""The catalog's writes: assets inserted, changed and deleted, and the links to variants."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from typing import cast as cast_type

from sqlalchemy import ColumnElement, String, Table, Text, bindparam, cast, delete, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import insert as upsert

from assetforge.assets.models.catalog import AssetRecord, AssetVariantRecord
from assetforge.assets.repository.assets import ASSET_COLUMNS, visible
from assetforge.common.contracts.assets import Asset
from assetforge.common.db.repository import Repository
from assetforge.common.ids import uuid7

_ASSETS = cast_type("Table", AssetRecord.__table__)
_VARIANTS = cast_type("Table", AssetVariantRecord.__table__)
_C = _ASSETS.c


@dataclass(frozen=True, slots=True)
class NewAsset:
    """An asset to insert, in the catalog's own types (columns by name)."""

    id: uuid.UUID
    name: str
    type: str
    owner_id: str
    visibility: str
    status: str
    description: str | None = None
    subtype: str | None = None
    tier: int | None = None
    project_id: uuid.UUID | None = None
    tags: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    prompt: str | None = None
    files: list[str] = field(default_factory=list)
    file_roles: dict[str, str] = field(default_factory=dict)
    cdn_copies: dict[str, str] = field(default_factory=dict)
    model_url: str | None = None
    thumbnail_url: str | None = None
    concept_art_url: str | None = None
    rigged_model_url: str | None = None
    cdn_url: str | None = None
    cdn_thumbnail_url: str | None = None
    cdn_concept_art_url: str | None = None
    cdn_rigged_model_url: str | None = None
    model_file: str | None = None
    parent_asset_id: uuid.UUID | None = None
    is_variant: bool = False
    pipeline_id: str | None = None
    generated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Changes:
    """Column values to set, and the owner's metadata merged in (``removed``: keys dropped)."""

    values: dict[str, Any]
    metadata: dict[str, Any] | None = None
    removed: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Held:
    """What the event handlers read (and lock) of an asset before changing it."""

    id: uuid.UUID
    owner_id: str | None
    name: str
    type: str
    visibility: str
    project_id: uuid.UUID | None
    files: list[str]
    file_roles: dict[str, str]
    cdn_copies: dict[str, str]
    generated_at: datetime | None


_HELD: tuple[ColumnElement[Any], ...] = (
    _C.id,
    _C.owner_id,
    _C.name,
    _C.type,
    _C.visibility,
    _C.project_id,
    _C.files,
    _C.file_roles,
    _C.cdn_copies,
    _C.generated_at,
)


@dataclass(frozen=True, slots=True)
class Removed:
    id: uuid.UUID
    owner_id: str | None
    name: str
    files: list[str]
    parent_asset_id: uuid.UUID | None


class AssetWrites(Repository):
    async def insert(self, asset: NewAsset, *, if_absent: bool = False) -> Asset | None:
        """The inserted asset; with ``if_absent``, None when its id exists already."""
        statement = upsert(_ASSETS).values(**asdict(asset))
        if if_absent:
            statement = statement.on_conflict_do_nothing(index_elements=[_C.id])
        row = (await self._executor.execute(statement.returning(*ASSET_COLUMNS))).first()
        return Asset(*row) if row else None

    async def update(self, ids: list[uuid.UUID], changes: Changes, owner_id: str | None) -> list[Asset]:
        """Change the assets among ``ids`` that ``owner_id`` owns (None: any, for admins)."""
        values: dict[str, Any] = {**changes.values, "updated_at": func.now()}
        if changes.metadata is not None or changes.removed:
            merged = _C.metadata.op("||", return_type=JSONB)(
                cast(bindparam("patch", changes.metadata or {}, JSONB), JSONB)
            )
            removed = cast(bindparam("removed", changes.removed, ARRAY(Text)), ARRAY(Text))
            values["metadata"] = merged.op("-", return_type=JSONB)(removed)
        statement = update(_ASSETS).where(_C.id.in_(ids))
        if owner_id is not None:
            statement = statement.where(_C.owner_id == owner_id)
        rows = await self._executor.execute(statement.values(values).returning(*ASSET_COLUMNS))
        return [Asset(*row) for row in rows]

    async def set_values(self, asset_id: uuid.UUID, values: dict[str, Any]) -> Asset:
        statement = update(_ASSETS).where(_C.id == asset_id).values({**values, "updated_at": func.now()})
        return Asset(*(await self._executor.execute(statement.returning(*ASSET_COLUMNS))).one())

    async def visible_ids(self, ids: list[uuid.UUID], viewer_id: str | None, *, admin: bool) -> set[uuid.UUID]:
        query = select(_C.id).where(_C.id.in_(ids))
        rule = visible(viewer_id, admin=admin)
        if rule is not None:
            query = query.where(rule)
        return set((await self._executor.execute(query)).scalars())

    async def owned_ids(self, ids: list[uuid.UUID], owner_id: str | None) -> set[uuid.UUID]:
        query = select(_C.id).where(_C.id.in_(ids))
        if owner_id is not None:
            query = query.where(_C.owner_id == owner_id)
        return set((await self._executor.execute(query)).scalars())

    async def variant_ids(self, base_id: uuid.UUID, owner_id: str | None) -> list[uuid.UUID]:
        query = select(_C.id).where(_C.parent_asset_id == base_id, _C.owner_id == owner_id)
        return list((await self._executor.execute(query)).scalars())

    async def delete(self, ids: list[uuid.UUID]) -> list[Removed]:
        statement = (
            delete(_ASSETS).where(_C.id.in_(ids)).returning(_C.id, _C.owner_id, _C.name, _C.files, _C.parent_asset_id)
        )
        return [Removed(*row) for row in await self._executor.execute(statement)]

    async def referenced(self, file_ids: list[str]) -> set[str]:
        """Which of ``file_ids`` some asset still holds."""
        if not file_ids:
            return set()
        held = select(func.unnest(_C.files)).where(_C.files.overlap(cast(file_ids, ARRAY(String(64)))))
        return set((await self._executor.execute(held)).scalars()) & set(file_ids)

    async def lock(self, asset_id: uuid.UUID) -> Held | None:
        query = select(*_HELD).where(_C.id == asset_id).with_for_update()
        row = (await self._executor.execute(query)).first()
        return Held(*row) if row else None

    async def lock_holders(self, file_id: str) -> list[Held]:
        """The assets that hold a media file, locked (the GIN index on ``files`` finds them)."""
        query = (
            select(*_HELD)
            .where(_C.files.contains(cast([file_id], ARRAY(String(64)))))
            .order_by(_C.id)
            .with_for_update()
        )
        return [Held(*row) for row in await self._executor.execute(query)]

    async def variant_of(self, base_id: uuid.UUID, preset_id: str) -> uuid.UUID | None:
        query = select(_VARIANTS.c.variant_asset_id).where(
            _VARIANTS.c.base_asset_id == base_id, _VARIANTS.c.preset_id == preset_id
        )
        return cast_type("uuid.UUID | None", (await self._executor.execute(query)).scalar())

    async def link_variant(self, base_id: uuid.UUID, preset_id: str, variant_id: uuid.UUID) -> None:
        statement = (
            upsert(_VARIANTS)
            .values(id=uuid7(), base_asset_id=base_id, preset_id=preset_id, variant_asset_id=variant_id)
            .on_conflict_do_nothing()
        )
        await self._executor.execute(statement)
