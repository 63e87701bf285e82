"""The offline providers: base.py's interfaces answered with procedural files, no network.

The task providers keep no state. A task id carries everything its outputs are made
from (kind, asset type, seed, colour, height, creation time), so any instance, in any
process, before or after a restart, polls and fetches any offline task; ``create`` has
no side effect, which is why ``find_created`` never has a task to adopt. Outputs are
made again on each ``fetch``, identically, because they depend on the id alone.

A task is IN_PROGRESS until ``latency_ms`` after it was created (progress rising
linearly), then SUCCEEDED; with the default latency of 0 the first poll succeeds.
``cancel`` answers True but stops nothing: a later poll may still say SUCCEEDED, which
the runner accepts, since a cancel only means the result is no longer wanted.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
import time
from collections.abc import Set
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assetforge.generation.offline import images, kinds, rigged, shapes
from assetforge.generation.offline.glb import parse_hex, recolour, scene_to_glb
from assetforge.generation.providers.base import (
    ANIMATION_PREFIX,
    MODEL,
    RIGGED,
    THUMBNAIL,
    ImageTo3DRequest,
    ProviderError,
    RetextureRequest,
    RiggingRequest,
    TaskState,
    TaskStatus,
)

PROVIDER = "offline"
MODEL_NAME = "offline-procedural-1"
PREFIX = "off-"

IMAGE_TO_3D, RETEXTURE, RIGGING = "i3d", "rtx", "rig"
# Output role -> the fragment its reference ends with, by task kind.
_ROLES: dict[str, dict[str, str]] = {
    IMAGE_TO_3D: {MODEL: "model", THUMBNAIL: "thumbnail"},
    RETEXTURE: {MODEL: "model", THUMBNAIL: "thumbnail"},
    RIGGING: {
        RIGGED: "rigged",
        ANIMATION_PREFIX + rigged.WALKING: rigged.WALKING,
        ANIMATION_PREFIX + rigged.RUNNING: rigged.RUNNING,
    },
}
_SHAPE_FIELDS = ("t", "v", "s", "c", "m", "r")  # what a retexture or rigging task takes from its input
_METAL = {"metal", "metallic", "steel", "iron", "gold", "golden", "silver", "bronze", "copper", "chrome", "brass"}
_MATTE = {"wood", "wooden", "leather", "stone", "cloth", "fabric", "clay", "matte", "bone", "rubber", "painted"}


def _refused(message: str) -> ProviderError:
    return ProviderError(PROVIDER, message, retryable=False)


def encode_task(payload: dict[str, Any]) -> str:
    """A task id: ``off-`` and the payload's compact JSON, base64url without padding."""
    text = json.dumps({k: v for k, v in payload.items() if v is not None}, separators=(",", ":"))
    return PREFIX + base64.urlsafe_b64encode(text.encode("utf-8")).rstrip(b"=").decode("ascii")


def decode_task(task_id: str) -> dict[str, Any]:
    """The payload of an offline task id; ProviderError(retryable=False) if it is none."""
    if not task_id.startswith(PREFIX) or len(task_id) > 512:
        raise _refused(f"not an offline task id: {task_id[:80]!r}")
    body = task_id[len(PREFIX) :]
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise _refused(f"not an offline task id: {task_id[:80]!r}") from exc
    valid = (
        isinstance(payload, dict)
        and payload.get("k") in _ROLES
        and isinstance(payload.get("t"), str)
        and isinstance(payload.get("s"), int)
        and isinstance(payload.get("ts"), int)
    )
    if not valid:
        raise _refused(f"not an offline task id: {task_id[:80]!r}")
    return dict(payload)


def _spec(payload: dict[str, Any]) -> kinds.Spec:
    variant = payload.get("v")
    kind = kinds.kind_of(payload["t"])
    return kinds.Spec(kind=kind, seed=payload["s"], variant=variant if isinstance(variant, str) else None)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _colour_for(text: str) -> str:
    """A stable colour for a preset that names none."""
    seed = kinds.seed_of(text)
    return f"{(seed >> 16) & 0xFF:02x}{(seed >> 8) & 0xFF:02x}{seed & 0xFF:02x}"


def _finish(style_prompt: str) -> tuple[float | None, float | None]:
    """Metallic and roughness a style prompt suggests, if it suggests any."""
    words = set(re.findall(r"[a-z]+", style_prompt.lower()))
    if words & _METAL:
        return 0.9, 0.35
    if words & _MATTE:
        return 0.0, 0.8
    return None, None


def make_output(ref: str) -> bytes:
    """The bytes of an offline output reference (``<task id>#<role>``)."""
    task_id, _, fragment = ref.rpartition("#")
    payload = decode_task(task_id)
    if fragment not in _ROLES[payload["k"]].values():
        raise _refused(f"a {payload['k']} task has no output {fragment!r}")
    colour = "#" + payload["c"] if isinstance(payload.get("c"), str) else None
    if payload["k"] == RIGGING:
        height = float(payload.get("h", 1.83))
        make = {"rigged": rigged.rigged_glb, rigged.WALKING: rigged.walk_glb, rigged.RUNNING: rigged.run_glb}[fragment]
        return make(height, colour or "#7a8fb0")
    scene = shapes.build(_spec(payload))
    if fragment == "thumbnail":
        return images.thumbnail(scene, color=colour)
    model = scene_to_glb(scene)
    if payload["k"] == RETEXTURE and colour is not None:
        model = recolour(model, colour, metallic=payload.get("m"), roughness=payload.get("r"))
    return model


