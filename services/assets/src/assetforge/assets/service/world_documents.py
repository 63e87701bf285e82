"""What a world config document may hold, checked member by member so that every
problem is named by its path (``factions[2].alignment``), and the document's export form.

One checker serves every way a document arrives: create and update (after the bus has
checked the top-level types), import (an export's ``data``, or any JSON object) and the
validate route, which reports instead of refusing. Members the checker does not know are
kept as they are: the original frontend stores more in a race (traits, ...) than we read.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from assetforge.common.contracts.errors import FieldError
from assetforge.common.contracts.worlds import EXPORT_FORMAT_VERSION, WorldConfig, WorldConfigDocument

ALIGNMENTS = ("good", "neutral", "evil")
# camelCase wire name -> column; the order is the export's.
CONTENT = {
    "name": "name",
    "description": "description",
    "genre": "genre",
    "tone": "tone",
    "races": "races",
    "factions": "factions",
    "skills": "skills",
    "settings": "settings",
    "npcCategories": "npc_categories",
    "questConfig": "quest_config",
    "itemsConfig": "items_config",
    "tags": "tags",
    "isTemplate": "is_template",
}
# Each section's bound and the prefix of the ids made for items that come without one.
_SECTIONS = {
    "races": (100, "race"),
    "factions": (100, "faction"),
    "skills": (200, "skill"),
    "npcCategories": (100, "npc"),
}
_OBJECTS = ("settings", "questConfig", "itemsConfig")
_TEXTS = {"description": 5000, "genre": 100, "tone": 100}
_MAX_ITEM_MEMBERS = 50
_MAX_KEYS = 100


@dataclass
class Findings:
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[FieldError] = field(default_factory=list)

    def error(self, path: str, message: str) -> None:
        self.errors.append(FieldError(field=path, message=message))

    def warning(self, path: str, message: str) -> None:
        self.warnings.append(FieldError(field=path, message=message))


def _text(found: Findings, path: str, value: Any, *, limit: int, required: bool = False) -> bool:
    """Whether ``value`` is acceptable text; a problem is recorded against ``path``."""
    if value is None and not required:
        return True
    if not isinstance(value, str):
        found.error(path, "is required" if value is None else "must be a string")
        return False
    if required and not value.strip():
        found.error(path, "must not be blank")
        return False
    if len(value) > limit:
        found.error(path, f"must be at most {limit} characters")
        return False
    return True


def _id_list(found: Findings, path: str, value: Any, known: set[str], what: str) -> None:
    if value is None:
        return
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        found.error(path, "must be a list of ids")
        return
    for index, item in enumerate(value):
        if item not in known:
            found.warning(f"{path}[{index}]", f"names no {what} of this config")


def _item(found: Findings, section: str, index: int, item: Any, seen: dict[str, int]) -> None:
    path = f"{section}[{index}]"
    if not isinstance(item, dict):
        found.error(path, "must be an object")
        return
    if len(item) > _MAX_ITEM_MEMBERS:
        found.error(path, f"must have at most {_MAX_ITEM_MEMBERS} members")
    ident = item.get("id")
    if "id" in item and _text(found, f"{path}.id", ident, limit=128, required=True) and isinstance(ident, str):
        if ident in seen:
            found.error(f"{path}.id", f"repeats {section}[{seen[ident]}].id")
        else:
            seen[ident] = index
    _text(found, f"{path}.name", item.get("name"), limit=255, required=True)
    _text(found, f"{path}.description", item.get("description"), limit=5000)
    if section == "factions" and item.get("alignment") not in ALIGNMENTS:
        found.error(f"{path}.alignment", "must be one of " + ", ".join(ALIGNMENTS))
    if section == "skills":
        tier = item.get("tier")
        if tier is not None and (isinstance(tier, bool) or not isinstance(tier, int) or not 1 <= tier <= 10):
            found.error(f"{path}.tier", "must be an integer from 1 to 10")
        _text(found, f"{path}.category", item.get("category"), limit=64)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _references(found: Findings, doc: dict[str, Any]) -> None:
    """Allies, rivals and prerequisites should name items of the same config: a warning."""
    factions = _as_list(doc.get("factions"))
    skills = _as_list(doc.get("skills"))
    faction_ids = {f["id"] for f in factions if isinstance(f, dict) and isinstance(f.get("id"), str)}
    skill_ids = {s["id"] for s in skills if isinstance(s, dict) and isinstance(s.get("id"), str)}
    for index, faction in enumerate(factions):
        if isinstance(faction, dict):
            for member in ("allies", "rivals"):
                _id_list(found, f"factions[{index}].{member}", faction.get(member), faction_ids, "faction")
    for index, skill in enumerate(skills):
        if isinstance(skill, dict):
            _id_list(found, f"skills[{index}].prerequisites", skill.get("prerequisites"), skill_ids, "skill")


def _sections(found: Findings, doc: dict[str, Any], *, partial: bool) -> None:
    for section, (bound, _) in _SECTIONS.items():
        items = doc.get(section)
        if items is None and (partial or section not in doc):
            continue
        if not isinstance(items, list):
            found.error(section, "must be a list")
        elif len(items) > bound:
            found.error(section, f"must hold at most {bound} items")
        else:
            seen: dict[str, int] = {}
            for index, item in enumerate(items):
                _item(found, section, index, item, seen)


def check_document(doc: dict[str, Any], *, partial: bool = False) -> Findings:
    """Every problem of a config document (camelCase members). ``partial``: an update,
    whose absent members are not checked (``name`` is then required only if given)."""
    found = Findings()
    if not partial or "name" in doc:
        _text(found, "name", doc.get("name"), limit=255, required=True)
    for member, limit in _TEXTS.items():
        _text(found, member, doc.get(member), limit=limit)
    _sections(found, doc, partial=partial)
    for member in _OBJECTS:
        value = doc.get(member)
        if member in doc and not (isinstance(value, dict) and len(value) <= _MAX_KEYS):
            found.error(member, f"must be an object of at most {_MAX_KEYS} members")
    tags = doc.get("tags")
    if "tags" in doc and not (
        isinstance(tags, list) and len(tags) <= 50 and all(isinstance(t, str) and 1 <= len(t) <= 64 for t in tags)
    ):
        found.error("tags", "must be a list of at most 50 texts of 1 to 64 characters")
    if "isTemplate" in doc and not isinstance(doc["isTemplate"], bool):
        found.error("isTemplate", "must be true or false")
    if "formatVersion" in doc and doc["formatVersion"] != EXPORT_FORMAT_VERSION:
        found.error("formatVersion", f"must be {EXPORT_FORMAT_VERSION} (the format this server exports)")
    _references(found, doc)
    return found


def prefixed(errors: list[FieldError], prefix: str) -> list[FieldError]:
    return [FieldError(field=f"{prefix}.{e.field}", message=e.message) for e in errors]


def with_ids(doc: dict[str, Any]) -> dict[str, Any]:
    """The document with an id given to every section item that came without one (the
    original server made them when an item was added)."""
    filled = dict(doc)
    for section, (_, prefix) in _SECTIONS.items():
        items = doc.get(section)
        if isinstance(items, list):
            filled[section] = [
                item if "id" in item else {"id": f"{prefix}-{secrets.token_hex(6)}", **item} for item in items
            ]
    return filled


def columns_of(doc: dict[str, Any]) -> dict[str, Any]:
    """The content columns a (checked) document sets; members it leaves out are not there."""
    return {column: doc[member] for member, column in CONTENT.items() if member in doc}


def content_of(config: WorldConfig) -> dict[str, Any]:
    """A stored config's content as column values (to copy it: clone, from a template)."""
    return {column: getattr(config, column) for column in CONTENT.values()}


def document_of(config: WorldConfig) -> WorldConfigDocument:
    return WorldConfigDocument(EXPORT_FORMAT_VERSION, **content_of(config))


def export_filename(name: str) -> str:
    """``world-config-<name as a slug>.json``: the same name always gives the same file name."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64].strip("-")
    return f"world-config-{slug or 'untitled'}.json"
