"""The last two stages: a texture variant per material preset, and the rig."""

from __future__ import annotations

import asyncio

from assetforge.common.contracts.media import Kind
from assetforge.common.contracts.pipelines import IMAGE_3D, RIGGING, TEXTURE_GENERATION
from assetforge.generation.jobs import StageRecord, TaskRecord
from assetforge.generation.offline.normalize import normalize_glb
from assetforge.generation.providers.base import (
    ANIMATION_PREFIX,
    MODEL,
    RIGGED,
    THUMBNAIL,
    RetextureRequest,
    RiggingRequest,
    TaskStatus,
)
from assetforge.generation.runner.context import StageContext, StageFailed
from assetforge.generation.runner.stages import checked_model, ended, progress_reporter, store_all
from assetforge.generation.runner.tasks import run_task


def _model_task(ctx: StageContext) -> str:
    task = ctx.job.stage(IMAGE_3D).task
    if task is None or task.task_id is None:
        raise StageFailed("the 3D model's task is unknown")
    return task.task_id


async def make_variants(ctx: StageContext, record: StageRecord) -> None:
    """One retexture per preset, in order; a preset already made is not made again."""
    job = ctx.job
    provider = ctx.providers.retexture
    record.provider, record.model = provider.provider, provider.model
    presets = job.config.material_presets
    for index, preset in enumerate(presets):
        task = record.tasks.setdefault(preset.id, TaskRecord())
        if task.status == TaskStatus.SUCCEEDED.value and "model" in task.files:
            continue
        ctx.lease.check()
        style = preset.style_prompt or f"{preset.display_name or preset.name or preset.id} material"
        request = RetextureRequest(
            input_task_id=_model_task(ctx), style_prompt=style, preset_id=preset.id, color=preset.color
        )
        share = 1 / len(presets)
        report = progress_reporter(ctx, TEXTURE_GENERATION, record, share, 100 * index * share)
        state = await run_task(ctx, record, task, provider, request, report)
        try:
            ended(state, provider.provider, ctx)
        except StageFailed as failure:
            raise StageFailed(f"preset {preset.id}: {failure.message}") from failure
        raw = await ctx.call(record, provider, provider.fetch(state.outputs[MODEL]))
        await checked_model(raw, provider.provider)
        height = job.config.rigging_options.height_meters if job.config.rigging_options else 1.83
        model = await asyncio.to_thread(normalize_glb, raw, job.config.type, height_m=height)
        files = {"model": (f"variants/{preset.id}.glb", model, Kind.MODEL)}
        if THUMBNAIL in state.outputs:
            png = await ctx.call(record, provider, provider.fetch(state.outputs[THUMBNAIL]))
            files["thumbnail"] = (f"variants/{preset.id}.png", png, Kind.IMAGE)
        task.files.update(await store_all(ctx, files))
        # The variant is safe: a later failure (or a retry) keeps it.
        task.status = TaskStatus.SUCCEEDED.value
        await ctx.journal.record()


async def rig_model(ctx: StageContext, record: StageRecord) -> None:
    job = ctx.job
    provider = ctx.providers.rigging
    record.provider, record.model = provider.provider, provider.model
    height = job.config.rigging_options.height_meters if job.config.rigging_options else 1.83
    request = RiggingRequest(input_task_id=_model_task(ctx), height_meters=height)
    task = record.task = record.task or TaskRecord()
    state = await run_task(ctx, record, task, provider, request, progress_reporter(ctx, RIGGING, record, 0.9))
    ended(state, provider.provider, ctx)
    if RIGGED not in state.outputs:
        raise StageFailed(f"{provider.provider} answered no rigged model")
    rigged = await ctx.call(record, provider, provider.fetch(state.outputs[RIGGED]))
    await checked_model(rigged, provider.provider)
    files = {"rigged": (f"{job.asset_id}_rigged.glb", rigged, Kind.MODEL)}
    for role, ref in sorted(state.outputs.items()):
        if not role.startswith(ANIMATION_PREFIX):
            continue
        name = role.removeprefix(ANIMATION_PREFIX)
        clip = await ctx.call(record, provider, provider.fetch(ref))
        await checked_model(clip, provider.provider)
        files[f"animation:{name}"] = (f"animations/{name}.glb", clip, Kind.MODEL)
    task.files.update(await store_all(ctx, files))
    record.files.update(task.files)
