"""What other services' events do to the catalog: a finished pipeline becomes its asset and
variants; a media file's CDN copy and deletion reach the assets that hold it.

Each runs in the transaction of the consumer's inbox row (bus/consumer.py), so a
redelivered message changes nothing; the pipeline's asset id is fixed by the event, so a
republished one (another message id) updates the same asset rather than adding one.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.assets.repository.asset_writes import AssetWrites, Changes, Held, NewAsset
from assetforge.assets.service.asset_changes import ROLE_COLUMNS, check_metadata
from assetforge.assets.service.asset_writes import announce_created, announce_updated
from assetforge.common.contracts.assets import AssetStatus, AssetType
from assetforge.common.contracts.generation import (
    GeneratedFile,
    PipelineCompleted,
    PipelineVariant,
    catalog_asset_id,
    variant_asset_id,
)
from assetforge.common.contracts.media import FileDeleted, FileMirrored

log = logging.getLogger(__name__)


_TYPES = frozenset(kind.value for kind in AssetType)
# Columns the wire shows under another name, or not at all.
_WIRE_NAMES: dict[str, str | None] = {"cdn_copies": "cdnFiles", "file_roles": None, "pipeline_id": None}


def _changed(values: dict[str, Any]) -> list[str]:
    """The wire names of the fields ``values`` sets, for the updated event."""
    names = []
    for column in values:
        head, *rest = column.split("_")
        name = _WIRE_NAMES.get(column, head + "".join(part.title() for part in rest))
        if name is not None:
            names.append(name)
    return names


def _parse(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class _Base:
    """What a variant takes from its base asset."""

    id: uuid.UUID
    owner_id: str
    name: str
    type: str
    visibility: str
    project_id: uuid.UUID | None


def _file_parts(files: dict[str, GeneratedFile | None], extra: list[str], held: Held | None) -> dict[str, Any]:
    """The columns the generated files set, added to what the asset already holds."""
    values: dict[str, Any] = {}
    file_ids = list(held.files) if held else []
    roles = dict(held.file_roles) if held else {}
    copies = dict(held.cdn_copies) if held else {}
    for role, file in files.items():
        if file is None:
            continue
        url_column, cdn_column = ROLE_COLUMNS[role]
        values[url_column], values[cdn_column] = file.url, file.cdn_url
        if role == "model":
            values["model_file"] = (file.file_name or file.url.rsplit("/", 1)[-1])[:255] or None
        if file.file_id:
            roles[role] = file.file_id
            file_ids.append(file.file_id)
            if file.cdn_url:
                copies[file.file_id] = file.cdn_url
        else:
            roles.pop(role, None)
    values["files"] = list(dict.fromkeys([*file_ids, *extra]))
    values["file_roles"], values["cdn_copies"] = roles, copies
    return values


def _stale(held: Held, event: PipelineCompleted) -> bool:
    """Whether the asset already holds this completion or a later one."""
    return held.generated_at is not None and event.completed_at <= held.generated_at


async def apply_pipeline(session: AsyncSession, event: PipelineCompleted) -> None:
    writes = AssetWrites(session)
    asset_id = catalog_asset_id(event.pipeline_id, event.asset_id)
    check_metadata(event.metadata)
    files = {
        "model": event.model,
        "thumbnail": event.thumbnail,
        "conceptArt": event.concept_art,
        "riggedModel": event.rigged_model,
    }
    held = await writes.lock(asset_id)
    if held is None:
        known = event.type in _TYPES
        metadata = {**event.metadata, **({} if known else {"generationType": event.type})}
        new = NewAsset(
            id=asset_id,
            name=event.name,
            type=event.type if known else AssetType.ITEM.value,
            owner_id=event.owner_id,
            visibility=event.visibility.value,
            status=AssetStatus.COMPLETED.value,
            subtype=event.subtype,
            tier=event.tier,
            project_id=_parse(event.project_id),
            metadata=metadata,
            prompt=event.prompt,
            pipeline_id=event.pipeline_id,
            generated_at=event.completed_at,
            **_file_parts(files, event.file_ids, None),
        )
        created = await writes.insert(new, if_absent=True)
        if created is not None:
            await announce_created(session, created, source="generation")
        held = await writes.lock(asset_id)  # ours, or one a concurrent delivery made
    if held is None:
        return
    if held.owner_id != event.owner_id:
        log.warning("pipeline %s names asset %s of another owner; ignored", event.pipeline_id, asset_id)
        return
    if not _stale(held, event) and (any(files.values()) or event.file_ids or event.prompt or event.metadata):
        values = {**_file_parts(files, event.file_ids, held), "generated_at": event.completed_at}
        values |= {"pipeline_id": event.pipeline_id, **({"prompt": event.prompt} if event.prompt else {})}
        [asset] = await writes.update([asset_id], Changes(values, metadata=event.metadata or None), None)
        await announce_updated(session, asset, _changed(values) + ["metadata"] * bool(event.metadata))
    base = _Base(asset_id, event.owner_id, held.name, held.type, held.visibility, held.project_id)
    for variant in event.variants:
        await _apply_variant(session, base, variant, event)


async def _apply_variant(
    session: AsyncSession, base: _Base, variant: PipelineVariant, event: PipelineCompleted
) -> None:
    writes = AssetWrites(session)
    check_metadata(variant.metadata)
    linked = await writes.variant_of(base.id, variant.preset_id)
    variant_id = linked or variant_asset_id(str(base.id), variant.preset_id)
    files = {"model": variant.model, "thumbnail": variant.thumbnail}
    held = await writes.lock(variant_id)
    if held is None:
        new = NewAsset(
            id=variant_id,
            name=variant.name or f"{base.name} ({variant.preset_id})"[:255],
            type=base.type,
            owner_id=base.owner_id,
            visibility=base.visibility,
            status=AssetStatus.COMPLETED.value,
            project_id=base.project_id,
            metadata={**variant.metadata, "materialPresetId": variant.preset_id},
            prompt=event.prompt,
            parent_asset_id=base.id,
            is_variant=True,
            pipeline_id=event.pipeline_id,
            generated_at=event.completed_at,
            **_file_parts(files, variant.file_ids, None),
        )
        created = await writes.insert(new, if_absent=True)
        if created is not None:
            await announce_created(session, created, source="generation")
    elif held.owner_id == base.owner_id and not _stale(held, event):
        values = {**_file_parts(files, variant.file_ids, held), "generated_at": event.completed_at}
        [asset] = await writes.update([variant_id], Changes(values, metadata=variant.metadata or None), None)
        await announce_updated(session, asset, _changed(values))
    await writes.link_variant(base.id, variant.preset_id, variant_id)


async def file_deleted(session: AsyncSession, event: FileDeleted) -> None:
    """The file leaves every asset that held it, with the URLs it was serving."""
    writes = AssetWrites(session)
    for held in await writes.lock_holders(event.file_id):
        values: dict[str, Any] = {"files": [f for f in held.files if f != event.file_id]}
        roles = dict(held.file_roles)
        for role in [role for role, file_id in roles.items() if file_id == event.file_id]:
            del roles[role]
            for column in ROLE_COLUMNS[role]:
                values[column] = None
            if role == "model":
                values["model_file"] = None
        values["file_roles"] = roles
        values["cdn_copies"] = {k: v for k, v in held.cdn_copies.items() if k != event.file_id}
        asset = await writes.set_values(held.id, values)
        await announce_updated(session, asset, _changed(values))


async def file_mirrored(session: AsyncSession, event: FileMirrored) -> None:
    """The file's CDN copy reaches the assets that hold it (``cdnFiles``, and ``cdnUrl``
    and its kin for the file's role)."""
    writes = AssetWrites(session)
    for held in await writes.lock_holders(event.file_id):
        if held.cdn_copies.get(event.file_id) == event.cdn_url:
            continue
        values: dict[str, Any] = {"cdn_copies": {**held.cdn_copies, event.file_id: event.cdn_url}}
        for role, file_id in held.file_roles.items():
            if file_id == event.file_id:
                values[ROLE_COLUMNS[role][1]] = event.cdn_url
        asset = await writes.set_values(held.id, values)
        await announce_updated(session, asset, _changed(values))