class OfflineChat:
    provider: str = PROVIDER
    model: str = MODEL_NAME

    async def complete(self, system: str, prompt: str) -> str:
        """The prompt made ready for an image model; a JSON object if ``system`` asks for JSON."""
        improved = improve_prompt(prompt)
        if "JSON" in system:
            return json.dumps({"prompt": prompt, "text": improved})
        return improved


def improve_prompt(prompt: str) -> str:
    """``prompt`` with what an image-to-3D model needs said, once (improving twice is a no-op)."""
    text = " ".join(prompt.split()).rstrip(" .,")
    if "game-ready 3D asset" in text:
        return text
    hint = {
        kinds.WEAPON: "single weapon standing upright, handle at the bottom",
        kinds.CHARACTER: "full-body character, A-pose, front view",
        kinds.BUILDING: "whole building, three-quarter view",
    }.get(kinds.kind_of(text), "single object, centered")
    return f"{text}, game-ready 3D asset, {hint}, PBR materials, clean topology, plain background"


class OfflineImages:
    provider: str = PROVIDER
    model: str = MODEL_NAME

    async def generate(self, prompt: str) -> bytes:
        kind = kinds.kind_of(prompt)
        return await asyncio.to_thread(images.concept_art, prompt, kind if kind != kinds.GENERIC else "prop")


class _OfflineTasks:
    """What the three task providers share: polling, fetching and cancelling a task id."""

    provider: str = PROVIDER
    model: str = MODEL_NAME

    def __init__(self, latency_ms: int = 0) -> None:
        self.latency_ms = max(0, latency_ms)

    async def poll(self, task_id: str) -> TaskState:
        payload = decode_task(task_id)
        elapsed = _now_ms() - payload["ts"]
        if elapsed < self.latency_ms:
            return TaskState(TaskStatus.IN_PROGRESS, progress=max(0, min(99, 100 * elapsed // self.latency_ms)))
        outputs = {role: f"{task_id}#{fragment}" for role, fragment in _ROLES[payload["k"]].items()}
        return TaskState(TaskStatus.SUCCEEDED, progress=100, outputs=outputs)

    async def cancel(self, task_id: str) -> bool:
        decode_task(task_id)
        return True

    async def fetch(self, ref: str) -> bytes:
        return await asyncio.to_thread(make_output, ref)


class OfflineImageTo3D(_OfflineTasks):
    async def create(self, request: ImageTo3DRequest) -> str:
        """A task for a model shaped by the request's asset type and prompt (not its image)."""
        spec = kinds.Spec.of(request.asset_type, request.prompt)
        payload = {"k": IMAGE_TO_3D, "t": request.asset_type[:32], "v": spec.variant, "s": spec.seed, "ts": _now_ms()}
        return encode_task(payload)

    async def find_created(self, request: ImageTo3DRequest, since: datetime, exclude: Set[str]) -> str | None:
        del request, since, exclude  # create leaves nothing behind to find
        return None


class OfflineRetexture(_OfflineTasks):
    async def create(self, request: RetextureRequest) -> str:
        """A task for the input model painted in the preset's colour (or one made from its id)."""
        parent = decode_task(request.input_task_id)
        colour = request.color or _colour_for(f"{request.preset_id}:{request.style_prompt}")
        try:
            parse_hex(colour)
        except ValueError as exc:
            raise _refused(str(exc)) from exc
        metallic, roughness = _finish(request.style_prompt)
        payload = {key: parent.get(key) for key in _SHAPE_FIELDS}
        payload |= {"k": RETEXTURE, "c": colour.lstrip("#").lower(), "m": metallic, "r": roughness, "ts": _now_ms()}
        return encode_task(payload)

    async def find_created(self, request: RetextureRequest, since: datetime, exclude: Set[str]) -> str | None:
        del request, since, exclude  # create leaves nothing behind to find
        return None


class OfflineRigging(_OfflineTasks):
    async def create(self, request: RiggingRequest) -> str:
        """A task for a rigged, animated humanoid ``height_meters`` tall, in the input's colour.

        Whatever the input's shape, the rig is the offline humanoid: like Meshy, rigging
        is meant for characters, but unlike Meshy it never refuses one.
        """
        parent = decode_task(request.input_task_id)
        if not 0 < request.height_meters <= 100:
            raise _refused(f"height must be in (0, 100] metres, not {request.height_meters}")
        payload = {key: parent.get(key) for key in _SHAPE_FIELDS}
        payload |= {"k": RIGGING, "h": round(request.height_meters, 4), "ts": _now_ms()}
        return encode_task(payload)

    async def find_created(self, request: RiggingRequest, since: datetime, exclude: Set[str]) -> str | None:
        del request, since, exclude  # create leaves nothing behind to find
        return None


@dataclass(frozen=True, slots=True)
class OfflineProviders:
    chat: OfflineChat
    images: OfflineImages
    image_to_3d: OfflineImageTo3D
    retexture: OfflineRetexture
    rigging: OfflineRigging


def offline_providers(latency_ms: int = 0) -> OfflineProviders:
    """Every offline provider, tasks taking ``latency_ms`` to finish (the composition root's entry)."""
    return OfflineProviders(
        chat=OfflineChat(),
        images=OfflineImages(),
        image_to_3d=OfflineImageTo3D(latency_ms),
        retexture=OfflineRetexture(latency_ms),
        rigging=OfflineRigging(latency_ms),
    )
