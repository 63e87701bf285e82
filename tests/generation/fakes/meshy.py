"""Meshy on loopback, speaking the task API the client uses, under ``/openapi``:
``POST /v1/<kind>`` → 202 ``{"result": id}``, ``GET /v1/<kind>/{id}`` → the task object,
``DELETE`` the task, ``GET /v1/<kind>`` → a bare array, newest first (not for rigging:
Meshy has no list there). Results are real files served by the fake itself under
``/assets/{id}/``. Outcomes are scripted per test through the public fields."""

from __future__ import annotations

import asyncio
import functools
import io
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import trimesh
from litestar import Litestar, Request, Response, delete, get, post
from litestar.params import FromPath, FromQuery
from PIL import Image

KINDS = ("image-to-3d", "retexture", "rigging")
_REQUIRED = {
    "image-to-3d": ("image_url",),
    "retexture": ("input_task_id", "text_style_prompt"),
    "rigging": ("input_task_id",),
}
_ERRORS = {402: "Insufficient credits", 429: "Too many requests", 500: "Internal server error"}


@functools.cache
def box_glb() -> bytes:
    """A small valid GLB (a unit box)."""
    data = trimesh.creation.box().export(file_type="glb")
    assert isinstance(data, bytes)
    return data


@functools.cache
def thumbnail_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (176, 141, 87)).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class FakeTask:
    id: str
    kind: str
    body: dict[str, Any]
    created_at: int  # ms
    outcome: str  # the terminal status: SUCCEEDED, FAILED or CANCELED
    error: str = ""
    polls: int = 0


