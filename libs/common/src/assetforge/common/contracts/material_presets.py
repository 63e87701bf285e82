"""Material presets on the assets service's bus: the system catalogue (seeded, public,
read-only) and users' custom presets (private to their owner).

A listing is small and bounded (the system presets plus at most ``MAX_CUSTOM_PRESETS``
of the caller's), so HTTP answers it as a bare array, the original frontend's shape.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

MATERIAL_PRESET_LIST = "assets.v1.material_preset.list"
MATERIAL_PRESET_CREATE = "assets.v1.material_preset.create"
MATERIAL_PRESET_UPDATE = "assets.v1.material_preset.update"
MATERIAL_PRESET_DELETE = "assets.v1.material_preset.delete"

MATERIAL_PRESET_CHANGED_FILTER = "evt.assets.material_preset.*.*"

# A user's custom presets: the listing is a bare array, so it must stay small.
MAX_CUSTOM_PRESETS = 100


def material_preset_event_subject(preset_id: str, change: str) -> str:
    return f"evt.assets.material_preset.{preset_id}.{change}"


NO_NUL = r"^[^\u0000]*$"
# System ids are words (bronze, hard-leather); custom ids are custom-<32 hex>.
PRESET_ID = r"^[a-z0-9][a-z0-9-]{0,63}$"
PresetId = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=PRESET_ID)]
PresetName = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=NO_NUL)]
DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=NO_NUL)]
CATEGORY = r"^[a-z][a-z0-9-]{0,31}$"
Category = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=CATEGORY)]
# The original's scale (its "dragon" preset is tier 10); the seeded catalogue spans 1-5.
Tier = Annotated[int, msgspec.Meta(ge=1, le=10)]
Color = Annotated[str, msgspec.Meta(pattern=r"^#[0-9A-Fa-f]{6}$", description="#RRGGBB")]
StylePrompt = Annotated[str, msgspec.Meta(min_length=1, max_length=1000, pattern=NO_NUL)]
OwnerId = Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=NO_NUL)]


class MaterialPreset(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    name: str
    display_name: str
    category: str
    tier: int
    color: str
    style_prompt: str
    # System presets are read-only; custom ones belong to the caller.
    is_system: bool


class ListMaterialPresets(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """System presets plus the caller's custom ones (an admin may name another owner's)."""

    category: Category | None = None
    owner_id: OwnerId | None = None


class MaterialPresetList(msgspec.Struct, frozen=True):
    """System presets first, then by category, tier and id (HTTP answers the bare array)."""

    presets: list[MaterialPreset]


class CreateMaterialPreset(msgspec.Struct, frozen=True, rename="camel"):
    """``displayName`` or ``name`` is required (each defaults to the other); the id is made
    by the service and never collides with a system id."""

    style_prompt: StylePrompt
    display_name: DisplayName | None = None
    name: PresetName | None = None
    category: Category = "custom"
    tier: Tier = 1
    color: Color = "#808080"


class MaterialPresetChanges(msgspec.Struct, frozen=True, rename="camel"):
    """The fields given replace theirs."""

    name: PresetName | UnsetType = UNSET
    display_name: DisplayName | UnsetType = UNSET
    category: Category | UnsetType = UNSET
    tier: Tier | UnsetType = UNSET
    color: Color | UnsetType = UNSET
    style_prompt: StylePrompt | UnsetType = UNSET


class UpdateMaterialPreset(msgspec.Struct, frozen=True, rename="camel"):
    id: PresetId
    changes: MaterialPresetChanges


class MaterialPresetRef(msgspec.Struct, frozen=True):
    id: PresetId


class MaterialPresetDeleted(msgspec.Struct, frozen=True):
    message: str
    success: bool = True


class MaterialPresetChanged(msgspec.Struct, frozen=True, rename="camel"):
    """Event: a custom preset was created, updated or deleted (system presets never change)."""

    preset_id: str
    owner_id: str
    change: str
    changed_at: datetime
