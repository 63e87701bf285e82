"""A job as the service holds it: what was asked (a pipeline's config, or an audio
request), and a record per stage that says where the stage stands, down to the provider
task it waits on.

Stage records are stored as JSON in ``generation_jobs.stages`` and rewritten whole at
every change (a few KB), each time in the same transaction as the event that tells of it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec

from assetforge.common.contracts.audio import AudioRequest
from assetforge.common.contracts.pipelines import (
    IMAGE_3D,
    IMAGE_GENERATION,
    PROMPT_OPTIMIZATION,
    RIGGING,
    STAGES,
    TEXT_INPUT,
    TEXTURE_GENERATION,
    PipelineConfig,
    PipelineState,
    StageState,
)

# Asset types rigged when rigging is asked for: the humanoid ones.
RIGGABLE_TYPES = frozenset({"character", "avatar", "npc", "humanoid", "creature"})
# Stages whose failure is written down but does not fail the pipeline.
OPTIONAL_STAGES = frozenset({PROMPT_OPTIMIZATION, RIGGING})
PIPELINE = "pipeline"
# The one stage of an audio job.
AUDIO = "audio"


class StoredFile(msgspec.Struct, rename="camel", omit_defaults=True):
    """A file a stage stored in the media service."""

    path: str
    url: str
    file_id: str
    sha256: str
    size: int
    cdn_url: str | None = None


class TaskRecord(msgspec.Struct, rename="camel", omit_defaults=True):
    """One provider task of a stage. ``intent_at`` is written (and committed) before the
    provider is asked; ``task_id`` the moment it answers. A resumed stage with a task id
    polls it; with only an intent, it first asks the provider for a task created since."""

    intent_at: datetime | None = None
    task_id: str | None = None
    status: str | None = None
    progress: int = 0
    error: str | None = None
    files: dict[str, StoredFile] = msgspec.field(default_factory=dict)


class StageRecord(msgspec.Struct, rename="camel", omit_defaults=True):
    status: StageState = StageState.PENDING
    progress: int = 0
    started_at: datetime | None = None
    completed_at: datetime | None = None
    error: str | None = None
    provider: str | None = None
    model: str | None = None
    # The prompt as sent to the provider (the provenance manifest lists it).
    prompt: str | None = None
    # Text a stage produced (the optimized prompt).
    text: str | None = None
    task: TaskRecord | None = None
    # One task per material preset (texture generation).
    tasks: dict[str, TaskRecord] = msgspec.field(default_factory=dict)
    files: dict[str, StoredFile] = msgspec.field(default_factory=dict)
    # Time spent waiting on providers (calls and downloads), ms: the rest is orchestration.
    provider_ms: float = 0.0


_stages_decoder = msgspec.json.Decoder(dict[str, StageRecord])
_config_decoder = msgspec.json.Decoder(PipelineConfig)
_audio_decoder = msgspec.json.Decoder(AudioRequest)


@dataclass(slots=True)
class Job:
    id: uuid.UUID
    owner_id: str
    asset_id: str
    # What was asked: a pipeline's config, or (``kind`` voice, sfx, music) an audio request.
    spec: PipelineConfig | AudioRequest
    status: PipelineState
    stages: dict[str, StageRecord]
    created_at: datetime
    updated_at: datetime
    progress: int = 0
    current_stage: str | None = None
    error: str | None = None
    error_stage: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    cancel_requested: bool = False
    results: dict[str, Any] = field(default_factory=dict)
    kind: str = PIPELINE

    @property
    def config(self) -> PipelineConfig:
        if not isinstance(self.spec, PipelineConfig):
            raise TypeError(f"job {self.id} is a {self.kind} job, not a pipeline")
        return self.spec

    @property
    def audio(self) -> AudioRequest:
        if isinstance(self.spec, PipelineConfig):
            raise TypeError(f"job {self.id} is a pipeline, not an audio job")
        return self.spec

    def stage(self, name: str) -> StageRecord:
        return self.stages.setdefault(name, StageRecord())

    @property
    def terminal(self) -> bool:
        return self.status in {PipelineState.COMPLETED, PipelineState.FAILED, PipelineState.CANCELLED}


def initial_stages(config: PipelineConfig, submitted_at: datetime) -> dict[str, StageRecord]:
    """Every stage as it starts: ``textInput`` done at submission, the ones the config
    turns off skipped, the rest pending."""
    stages = {TEXT_INPUT: StageRecord(status=StageState.COMPLETED, progress=100, completed_at=submitted_at)}
    for name in STAGES:
        stages[name] = StageRecord(status=StageState.PENDING if runs(config, name) else StageState.SKIPPED)
    return stages


def runs(config: PipelineConfig, stage: str) -> bool:
    if stage == PROMPT_OPTIMIZATION:
        return config.metadata.get("useGPT4Enhancement", True) is not False
    if stage == IMAGE_GENERATION:
        image = config.reference_image
        return image is None or not (image.url or image.data_url)
    if stage == TEXTURE_GENERATION:
        return config.enable_retexturing and bool(config.material_presets)
    if stage == RIGGING:
        return config.enable_rigging and riggable(config)
    return stage == IMAGE_3D


def riggable(config: PipelineConfig) -> bool:
    kinds = {config.type.lower(), (config.generation_type or "").lower(), (config.subtype or "").lower()}
    return bool(kinds & RIGGABLE_TYPES)


def encode_stages(stages: dict[str, StageRecord]) -> Any:
    return msgspec.to_builtins(stages)


def decode_stages(raw: Any) -> dict[str, StageRecord]:
    return _stages_decoder.decode(msgspec.json.encode(raw))


def decode_spec(kind: str, raw: Any) -> PipelineConfig | AudioRequest:
    if kind == PIPELINE:
        return _config_decoder.decode(msgspec.json.encode(raw))
    request: AudioRequest = _audio_decoder.decode(msgspec.json.encode(raw))
    return request
