"""Material presets: the system catalogue is public and read-only, custom presets are
their owner's.

A system preset answers 403 to a change, from anyone: it is public (no id to hide, so
not the 404 of private things), and read-only for admins too, because the catalogue is
seeded by migrations with ids the frontend and retexture jobs name; an edit here would
drift from the code that ships it. New materials are custom presets.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.assets.models import outbox
from assetforge.assets.models.worlds import CUSTOM_PRESET_PREFIX
from assetforge.assets.repository.presets import NewPreset, PresetRepository, StoredPreset
from assetforge.common.bus.context import Principal
from assetforge.common.bus.outbox import add_event
from assetforge.common.contracts import material_presets as contract
from assetforge.common.db.repository import Executor
from assetforge.common.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from assetforge.common.ids import uuid7

_COLUMNS = {"name": "name", "displayName": "display_name", "category": "category", "tier": "tier"}
_COLUMNS |= {"color": "color", "stylePrompt": "style_prompt"}


def _signed_in(viewer: Principal | None) -> Principal:
    if viewer is None:
        raise Unauthorized("custom presets need a signed-in user")
    return viewer


def _not_blank(field: str, value: str | None) -> None:
    if value is not None and not value.strip():
        raise ValidationFailed.of(field, "must not be blank")


async def list_presets(
    db: Executor, query: contract.ListMaterialPresets, viewer: Principal | None
) -> contract.MaterialPresetList:
    """The system presets and the viewer's custom ones (an admin may ask for another owner's)."""
    owner = viewer.user_id if viewer else None
    if viewer is not None and viewer.is_admin and query.owner_id is not None:
        owner = query.owner_id
    return contract.MaterialPresetList(presets=await PresetRepository(db).list_for(owner, query.category))


async def create_preset(
    session: AsyncSession, command: contract.CreateMaterialPreset, viewer: Principal | None
) -> contract.MaterialPreset:
    viewer = _signed_in(viewer)
    _not_blank("displayName", command.display_name)
    _not_blank("name", command.name)
    _not_blank("stylePrompt", command.style_prompt)
    display_name = command.display_name or command.name
    if display_name is None:
        raise ValidationFailed.of("displayName", "is required (or name)")
    name = command.name or (re.sub(r"[^a-z0-9]+", "-", display_name.lower()).strip("-")[:64] or "custom")
    repository = PresetRepository(session)
    await repository.lock_owner(viewer.user_id)
    if await repository.count_custom(viewer.user_id) >= contract.MAX_CUSTOM_PRESETS:
        raise Conflict(f"a user keeps at most {contract.MAX_CUSTOM_PRESETS} custom presets; delete one first")
    new = NewPreset(
        id=f"{CUSTOM_PRESET_PREFIX}{uuid7().hex}",
        owner_id=viewer.user_id,
        name=name,
        display_name=display_name,
        category=command.category,
        tier=command.tier,
        color=command.color,
        style_prompt=command.style_prompt,
    )
    preset = await repository.insert(new)
    await _announce(session, preset.id, viewer.user_id, "created")
    return preset


async def _changeable(session: AsyncSession, preset_id: str, viewer: Principal) -> StoredPreset:
    """A custom preset the viewer owns (or any, for an admin); a system one is a 403."""
    stored = await PresetRepository(session).get(preset_id, for_update=True)
    if stored is not None and stored.preset.is_system:
        raise Forbidden("system presets are read-only; create a custom preset instead")
    # Another user's custom preset answers exactly like a missing one.
    if stored is None or not (viewer.is_admin or stored.owner_id == viewer.user_id):
        raise NotFound("material preset not found")
    return stored


async def update_preset(
    session: AsyncSession, command: contract.UpdateMaterialPreset, viewer: Principal | None
) -> contract.MaterialPreset:
    viewer = _signed_in(viewer)
    stored = await _changeable(session, command.id, viewer)
    changes = msgspec.to_builtins(command.changes)
    for field in ("name", "displayName", "stylePrompt"):
        _not_blank(field, changes.get(field))
    values = {_COLUMNS[field]: value for field, value in changes.items()}
    if not values:
        return stored.preset
    preset = await PresetRepository(session).update(command.id, values)
    await _announce(session, preset.id, stored.owner_id or viewer.user_id, "updated")
    return preset


async def delete_preset(
    session: AsyncSession, ref: contract.MaterialPresetRef, viewer: Principal | None
) -> contract.MaterialPresetDeleted:
    viewer = _signed_in(viewer)
    stored = await _changeable(session, ref.id, viewer)
    await PresetRepository(session).delete(ref.id)
    await _announce(session, ref.id, stored.owner_id or viewer.user_id, "deleted")
    return contract.MaterialPresetDeleted(message=f"material preset {ref.id} deleted")


async def _announce(session: AsyncSession, preset_id: str, owner_id: str, change: str) -> None:
    event = contract.MaterialPresetChanged(
        preset_id=preset_id, owner_id=owner_id, change=change, changed_at=datetime.now(UTC)
    )
    await add_event(session, outbox, contract.material_preset_event_subject(preset_id, change), event)
