"""A job as callers see it: the original server's status shape (flat results and its
nested ones, ``config.assetId``, the ``textInput`` stage), the same in the GET reply, in
every event and in both SSE streams."""

from __future__ import annotations

import msgspec

from assetforge.common.contracts.generation import variant_asset_id
from assetforge.common.contracts.jobs import JobStatus
from assetforge.common.contracts.pipelines import (
    IMAGE_3D,
    IMAGE_GENERATION,
    PROMPT_OPTIMIZATION,
    RIGGING,
    STAGES,
    TEXT_INPUT,
    TEXTURE_GENERATION,
    ConceptArtResult,
    ModelLocation,
    PipelineResults,
    PipelineState,
    PipelineStatus,
    RiggingResult,
    StageState,
    StageStatus,
    TextureResult,
    VariantResult,
)
from assetforge.generation.jobs import PIPELINE, Job, StageRecord, StoredFile

# How much of the whole each stage is, when it runs.
_WEIGHTS = {PROMPT_OPTIMIZATION: 5, IMAGE_GENERATION: 15, IMAGE_3D: 50, TEXTURE_GENERATION: 20, RIGGING: 10}
ANIMATION = "animation:"


def stage_status(record: StageRecord) -> StageStatus:
    return StageStatus(
        status=record.status,
        progress=record.progress,
        started_at=record.started_at,
        completed_at=record.completed_at,
        error=record.error,
        provider=record.provider,
        model=record.model,
    )


def overall_progress(job: Job) -> int:
    if job.status == PipelineState.COMPLETED:
        return 100
    if job.kind != PIPELINE:
        return min(99, max((record.progress for record in job.stages.values()), default=0))
    counted = [(name, job.stages[name]) for name in STAGES if name in job.stages]
    total = sum(_WEIGHTS[name] for name, record in counted if record.status != StageState.SKIPPED or record.started_at)
    if not total:
        return 0
    done = 0.0
    for name, record in counted:
        if record.status == StageState.SKIPPED and not record.started_at:
            continue
        finished = record.status in {StageState.COMPLETED, StageState.FAILED, StageState.SKIPPED}
        done += _WEIGHTS[name] * (1.0 if finished else record.progress / 100)
    return min(99, int(done * 100 / total))


def _url(file: StoredFile | None) -> str | None:
    return file.url if file else None


def results_of(job: Job) -> PipelineResults:
    concept = job.stages.get(IMAGE_GENERATION, StageRecord()).files.get("conceptArt")
    model3d = job.stages.get(IMAGE_3D, StageRecord()).files
    model = model3d.get("model")
    tasks = job.stages.get(TEXTURE_GENERATION, StageRecord()).tasks
    # In the order the presets were asked for (the stored record's keys are unordered).
    made = [(p.id, tasks[p.id]) for p in job.config.material_presets if p.id in tasks and "model" in tasks[p.id].files]
    variants = [
        VariantResult(
            preset_id=preset,
            name=f"{job.config.name} ({preset})",
            model_url=task.files["model"].url,
            asset_id=str(variant_asset_id(job.asset_id, preset)),
            thumbnail_url=_url(task.files.get("thumbnail")),
            cdn_url=task.files["model"].cdn_url,
        )
        for preset, task in made
    ]
    rig = job.stages.get(RIGGING, StageRecord()).files
    animations = {name.removeprefix(ANIMATION): file.url for name, file in rig.items() if name.startswith(ANIMATION)}
    metadata = job.results.get("metadataUrl")
    return PipelineResults(
        asset_id=job.asset_id,
        model_url=_url(model),
        raw_model_url=_url(model3d.get("raw")),
        concept_art_url=_url(concept),
        thumbnail_url=_url(model3d.get("thumbnail")),
        variants=variants,
        rigged_model_url=_url(rig.get("rigged")),
        animations=animations,
        metadata_url=metadata if isinstance(metadata, str) else None,
        concept_art=ConceptArtResult(cdn_url=concept.cdn_url or concept.url) if concept else None,
        image_3d=ModelLocation(local_path=model.path, cdn_url=model.cdn_url or model.url) if model else None,
        texture_generation=TextureResult(variants=variants) if variants else None,
        rigging=RiggingResult(rigged_model_url=_url(rig.get("rigged")), animations=animations) if rig else None,
    )


def status_of(job: Job) -> PipelineStatus:
    stages = {name: stage_status(job.stages[name]) for name in (TEXT_INPUT, *STAGES) if name in job.stages}
    return PipelineStatus(
        id=str(job.id),
        config=msgspec.structs.replace(job.config, asset_id=job.asset_id),
        status=job.status,
        progress=overall_progress(job),
        stages=stages,
        results=results_of(job),
        created_at=job.created_at,
        updated_at=job.updated_at,
        current_stage=job.current_stage,
        error=job.error,
        error_stage=job.error_stage,
        started_at=job.started_at,
        completed_at=job.completed_at,
    )


def job_status(job: Job) -> JobStatus:
    """An audio (or content) job as ``GET /api/generation/jobs/{id}`` shows it."""
    return JobStatus(
        id=str(job.id),
        kind=job.kind,
        status=job.status,
        progress=overall_progress(job),
        created_at=job.created_at,
        results=job.results,
        error=job.error,
        started_at=job.started_at,
        completed_at=job.completed_at,
    )
