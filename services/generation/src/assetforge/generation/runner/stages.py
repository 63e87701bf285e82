"""The first three stages: a better prompt, concept art, and the 3D model."""

from __future__ import annotations

import asyncio
import base64
import io

from PIL import Image

from assetforge.common.blobs import GDD_ASSETS
from assetforge.common.contracts.media import Kind
from assetforge.common.contracts.pipelines import (
    IMAGE_3D,
    IMAGE_GENERATION,
    PROMPT_OPTIMIZATION,
    PipelineConfig,
    Quality,
)
from assetforge.generation.jobs import StageRecord, StoredFile, TaskRecord
from assetforge.generation.offline.normalize import normalize_glb
from assetforge.generation.offline.validate import InvalidModel, check_glb
from assetforge.generation.providers.base import (
    MODEL,
    THUMBNAIL,
    ImageTo3DRequest,
    ProviderError,
    TaskState,
    TaskStatus,
)
from assetforge.generation.runner.context import StageContext, StageFailed
from assetforge.generation.runner.journal import CancelRequested
from assetforge.generation.runner.tasks import Progress, run_task

CONCEPT_ART = "concept-art.png"
PROMPT_SYSTEM = (
    "You improve prompts for generating game assets. Rewrite the user's description as one vivid, "
    "specific prompt for a single object on a plain background, under 600 characters. Answer with the prompt only."
)
# Meshy's polygon budget and texture size per quality (SPEC: ultra, high, else).
QUALITY = {Quality.ULTRA: (20000, 4096), Quality.HIGH: (12000, 2048)}
DEFAULT_QUALITY = (6000, 1024)


def base_prompt(config: PipelineConfig) -> str:
    parts = [config.description or config.name]
    if config.style:
        parts.append(f"{config.style} style")
    parts.append(f"game {config.type}")
    return ", ".join(parts)


def prompt_of(ctx: StageContext) -> str:
    optimized = ctx.job.stage(PROMPT_OPTIMIZATION).text
    return optimized or base_prompt(ctx.job.config)


async def optimize_prompt(ctx: StageContext, record: StageRecord) -> None:
    """On any failure the pipeline goes on with the user's own prompt (SPEC)."""
    chat = ctx.providers.chat
    record.provider, record.model = chat.provider, chat.model
    record.prompt = base_prompt(ctx.job.config)
    try:
        answer = await ctx.call(record, chat, chat.complete(PROMPT_SYSTEM, record.prompt))
    except ProviderError as error:
        raise StageFailed(f"{error}; the original prompt is used") from error
    record.text = answer.strip()[:2000] or None


def _checked_png(data: bytes, provider: str) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except Exception as error:
        raise StageFailed(f"{provider} returned an image that does not open: {error}") from error
    return data


async def generate_concept_art(ctx: StageContext, record: StageRecord) -> None:
    images = ctx.providers.images
    record.provider, record.model = images.provider, images.model
    record.prompt = f"{prompt_of(ctx)}, concept art, single object, neutral background"
    png = _checked_png(await ctx.call(record, images, images.generate(record.prompt)), images.provider)
    job = ctx.job
    record.files["conceptArt"] = await ctx.outputs.store(
        job.asset_id, CONCEPT_ART, png, Kind.IMAGE, job.owner_id, "image/png"
    )
    ctx.made[CONCEPT_ART] = png


async def _image_url(ctx: StageContext) -> str:
    """What the model is made from: the reference image, or the concept art inline."""
    reference = ctx.job.config.reference_image
    if reference is not None and reference.url and reference.url.startswith("http"):
        return reference.url
    if reference is not None and reference.data_url:
        return reference.data_url
    png = ctx.made.get(CONCEPT_ART)
    if png is None:
        if ctx.job.stage(IMAGE_GENERATION).files.get("conceptArt") is None:
            raise StageFailed("there is no image to make the model from")
        store = ctx.outputs.blob_store
        png = b"".join([chunk async for chunk in store.read(GDD_ASSETS, f"{ctx.job.asset_id}/{CONCEPT_ART}")])
    return "data:image/png;base64," + base64.b64encode(png).decode()


async def checked_model(data: bytes, provider: str) -> None:
    try:
        await asyncio.to_thread(check_glb, data)
    except InvalidModel as error:
        raise StageFailed(f"{provider} returned a model that does not load: {error}") from error


def ended(state: TaskState, provider: str, ctx: StageContext) -> None:
    """Raise for a task that did not succeed."""
    if state.status == TaskStatus.FAILED:
        raise StageFailed(f"{provider}: {state.error or 'the task failed and the provider gave no reason'}")
    if state.status == TaskStatus.CANCELED:
        if ctx.lease.cancelled.is_set():
            raise CancelRequested(str(ctx.job.id))
        raise StageFailed(f"{provider} cancelled the task")


def progress_reporter(
    ctx: StageContext, stage: str, record: StageRecord, share: float = 1.0, base: float = 0.0
) -> Progress:
    """Records a task's progress as the stage's (``base`` + ``share`` of it), with an event."""

    async def report(state: TaskState) -> None:
        record.progress = min(99, int(base + state.progress * share))
        await ctx.journal.record("progress", stage=stage, progress=record.progress)

    return report


async def make_model(ctx: StageContext, record: StageRecord) -> None:
    job = ctx.job
    provider = ctx.providers.image_to_3d
    record.provider, record.model = provider.provider, provider.model
    polycount, texture = QUALITY.get(job.config.quality, DEFAULT_QUALITY)
    record.prompt = prompt_of(ctx)
    request = ImageTo3DRequest(
        image_url=await _image_url(ctx),
        prompt=record.prompt,
        asset_type=job.config.type,
        target_polycount=polycount,
        texture_resolution=texture,
    )
    task = record.task = record.task or TaskRecord()
    state = await run_task(ctx, record, task, provider, request, progress_reporter(ctx, IMAGE_3D, record, 0.9))
    ended(state, provider.provider, ctx)
    raw = await ctx.call(record, provider, provider.fetch(state.outputs[MODEL]))
    await checked_model(raw, provider.provider)
    height = job.config.rigging_options.height_meters if job.config.rigging_options else 1.83
    model = await asyncio.to_thread(normalize_glb, raw, job.config.type, height_m=height)
    await checked_model(model, "normalization")
    files = {"raw": (f"{job.asset_id}_raw.glb", raw, Kind.MODEL), "model": (f"{job.asset_id}.glb", model, Kind.MODEL)}
    if THUMBNAIL in state.outputs:
        png = _checked_png(await ctx.call(record, provider, provider.fetch(state.outputs[THUMBNAIL])), "thumbnail")
        files["thumbnail"] = ("thumbnail.png", png, Kind.IMAGE)
    task.files.update(await store_all(ctx, files))
    record.files.update(task.files)


async def store_all(ctx: StageContext, files: dict[str, tuple[str, bytes, Kind]]) -> dict[str, StoredFile]:
    """Store a stage's files side by side (each is a few round trips to the media service)."""
    job = ctx.job
    roles = list(files)
    stored = await asyncio.gather(
        *(
            ctx.outputs.store(job.asset_id, path, data, kind, job.owner_id, "image/png" if kind == Kind.IMAGE else None)
            for path, data, kind in files.values()
        )
    )
    return dict(zip(roles, stored, strict=True))
