"""World configs on the assets service's bus: subjects, requests, replies and events
(material presets are in ``material_presets``).

Replies carry the original web frontend's shapes (``{success, configs, count}``,
``{success, config}``), so the gateway passes their bytes through. World configs are
private to their owner (admins see all). The principal comes from the headers.

A config's sections (races, factions, skills, npcCategories) are lists of JSON objects
and keep every member a client sent; the service checks the members it knows
(``id``, ``name``, ``description``, a faction's ``alignment``, ...) and names a bad
one by its path, e.g. ``factions[2].alignment``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec
from msgspec import UNSET, UnsetType

from assetforge.common.contracts.errors import FieldError

WORLD_CONFIG_LIST = "assets.v1.world_config.list"
WORLD_CONFIG_GET = "assets.v1.world_config.get"
WORLD_CONFIG_ACTIVE = "assets.v1.world_config.active"
WORLD_CONFIG_CREATE = "assets.v1.world_config.create"
WORLD_CONFIG_UPDATE = "assets.v1.world_config.update"
WORLD_CONFIG_DELETE = "assets.v1.world_config.delete"
WORLD_CONFIG_ACTIVATE = "assets.v1.world_config.activate"
WORLD_CONFIG_CLONE = "assets.v1.world_config.clone"
WORLD_CONFIG_EXPORT = "assets.v1.world_config.export"
WORLD_CONFIG_IMPORT = "assets.v1.world_config.import"
WORLD_CONFIG_VALIDATE = "assets.v1.world_config.validate"
WORLD_CONFIG_HISTORY = "assets.v1.world_config.history"
WORLD_CONFIG_TEMPLATES = "assets.v1.world_config.templates"
WORLD_CONFIG_FROM_TEMPLATE = "assets.v1.world_config.from_template"

# Lists default to their maximum, so a client that never pages still gets everything up to it.
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 200
# The version of the export format; an import of another version is refused.
EXPORT_FORMAT_VERSION = 1

WORLD_CONFIG_CHANGED_FILTER = "evt.assets.world_config.*.*"


def world_config_event_subject(config_id: str, change: str) -> str:
    return f"evt.assets.world_config.{config_id}.{change}"


NO_NUL = r"^[^\u0000]*$"
ConfigName = Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=NO_NUL)]
Description = Annotated[str, msgspec.Meta(max_length=5000, pattern=NO_NUL)]
Label = Annotated[str, msgspec.Meta(max_length=100, pattern=NO_NUL)]
Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=NO_NUL)]
Tags = Annotated[list[Tag], msgspec.Meta(max_length=50)]
PageSize = Annotated[int, msgspec.Meta(ge=1, le=MAX_PAGE_SIZE)]
Cursor = Annotated[str, msgspec.Meta(max_length=512, pattern=NO_NUL)]
OwnerId = Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=NO_NUL)]
ConfigId = Annotated[str, msgspec.Meta(max_length=64, pattern=NO_NUL)]
_KEPT = "; other members are kept"
_Items = list[dict[str, Any]]
Races = Annotated[_Items, msgspec.Meta(max_length=100, description="Races: {id?, name, description?}" + _KEPT)]
Factions = Annotated[
    _Items, msgspec.Meta(max_length=100, description="Factions: {id?, name, alignment: good|neutral|evil}" + _KEPT)
]
Skills = Annotated[_Items, msgspec.Meta(max_length=200, description="Skills: {id?, name, tier? 1-10}" + _KEPT)]
NpcCategories = Annotated[_Items, msgspec.Meta(max_length=100, description="NPC categories: {id?, name}" + _KEPT)]
# Free-form objects, bounded in keys (the body limit bounds the rest).
JsonObject = Annotated[dict[str, Any], msgspec.Meta(max_length=100)]


class WorldConfig(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    owner_id: str
    name: str
    description: str | None
    genre: str | None
    tone: str | None
    races: list[dict[str, Any]]
    factions: list[dict[str, Any]]
    skills: list[dict[str, Any]]
    settings: dict[str, Any]
    npc_categories: list[dict[str, Any]]
    quest_config: dict[str, Any]
    items_config: dict[str, Any]
    tags: list[str]
    is_template: bool
    is_active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class WorldConfigFields(msgspec.Struct, frozen=True, rename="camel"):
    """The content of a config; an absent field is left as it is (or as the template has it)."""

    name: ConfigName | UnsetType = UNSET
    description: Description | UnsetType | None = UNSET
    genre: Label | UnsetType | None = UNSET
    tone: Label | UnsetType | None = UNSET
    races: Races | UnsetType = UNSET
    factions: Factions | UnsetType = UNSET
    skills: Skills | UnsetType = UNSET
    settings: JsonObject | UnsetType = UNSET
    npc_categories: NpcCategories | UnsetType = UNSET
    quest_config: JsonObject | UnsetType = UNSET
    items_config: JsonObject | UnsetType = UNSET
    tags: Tags | UnsetType = UNSET
    is_template: bool | UnsetType = UNSET


class WorldConfigChanges(WorldConfigFields, frozen=True):
    """PUT and PATCH: the fields given replace theirs; ``isActive`` activates or deactivates."""

    is_active: bool | UnsetType = UNSET


class CreateWorldConfig(msgspec.Struct, frozen=True, rename="camel"):
    """Only ``name`` is required."""

    name: ConfigName
    description: Description | None = None
    genre: Label | None = None
    tone: Label | None = None
    races: Races = msgspec.field(default_factory=list)
    factions: Factions = msgspec.field(default_factory=list)
    skills: Skills = msgspec.field(default_factory=list)
    settings: JsonObject = msgspec.field(default_factory=dict)
    npc_categories: NpcCategories = msgspec.field(default_factory=list)
    quest_config: JsonObject = msgspec.field(default_factory=dict)
    items_config: JsonObject = msgspec.field(default_factory=dict)
    tags: Tags = msgspec.field(default_factory=list)
    is_template: bool = False


class UpdateWorldConfig(msgspec.Struct, frozen=True, rename="camel"):
    id: ConfigId
    changes: WorldConfigChanges


class WorldConfigRef(msgspec.Struct, frozen=True, rename="camel"):
    """Names one config: get, delete, activate, export."""

    id: ConfigId


class ActiveWorldConfig(msgspec.Struct, frozen=True):
    """The principal's active config (the principal comes from the headers)."""


