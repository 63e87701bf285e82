"""What a change to an asset means in columns: the fields a PATCH sends, the metadata keys
the original frontend uses for them, and the media files an asset is made of."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from assetforge.assets.repository.asset_writes import Changes
from assetforge.common.contracts.assets import AssetChanges, AssetStatus
from assetforge.common.contracts.media import Kind, MediaFile
from assetforge.common.errors import ValidationFailed

# Mirrored into metadata on every read (repository/assets.py), never stored there.
MIRRORED_KEYS = ("tier", "status", "isFavorite", "isBaseModel", "isVariant", "parentBaseModel")
MAX_METADATA_BYTES = 64 * 1024
# A PATCH field, the column it sets and the camelCase name events report.
_FIELDS = {
    "name": "name",
    "description": "description",
    "type": "type",
    "tier": "tier",
    "category": "category",
    "status": "status",
    "visibility": "visibility",
    "is_favorite": "isFavorite",
    "notes": "notes",
    "tags": "tags",
}


@dataclass(frozen=True, slots=True)
class ChangeSet:
    changes: Changes
    # The fields that change (camelCase), for the updated event.
    changed: list[str]

    @property
    def empty(self) -> bool:
        return not self.changed


def check_metadata(metadata: dict[str, Any], field: str = "metadata") -> None:
    if len(msgspec.json.encode(metadata)) > MAX_METADATA_BYTES:
        raise ValidationFailed.of(field, f"must encode to at most {MAX_METADATA_BYTES} bytes of JSON")


def _mirrored_tier(value: Any) -> int | None:
    """metadata.tier as the original frontend sends it: "3" or 3 (null clears it)."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ValidationFailed.of("metadata.tier", "must be a tier from 1 to 5")
    return value


def _mirrored_status(value: Any) -> str:
    try:
        return AssetStatus(value).value
    except ValueError as error:
        raise ValidationFailed.of(
            "metadata.status", f"must be one of {', '.join(s.value for s in AssetStatus)}"
        ) from error


def _mirrored_favorite(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationFailed.of("metadata.isFavorite", "must be true or false")
    return value


def change_set(changes: AssetChanges) -> ChangeSet:
    """The columns a PATCH sets. ``metadata.tier``, ``.status`` and ``.isFavorite`` set the
    asset's own fields unless the same field is sent too; the other mirrored keys are
    read-only. Metadata is merged key by key, a null removing its key."""
    values: dict[str, Any] = {}
    for name in _FIELDS:
        value = getattr(changes, name)
        if value is not msgspec.UNSET:
            values[name] = value.value if hasattr(value, "value") else value
    patch: dict[str, Any] | None = None
    removed: list[str] = []
    if changes.metadata is not msgspec.UNSET:
        metadata = changes.metadata
        if "tier" in metadata and "tier" not in values:
            values["tier"] = _mirrored_tier(metadata["tier"])
        if "status" in metadata and "status" not in values:
            values["status"] = _mirrored_status(metadata["status"])
        if "isFavorite" in metadata and "is_favorite" not in values:
            values["is_favorite"] = _mirrored_favorite(metadata["isFavorite"])
        patch = {k: v for k, v in metadata.items() if k not in MIRRORED_KEYS and v is not None}
        removed = [k for k, v in metadata.items() if v is None and k not in MIRRORED_KEYS]
        check_metadata(patch)
        # Keys an older version stored are dropped: the asset itself says these.
        removed += list(MIRRORED_KEYS)
    changed = [_FIELDS[name] for name in values]
    if patch or [k for k in removed if k not in MIRRORED_KEYS]:
        changed.append("metadata")
    return ChangeSet(Changes(values=values, metadata=patch, removed=removed), changed)


# A file's role in an asset: the columns of its URL and of its CDN copy.
ROLE_COLUMNS = {
    "model": ("model_url", "cdn_url"),
    "thumbnail": ("thumbnail_url", "cdn_thumbnail_url"),
    "conceptArt": ("concept_art_url", "cdn_concept_art_url"),
    "riggedModel": ("rigged_model_url", "cdn_rigged_model_url"),
}


def _file_name(file: MediaFile) -> str:
    return (file.file_name or file.object_name.rsplit("/", 1)[-1] or file.id)[:255]


def uploaded_parts(files: list[MediaFile]) -> dict[str, Any]:
    """The columns an asset registered from uploads gets: its first model is its model,
    its first image its thumbnail."""
    values: dict[str, Any] = {"files": [f.id for f in files], "file_roles": {}, "cdn_copies": {}}
    for role, kind in (("model", Kind.MODEL), ("thumbnail", Kind.IMAGE)):
        first = next((f for f in files if f.kind is kind), None)
        if first is None:
            continue
        url_column, cdn_column = ROLE_COLUMNS[role]
        values["file_roles"][role] = first.id
        values[url_column] = first.url
        values[cdn_column] = first.cdn_url
        if role == "model":
            values["model_file"] = _file_name(first)
    values["cdn_copies"] = {f.id: f.cdn_url for f in files if f.cdn_url}
    return values