@dataclass
class FakeMeshy:
    api_key: str
    url: str = ""
    # A task answers PENDING, then IN_PROGRESS with growing progress, for this many polls.
    polls_to_finish: int = 3
    # kind → task_error.message of the next task of that kind, which ends FAILED.
    fail_next: dict[str, str] = field(default_factory=dict)
    # Kinds whose next task ends CANCELED.
    cancel_next: set[str] = field(default_factory=set)
    # Statuses (402, 429, 500) to answer the next create calls, of any kind, in order.
    reject_next: list[int] = field(default_factory=list)
    retry_after: str = "1"
    # Statuses to answer the next polls (GET of one task), in order.
    reject_polls: list[int] = field(default_factory=list)
    # Set to stall creates after the task exists, as if the answer never came back.
    hold_create: asyncio.Event | None = None
    # Kinds with a list endpoint: Meshy has none for rigging.
    listable: set[str] = field(default_factory=lambda: {"image-to-3d", "retexture"})
    # Model URLs go through a redirect first, as a CDN's might.
    redirect_assets: bool = False
    creates: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    create_bodies: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    polls: int = 0
    deleted: list[str] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)
    tasks: dict[str, FakeTask] = field(default_factory=dict)

    def task_object(self, task: FakeTask) -> dict[str, Any]:
        """The task as Meshy shows it after ``task.polls`` polls."""
        status, progress = "PENDING", 0
        if task.polls > self.polls_to_finish:
            status, progress = task.outcome, 100 if task.outcome == "SUCCEEDED" else 40
        elif task.polls > 1:
            status, progress = "IN_PROGRESS", min(99, 100 * (task.polls - 1) // self.polls_to_finish)
        done = status == "SUCCEEDED"
        base = f"{self.url}/{'moved' if self.redirect_assets else 'assets'}/{task.id}"
        shown: dict[str, Any] = {
            "id": task.id,
            "type": task.kind,
            "status": status,
            "progress": progress,
            "created_at": task.created_at,
            "started_at": task.created_at + 100 if task.polls > 1 else 0,
            "finished_at": task.created_at + 1000 if status in ("SUCCEEDED", "FAILED", "CANCELED") else 0,
            "task_error": {"message": task.error if status == "FAILED" else ""},
        }
        if task.kind == "rigging":
            if done:
                shown["result"] = {
                    "rigged_character_glb_url": f"{base}/rigged.glb",
                    "rigged_character_fbx_url": f"{base}/rigged.fbx",
                    "basic_animations": {
                        "walking_glb_url": f"{base}/walking.glb",
                        "walking_fbx_url": f"{base}/walking.fbx",
                        "walking_armature_glb_url": f"{base}/walking_armature.glb",
                        "running_glb_url": f"{base}/running.glb",
                        "running_fbx_url": f"{base}/running.fbx",
                        "running_armature_glb_url": f"{base}/running_armature.glb",
                    },
                }
            return shown
        shown["model_urls"] = {"glb": f"{base}/model.glb" if done else "", "fbx": f"{base}/model.fbx" if done else ""}
        shown["thumbnail_url"] = f"{base}/preview.png" if done else ""
        shown["texture_urls"] = []
        if task.kind == "retexture":
            # Retexture tasks echo their style prompt; image-to-3D tasks echo no input.
            shown["text_style_prompt"] = task.body.get("text_style_prompt", "")
        return shown

    def app(self) -> Litestar:
        def refused(request: Request[Any, Any, Any]) -> Response[Any] | None:
            if request.headers.get("authorization") != f"Bearer {self.api_key}":
                return Response({"message": "Invalid API key"}, status_code=401)
            return None

        def error(status: int) -> Response[Any]:
            headers = {"Retry-After": self.retry_after} if status == 429 else None
            return Response({"message": _ERRORS.get(status, "planned")}, status_code=status, headers=headers)

        @post("/openapi/v1/{kind:str}", status_code=202)
        async def create(kind: FromPath[str], request: Request[Any, Any, Any]) -> Response[Any]:
            if kind not in KINDS:
                return Response({"message": "Not found"}, status_code=404)
            if (answer := refused(request)) is not None:
                return answer
            body = await request.json()
            self.creates[kind] += 1
            self.create_bodies.append((kind, body))
            if self.reject_next:
                return error(self.reject_next.pop(0))
            missing = [name for name in _REQUIRED[kind] if not body.get(name)]
            if missing:
                return Response({"message": f"missing {', '.join(missing)}"}, status_code=400)
            outcome, reason = "SUCCEEDED", ""
            if kind in self.fail_next:
                outcome, reason = "FAILED", self.fail_next.pop(kind)
            elif kind in self.cancel_next:
                self.cancel_next.discard(kind)
                outcome = "CANCELED"
            task = FakeTask(str(uuid.uuid4()), kind, body, int(time.time() * 1000), outcome, reason)
            self.tasks[task.id] = task
            if self.hold_create is not None:
                await self.hold_create.wait()  # the task exists; the answer is late
            return Response({"result": task.id}, status_code=202)

        @get("/openapi/v1/{kind:str}/{task_id:str}")
        async def retrieve(
            kind: FromPath[str], task_id: FromPath[str], request: Request[Any, Any, Any]
        ) -> Response[Any]:
            if (answer := refused(request)) is not None:
                return answer
            self.polls += 1
            if self.reject_polls:
                return error(self.reject_polls.pop(0))
            task = self.tasks.get(task_id)
            if task is None or task.kind != kind:
                return Response({"message": "Task not found"}, status_code=404)
            task.polls += 1
            return Response(self.task_object(task))

        @delete("/openapi/v1/{kind:str}/{task_id:str}", status_code=200)
        async def remove(kind: FromPath[str], task_id: FromPath[str], request: Request[Any, Any, Any]) -> Response[Any]:
            if (answer := refused(request)) is not None:
                return answer
            task = self.tasks.get(task_id)
            if task is None or task.kind != kind:
                return Response({"message": "Task not found"}, status_code=404)
            del self.tasks[task_id]
            self.deleted.append(task_id)
            return Response({})

        @get("/openapi/v1/{kind:str}")
        async def listing(
            kind: FromPath[str],
            request: Request[Any, Any, Any],
            page_num: FromQuery[int] = 1,
            page_size: FromQuery[int] = 10,
            sort_by: FromQuery[str] = "",
        ) -> Response[Any]:
            if kind not in self.listable:
                return Response({"message": "Not found"}, status_code=404)
            if (answer := refused(request)) is not None:
                return answer
            newest_first = sort_by != "+created_at"
            mine = sorted((t for t in self.tasks.values() if t.kind == kind), key=lambda t: t.created_at)
            if newest_first:
                mine.reverse()
            start = (max(page_num, 1) - 1) * min(page_size, 50)
            return Response([self.task_object(t) for t in mine[start : start + min(page_size, 50)]])

        @get("/assets/{task_id:str}/{name:str}")
        async def asset(task_id: FromPath[str], name: FromPath[str]) -> Response[bytes]:
            self.downloads.append(f"{task_id}/{name}")
            if name.endswith(".png"):
                return Response(thumbnail_png(), media_type="image/png")
            if name.endswith(".glb"):
                return Response(box_glb(), media_type="model/gltf-binary")
            return Response(b"Kaydara FBX Binary  \x00", media_type="application/octet-stream")

        @get("/moved/{task_id:str}/{name:str}")
        async def moved(task_id: FromPath[str], name: FromPath[str]) -> Response[bytes]:
            return Response(b"", status_code=302, headers={"Location": f"{self.url}/assets/{task_id}/{name}"})

        handlers = [create, retrieve, remove, listing, asset, moved]
        return Litestar(handlers, openapi_config=None, logging_config=None)