class ListWorldConfigs(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """Newest first. ``ownerId`` narrows an admin's view; a member only ever sees their own."""

    limit: PageSize = DEFAULT_PAGE_SIZE
    cursor: Cursor | None = None
    include_templates: bool = True
    templates_only: bool = False
    owner_id: OwnerId | None = None


class CloneWorldConfig(msgspec.Struct, frozen=True, rename="camel"):
    source_id: uuid.UUID
    # The copy's name; "<source name> (copy)" when absent.
    new_name: ConfigName | None = None


class ImportWorldConfig(msgspec.Struct, frozen=True, rename="camel"):
    """``data``: what export answered (or any config document); checked like a new config."""

    data: JsonObject


class FromTemplate(msgspec.Struct, frozen=True, rename="camel"):
    template_id: ConfigId
    customizations: WorldConfigFields = msgspec.field(default_factory=WorldConfigFields)


class ValidateWorldConfig(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """A document to check, or the id of a stored config to check."""

    document: JsonObject | None = None
    id: ConfigId | None = None


class WorldConfigHistoryQuery(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    id: ConfigId
    limit: PageSize = 50
    cursor: Cursor | None = None


class WorldConfigReply(msgspec.Struct, frozen=True):
    config: WorldConfig
    success: bool = True


class ActiveWorldConfigReply(msgspec.Struct, frozen=True):
    """``config`` is null when the owner has no active config."""

    config: WorldConfig | None
    success: bool = True


class WorldConfigList(msgspec.Struct, frozen=True, rename="camel"):
    """``count``: how many configs this reply holds; pass ``nextCursor`` back as ``cursor``."""

    configs: list[WorldConfig]
    count: int
    next_cursor: str | None
    success: bool = True


class WorldConfigTemplates(msgspec.Struct, frozen=True, rename="camel"):
    templates: list[WorldConfig]
    count: int
    next_cursor: str | None
    success: bool = True


class WorldConfigDocument(msgspec.Struct, frozen=True, rename="camel"):
    """A config's content, without what belongs to one stored copy (id, owner, active flag,
    version, times): exporting an imported export gives these bytes again."""

    format_version: int
    name: str
    description: str | None
    genre: str | None
    tone: str | None
    races: list[dict[str, Any]]
    factions: list[dict[str, Any]]
    skills: list[dict[str, Any]]
    settings: dict[str, Any]
    npc_categories: list[dict[str, Any]]
    quest_config: dict[str, Any]
    items_config: dict[str, Any]
    tags: list[str]
    is_template: bool


class WorldConfigExport(msgspec.Struct, frozen=True):
    data: WorldConfigDocument
    filename: str
    success: bool = True


class ValidationReport(msgspec.Struct, frozen=True):
    """``errors`` would refuse the document (422 on save); ``warnings`` would not (a faction's
    ally or a skill's prerequisite naming nothing in the config)."""

    valid: bool
    errors: list[FieldError]
    warnings: list[FieldError]


class WorldConfigHistoryEntry(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    config_id: str
    version: int
    # What happened: created, imported, cloned, from_template, updated, activated or deactivated.
    change_type: str
    changed_by: str | None
    changed_fields: list[str]
    # The whole config after the change; the state before it is the previous version's.
    snapshot: dict[str, Any]
    created_at: datetime


class WorldConfigHistory(msgspec.Struct, frozen=True, rename="camel"):
    """Newest version first."""

    history: list[WorldConfigHistoryEntry]
    count: int
    next_cursor: str | None
    success: bool = True


class WorldConfigDeleted(msgspec.Struct, frozen=True):
    message: str
    success: bool = True


class WorldConfigChanged(msgspec.Struct, frozen=True, rename="camel"):
    """Event: a config was created, updated, activated, deactivated or deleted."""

    config_id: str
    owner_id: str
    version: int
    is_active: bool
    change: str
    changed_at: datetime
