"""The generation service's events that other services act on.

``evt.generation.pipeline.<pipelineId>.completed`` (a :class:`PipelineCompleted`) is
published through the generation service's outbox once a pipeline has stored every file
it made in the media service (``media.v1.file.store``). The assets service turns it into
the pipeline's asset and its texture variants, idempotently: the asset's id is fixed by
the event (:func:`catalog_asset_id`), so a redelivered or republished event updates the
same asset instead of creating another one.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from assetforge.common.contracts.assets import Visibility
from assetforge.common.contracts.pipelines import PipelineStatus

PIPELINE_COMPLETED_FILTER = "evt.generation.pipeline.*.completed"
DEAD_LETTER_FILTER = "evt.generation.dead_letter.*.recorded"

# The namespace of the ids the catalog derives from pipelines (UUIDv5): fixed forever, since
# both the generation and the assets service compute an asset's id from it.
CATALOG_NAMESPACE = uuid.UUID("5b0f7c2e-8a43-4d6e-9a51-3f1d2c7e9b10")

_NO_NUL = r"^[^\u0000]*$"
Url = Annotated[str, msgspec.Meta(min_length=1, max_length=2048, pattern=_NO_NUL)]
FileId = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=_NO_NUL)]
Label = Annotated[str, msgspec.Meta(max_length=64, pattern=_NO_NUL)]


def pipeline_event_subject(pipeline_id: str, event: str) -> str:
    return f"evt.generation.pipeline.{pipeline_id}.{event}"


def catalog_asset_id(pipeline_id: str, asset_id: str | None = None) -> uuid.UUID:
    """The id of the asset a pipeline makes: ``asset_id`` when it is a UUID; else derived
    (UUIDv5) from it, or from the pipeline id when there is none. The generation service
    shows the same id as the pipeline's ``config.assetId``."""
    if asset_id:
        try:
            return uuid.UUID(asset_id)
        except ValueError:
            return uuid.uuid5(CATALOG_NAMESPACE, f"asset:{asset_id}")
    return uuid.uuid5(CATALOG_NAMESPACE, f"pipeline:{pipeline_id}")


def variant_asset_id(base_asset_id: str, preset_id: str) -> uuid.UUID:
    """The id of a base asset's variant in one material preset (when it has none yet)."""
    return uuid.uuid5(CATALOG_NAMESPACE, f"variant:{base_asset_id}:{preset_id}")


class GeneratedFile(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """One file the pipeline stored in the media service."""

    # Where it is served: the media record's ``url`` (``/gdd-assets/{assetId}/{path}``).
    url: Url
    # The media record's id; the asset lists it in ``files`` and follows its CDN copy and
    # its deletion by it.
    file_id: FileId | None = None
    # The record's ``cdnUrl`` if the CDN copy already exists (it usually comes later, by
    # ``evt.media.file.<id>.mirrored``, which the assets service follows too).
    cdn_url: Url | None = None
    # The file's name (``model.glb``): the asset's ``modelFile`` for a model.
    file_name: Annotated[str, msgspec.Meta(max_length=255, pattern=_NO_NUL)] | None = None


class PipelineVariant(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """A texture variant of the pipeline's asset in one material preset."""

    # The material preset's id (``bronze``, ``steel``, a custom preset's id).
    preset_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=_NO_NUL)]
    model: GeneratedFile
    # The variant's name; "<asset name> (<preset id>)" when absent.
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=_NO_NUL)] | None = None
    thumbnail: GeneratedFile | None = None
    # Every other media file of the variant (textures, say).
    file_ids: Annotated[list[FileId], msgspec.Meta(max_length=100)] = msgspec.field(default_factory=list)
    metadata: Annotated[dict[str, Any], msgspec.Meta(max_length=100)] = msgspec.field(default_factory=dict)


class PipelineCompleted(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """Event: a generation pipeline finished and its files are stored.

    Applied by the assets service (consumer ``assets-pipeline-completed``): the asset
    :func:`catalog_asset_id` names is created, or, when it exists and belongs to
    ``ownerId``, given the files and URLs the event carries (a field left out changes
    nothing; name, type, tier, visibility and project are the asset's own once it exists).
    An event whose ``completedAt`` is older than what the asset already holds is ignored.
    """

    # The pipeline's id (a UUID), also the ``<id>`` of the subject.
    pipeline_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=_NO_NUL)]
    # The user the pipeline ran for (the gateway's user id): the asset's owner.
    owner_id: Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=_NO_NUL)]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=_NO_NUL)]
    # Any text: a catalog type (``weapon``) is the asset's type; any other becomes ``item``
    # and is kept as ``metadata.generationType``.
    type: Label
    completed_at: datetime
    # The asset id the pipeline was given at submission (``assetId``), if any.
    asset_id: Annotated[str, msgspec.Meta(max_length=128, pattern=_NO_NUL)] | None = None
    subtype: Label | None = None
    tier: Annotated[int, msgspec.Meta(ge=1, le=5)] | None = None
    prompt: Annotated[str, msgspec.Meta(max_length=10_000, pattern=_NO_NUL)] | None = None
    visibility: Visibility = Visibility.PRIVATE
    project_id: Annotated[str, msgspec.Meta(max_length=64, pattern=_NO_NUL)] | None = None
    # The files the pipeline made, by role (each optional: a retexture carries none).
    model: GeneratedFile | None = None
    thumbnail: GeneratedFile | None = None
    concept_art: GeneratedFile | None = None
    rigged_model: GeneratedFile | None = None
    # Every other media file of the asset (sprites, metadata.json, ...).
    file_ids: Annotated[list[FileId], msgspec.Meta(max_length=100)] = msgspec.field(default_factory=list)
    variants: Annotated[list[PipelineVariant], msgspec.Meta(max_length=50)] = msgspec.field(default_factory=list)
    # Merged into the asset's metadata (the event's keys win).
    metadata: Annotated[dict[str, Any], msgspec.Meta(max_length=100)] = msgspec.field(default_factory=dict)
    # The pipeline's final status, as every other pipeline event carries it (the SSE
    # streams show it); the assets service does not read it.
    status: PipelineStatus | None = None


def dead_letter_subject(pipeline_id: str) -> str:
    return f"evt.generation.dead_letter.{pipeline_id}.recorded"


class DeadLettered(msgspec.Struct, frozen=True, rename="camel"):
    """``evt.generation.dead_letter.<pipelineId>.recorded``: a run command that failed
    ``deliveries`` times, or could not be read; the pipeline (if any) was failed with it."""

    subject: str
    deliveries: int
    reason: str
    pipeline_id: str | None = None
