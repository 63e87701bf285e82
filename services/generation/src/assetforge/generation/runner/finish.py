"""The end of a pipeline: its provenance manifest (``metadata.json``: every prompt as
sent, the provider, model and task of every stage, timings, and the SHA-256 of every
file) and the completed event from which the assets service makes the asset."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from assetforge.common.bus.outbox import add_event
from assetforge.common.contracts.generation import (
    GeneratedFile,
    PipelineCompleted,
    PipelineVariant,
    pipeline_event_subject,
)
from assetforge.common.contracts.media import Kind
from assetforge.common.contracts.pipelines import (
    IMAGE_3D,
    IMAGE_GENERATION,
    RIGGING,
    STAGES,
    TEXTURE_GENERATION,
    PipelineState,
)
from assetforge.generation import repository as jobs
from assetforge.generation.jobs import Job, StoredFile
from assetforge.generation.models import outbox
from assetforge.generation.runner.context import StageContext
from assetforge.generation.runner.journal import LeaseLost
from assetforge.generation.service.status import status_of

MANIFEST = "metadata.json"


def manifest(job: Job) -> dict[str, Any]:
    stages: dict[str, Any] = {}
    for name in STAGES:
        record = job.stages.get(name)
        if record is None:
            continue
        tasks = {preset: task.task_id for preset, task in record.tasks.items()}
        stages[name] = {
            "status": record.status.value,
            "provider": record.provider,
            "model": record.model,
            "prompt": record.prompt,
            "output": record.text,
            "taskId": record.task.task_id if record.task else None,
            "tasks": tasks or None,
            "startedAt": record.started_at,
            "completedAt": record.completed_at,
            "providerMs": round(record.provider_ms, 1),
            "error": record.error,
            "files": {
                role: {"path": f.path, "sha256": f.sha256, "size": f.size} for role, f in _files_of(job, name).items()
            },
        }
    return {
        "pipelineId": str(job.id),
        "assetId": job.asset_id,
        "name": job.config.name,
        "type": job.config.type,
        "quality": job.config.quality.value,
        "createdAt": job.created_at,
        "startedAt": job.started_at,
        "stages": stages,
    }


def _files_of(job: Job, stage: str) -> dict[str, StoredFile]:
    record = job.stages[stage]
    files = dict(record.files)
    for preset, task in record.tasks.items():
        files.update({f"{preset}:{role}": f for role, f in task.files.items()})
    return files


def _generated(file: StoredFile | None) -> GeneratedFile | None:
    if file is None:
        return None
    name = file.path.rsplit("/", 1)[-1]
    return GeneratedFile(url=file.url, file_id=file.file_id, cdn_url=file.cdn_url, file_name=name)


def completed_event(job: Job, metadata_file: StoredFile) -> PipelineCompleted:
    model = job.stages[IMAGE_3D].files
    rig = job.stages.get(RIGGING)
    rig_files = rig.files if rig else {}
    concept = job.stages.get(IMAGE_GENERATION)
    textures = job.stages.get(TEXTURE_GENERATION)
    variants = [
        PipelineVariant(
            preset_id=preset,
            model=GeneratedFile(url=task.files["model"].url, file_id=task.files["model"].file_id),
            thumbnail=_generated(task.files.get("thumbnail")),
        )
        for preset, task in (textures.tasks.items() if textures else [])
        if "model" in task.files
    ]
    extra = [model.get("raw"), metadata_file, *(f for r, f in rig_files.items() if r.startswith("animation:"))]
    config = job.config
    return PipelineCompleted(
        pipeline_id=str(job.id),
        owner_id=job.owner_id,
        name=config.name,
        type=config.type,
        completed_at=job.completed_at or datetime.now(UTC),
        asset_id=job.asset_id,
        subtype=config.subtype,
        tier=config.tier,
        prompt=(job.stages[IMAGE_3D].prompt or config.description)[:10_000] or None,
        visibility=config.visibility,
        project_id=config.project_id,
        model=_generated(model.get("model")),
        thumbnail=_generated(model.get("thumbnail")),
        concept_art=_generated(concept.files.get("conceptArt") if concept else None),
        rigged_model=_generated(rig_files.get("rigged")),
        file_ids=[f.file_id for f in extra if f is not None],
        variants=variants,
        metadata={"pipelineId": str(job.id), "quality": config.quality.value, "generationType": config.type},
        status=status_of(job),
    )


async def finish(ctx: StageContext) -> None:
    job = ctx.job
    document = msgspec.json.encode(manifest(job))
    stored = await ctx.outputs.store(job.asset_id, MANIFEST, document, Kind.DATA, job.owner_id, "application/json")
    job.results["metadataUrl"] = stored.url
    job.status, job.current_stage = PipelineState.COMPLETED, None
    job.completed_at = datetime.now(UTC)
    job.progress = 100
    async with ctx.journal.database.unit_of_work() as session:
        if not await jobs.save_job(session, job, lease_owner=ctx.journal.runner):
            raise LeaseLost(str(job.id))
        event = completed_event(job, stored)
        await add_event(session, outbox, pipeline_event_subject(str(job.id), "completed"), event)
