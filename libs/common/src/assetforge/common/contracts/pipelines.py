"""The generation service's bus API for 3D pipelines: submit, read, list, cancel, retry,
the command that runs a pipeline, and the events it emits as it goes.

A pipeline's status is one shape everywhere (the GET reply, each event's ``status``, both
SSE streams): the original server's, so its web frontend reads it unchanged — stages keyed
``textInput``, ``promptOptimization``, ``imageGeneration``, ``image3D``,
``textureGeneration``, ``rigging``; flat ``results`` plus the original's nested ones.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import msgspec

from assetforge.common.contracts.assets import Visibility

PIPELINE_SUBMIT = "generation.v1.pipeline.submit"
PIPELINE_GET = "generation.v1.pipeline.get"
PIPELINE_LIST = "generation.v1.pipeline.list"
PIPELINE_CANCEL = "generation.v1.pipeline.cancel"
PIPELINE_RETRY = "generation.v1.pipeline.retry"
PROVIDERS_GET = "generation.v1.providers.get"
# Durable work (JetStream COMMANDS): run, or resume, one pipeline.
RUN_PIPELINE = "cmd.generation.pipeline.run"
PIPELINE_EVENTS_FILTER = "evt.generation.pipeline.*.*"

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 20
# A reference image sent inline travels inside one bus message (1 MB at most): larger
# images are uploaded first (POST /api/media/uploads) and given by URL.
MAX_DATA_URL = 700_000

_NO_NUL = r"^[^\u0000]*$"
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=_NO_NUL)]
Text = Annotated[str, msgspec.Meta(max_length=10_000, pattern=_NO_NUL)]
Label = Annotated[str, msgspec.Meta(max_length=64, pattern=_NO_NUL)]
Short = Annotated[str, msgspec.Meta(max_length=255, pattern=_NO_NUL)]
Url = Annotated[str, msgspec.Meta(min_length=1, max_length=2048, pattern=r"^(https?://|/)[^\u0000\s]*$")]
DataUrl = Annotated[
    str, msgspec.Meta(min_length=1, max_length=MAX_DATA_URL, pattern=r"^data:image/(png|jpeg|jpg|webp);base64,")
]
# A preset id names files (variants/{id}.glb): letters, digits, '-' and '_' only.
PresetId = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
Extra = Annotated[dict[str, Any], msgspec.Meta(max_length=100)]


class Quality(StrEnum):
    STANDARD = "standard"
    BALANCED = "balanced"
    HIGH = "high"
    ULTRA = "ultra"


class PipelineState(StrEnum):
    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


TERMINAL_STATES = frozenset({PipelineState.COMPLETED, PipelineState.FAILED, PipelineState.CANCELLED})


class StageState(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    SKIPPED = "skipped"


# Stages in the order they run (``textInput`` is completed at submission).
TEXT_INPUT = "textInput"
PROMPT_OPTIMIZATION = "promptOptimization"
IMAGE_GENERATION = "imageGeneration"
IMAGE_3D = "image3D"
TEXTURE_GENERATION = "textureGeneration"
RIGGING = "rigging"
STAGES = (PROMPT_OPTIMIZATION, IMAGE_GENERATION, IMAGE_3D, TEXTURE_GENERATION, RIGGING)


class ReferenceImage(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """An image to model from instead of generated concept art: by URL or inline."""

    url: Url | None = None
    data_url: DataUrl | None = None
    # The original frontend's note of where it came from ("upload", "url"); kept.
    source: Label | None = None


class PresetChoice(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """A material preset to retexture the model in (the original sent the preset whole)."""

    id: PresetId
    display_name: Short | None = None
    style_prompt: Annotated[str, msgspec.Meta(max_length=1000, pattern=_NO_NUL)] | None = None
    name: Short | None = None
    category: Label | None = None
    tier: int | Label | None = None
    color: Annotated[str, msgspec.Meta(pattern=r"^#[0-9A-Fa-f]{6}$")] | None = None


class RiggingOptions(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    height_meters: Annotated[float, msgspec.Meta(ge=0.1, le=10.0)] = 1.83


class PipelineConfig(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """The body of ``POST /api/generation/pipeline``. Unknown fields are ignored; a known
    field with a bad value is refused, naming it."""

    name: Name
    description: Text = ""
    # Any text: the listed catalog types get shape templates, others the generic one.
    type: Label = "item"
    subtype: Label | None = None
    generation_type: Label | None = None
    tier: Annotated[int, msgspec.Meta(ge=1, le=5)] | None = None
    quality: Quality = Quality.STANDARD
    style: Short | None = None
    project_id: Label | None = None
    reference_image: ReferenceImage | None = None
    enable_retexturing: bool = False
    material_presets: Annotated[list[PresetChoice], msgspec.Meta(max_length=20)] = msgspec.field(default_factory=list)
    enable_rigging: bool = False
    rigging_options: RiggingOptions | None = None
    # ``useGPT4Enhancement`` (default true) turns prompt optimization on or off.
    metadata: Extra = msgspec.field(default_factory=dict)
    visibility: Visibility = Visibility.PRIVATE
    # The original frontend's extra fields, accepted and kept. ``assetId`` (a UUID, or any
    # text from which one is derived) names the asset; the status shows the real id.
    asset_id: Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=_NO_NUL)] | None = None
    enable_sprites: bool | None = None
    sprite_config: Extra | None = None
    custom_prompts: Extra | None = None
    enable_generation: bool | None = None


class SubmitPipeline(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    config: PipelineConfig
    # The client's Idempotency-Key: the same key (per user, for 24 h) answers the same
    # pipeline; another body under it is a 409.
    idempotency_key: Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=_NO_NUL)] | None = None


class StageStatus(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    status: StageState
    progress: int = 0
    started_at: datetime | None = None
    completed_at: datetime | None = None
    error: str | None = None
    provider: str | None = None
    model: str | None = None


class PipelineAccepted(msgspec.Struct, frozen=True, rename="camel"):
    pipeline_id: str
    status: PipelineState
    stages: dict[str, StageStatus]
    asset_id: str


class VariantResult(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    preset_id: str
    name: str
    model_url: str
    asset_id: str | None = None
    thumbnail_url: str | None = None
    cdn_url: str | None = None


class ModelLocation(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    local_path: str | None = None
    cdn_url: str | None = None


class ConceptArtResult(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    cdn_url: str | None = None


class TextureResult(msgspec.Struct, frozen=True, rename="camel"):
    variants: list[VariantResult]


class RiggingResult(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    rigged_model_url: str | None = None
    animations: dict[str, str] = msgspec.field(default_factory=dict)


class PipelineResults(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    asset_id: str | None = None
    model_url: str | None = None
    raw_model_url: str | None = None
    concept_art_url: str | None = None
    thumbnail_url: str | None = None
    variants: list[VariantResult] = msgspec.field(default_factory=list)
    rigged_model_url: str | None = None
    animations: dict[str, str] = msgspec.field(default_factory=dict)
    metadata_url: str | None = None
    # The original server's nested form.
    concept_art: ConceptArtResult | None = None
    image_3d: ModelLocation | None = msgspec.field(default=None, name="image3D")
    texture_generation: TextureResult | None = None
    rigging: RiggingResult | None = None


class PipelineStatus(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    id: str
    config: PipelineConfig
    status: PipelineState
    progress: int
    stages: dict[str, StageStatus]
    results: PipelineResults
    created_at: datetime
    updated_at: datetime
    current_stage: str | None = None
    error: str | None = None
    error_stage: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None


class PipelineRef(msgspec.Struct, frozen=True):
    id: str


class ReadPipeline(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    id: str
    # The legacy status stream: the id alone is the capability (ids are random UUIDv4s),
    # so the status is answered to anyone who holds it. The gateway sets this only there.
    by_capability: bool = False


class ListPipelines(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    status: PipelineState | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE
    cursor: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    # An admin may list another user's.
    owner_id: Annotated[str, msgspec.Meta(max_length=128, pattern=_NO_NUL)] | None = None


class PipelinePage(msgspec.Struct, frozen=True, rename="camel"):
    pipelines: list[PipelineStatus]
    next_cursor: str | None


class RunPipeline(msgspec.Struct, frozen=True, rename="camel"):
    pipeline_id: str


class PipelineEvent(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """``evt.generation.pipeline.<id>.<event>``: created, stage_started, progress,
    stage_completed, stage_failed, failed, cancelled, retried (``completed`` is a
    :class:`~assetforge.common.contracts.generation.PipelineCompleted`). Each carries the
    pipeline's whole status as it stood, so a stream shows it without asking again."""

    pipeline_id: str
    event: str
    at: datetime
    status: PipelineStatus
    stage: str | None = None
    progress: int | None = None
    error: str | None = None


PIPELINE_EVENTS = (
    "created",
    "stage_started",
    "progress",
    "stage_completed",
    "stage_failed",
    "failed",
    "cancelled",
    "retried",
)
TERMINAL_EVENTS = frozenset({"completed", "failed", "cancelled"})


class CapabilityProviders(msgspec.Struct, frozen=True, rename="camel"):
    """Which provider each capability uses (``offline`` without a key)."""

    chat: str
    image: str
    image_to_3d: str = msgspec.field(name="imageTo3D")
    retexture: str = ""
    rigging: str = ""
    audio: str = ""


class ProvidersQuery(msgspec.Struct, frozen=True):
    pass
