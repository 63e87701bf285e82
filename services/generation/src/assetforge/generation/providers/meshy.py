"""Meshy's task API (https://docs.meshy.ai): image-to-3D, retexture and rigging. Each is
``POST /v1/<kind>`` → ``{"result": id}``, ``GET``/``DELETE /v1/<kind>/{id}`` and, except
rigging, ``GET /v1/<kind>?page_num&page_size&sort_by`` → a bare array, newest first.
Result URLs are signed and expire, so the pipeline fetches them as soon as a task succeeds.
"""

from __future__ import annotations

import contextlib
from collections.abc import Set
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar
from urllib.parse import quote

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
from assetforge.generation.providers.http import HttpSettings, ProviderHttp

MESHY_URL = "https://api.meshy.ai/openapi"
MAX_DOWNLOAD_BYTES = 200 * 1024 * 1024
# find_created reads this much at most: a crashed stage asks soon, its task is near the top.
PAGE_SIZE = 50
MAX_PAGES = 3
# Meshy stamps created_at by its clock, ``since`` is ours.
CLOCK_SKEW_S = 5.0

R = TypeVar("R")


class _MeshyTasks(Generic[R]):
    kind: ClassVar[str]
    default_model: ClassVar[str]
    # The output a SUCCEEDED task must answer for the pipeline to go on.
    required_output: ClassVar[str] = MODEL

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = MESHY_URL,
        model: str | None = None,
        settings: HttpSettings | None = None,
        max_download_bytes: int = MAX_DOWNLOAD_BYTES,
    ) -> None:
        self.provider = "meshy"
        self.model = model or self.default_model
        self._max_download_bytes = max_download_bytes
        settings = settings or HttpSettings()
        self._http = ProviderHttp(
            provider="meshy", model=self.model, display="Meshy", base_url=base_url, api_key=api_key, settings=settings
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    def _body(self, request: R) -> dict[str, Any]:
        raise NotImplementedError

    def _echo(self, request: R) -> dict[str, Any]:
        """The request's values a task object may echo, to tell our task from others:
        by default all that was sent."""
        return self._body(request)

    def _outputs(self, task: dict[str, Any]) -> dict[str, str]:
        raise NotImplementedError

    async def create(self, request: R) -> str:
        data = await self._http.send("POST", f"/v1/{self.kind}", json=self._body(request), create=True)
        task_id = data.get("result") if isinstance(data, dict) else None
        if not isinstance(task_id, str) or not task_id:
            # The task may exist all the same: retryable, so the pipeline asks find_created.
            raise ProviderError(self.provider, f"the {self.kind} create answered no task id", retryable=True)
        return task_id

    async def poll(self, task_id: str) -> TaskState:
        try:
            task = await self._http.send("GET", self._path(task_id))
        except ProviderError as error:
            if error.status == 404:
                message = f"{self.kind} task {task_id} not found"
                raise ProviderError(self.provider, message, retryable=False, status=404) from error
            raise
        if not isinstance(task, dict):
            raise ProviderError(self.provider, f"{self.kind} task {task_id} is not a JSON object", retryable=True)
        return self._state(task)

    async def cancel(self, task_id: str) -> bool:
        """Meshy has no cancel endpoint: this DELETEs the task and its results (as Meshy's own
        MCP server "cancels"); whether a running task's credits come back is undocumented.
        True once the task is gone (404 included), False if refused; retryable errors raise."""
        try:
            await self._http.send("DELETE", self._path(task_id))
        except ProviderError as error:
            if error.status == 404:
                return True
            if error.retryable:
                raise
            return False
        return True

    async def find_created(self, request: R, since: datetime, exclude: Set[str]) -> str | None:
        """The newest task of this kind created at or after ``since`` minus 5 s (skew),
        whose id is not in ``exclude`` and whose echoed inputs match ``request``. None when
        there is none, or when Meshy has no list for the kind (404/405: rigging today).

        Matched, each only if the task object carries it non-empty: image-to-3D
        ``topology``, ``target_polycount``, ``enable_pbr`` and ``image_url`` when a public
        URL (never a data URI); retexture ``input_task_id``, ``text_style_prompt``,
        ``enable_original_uv``; rigging ``input_task_id``, ``height_meters``. Meshy documents
        few echoed inputs (image-to-3D tasks echo none of these as far as the docs show), so
        in practice the time window and ``exclude`` decide. Remaining ambiguity: another
        create of the same kind on this account inside the window, not yet in ``exclude``
        (a concurrent stage between its POST and recording the id), is indistinguishable
        and, being newer, wins; pass every task id the service has recorded as ``exclude``.
        Reads at most ``MAX_PAGES`` pages of ``PAGE_SIZE``, stopping at the first older task.
        """
        threshold_ms = (since.timestamp() - CLOCK_SKEW_S) * 1000
        expected = self._echo(request)
        for page in range(1, MAX_PAGES + 1):
            params: dict[str, str | int] = {"page_num": page, "page_size": PAGE_SIZE, "sort_by": "-created_at"}
            try:
                data = await self._http.send("GET", f"/v1/{self.kind}", params=params)
            except ProviderError as error:
                if error.status in (404, 405):
                    return None
                raise
            tasks = _task_list(data, self.provider, self.kind)
            for task in tasks:
                created_ms = _ms(task.get("created_at"))
                if created_ms is None:
                    continue
                if created_ms < threshold_ms:
                    return None  # newest first: everything after is older still
                task_id = task.get("id")
                if isinstance(task_id, str) and task_id not in exclude and _echoes(task, expected):
                    return task_id
            if len(tasks) < PAGE_SIZE:
                return None
        return None

    async def fetch(self, ref: str) -> bytes:
        return await self._http.download(ref, max_bytes=self._max_download_bytes)

    def _path(self, task_id: str) -> str:
        return f"/v1/{self.kind}/{quote(task_id, safe='')}"

    def _state(self, task: dict[str, Any]) -> TaskState:
        raw = task.get("status")
        try:
            status = TaskStatus(str(raw))
        except ValueError as exc:
            message = f"{self.kind} task in an unknown status {raw!r}"
            raise ProviderError(self.provider, message, retryable=False) from exc
        progress = task.get("progress")
        percent = max(0, min(100, int(progress))) if isinstance(progress, int | float) else 0
        outputs = self._outputs(task)
        if status is TaskStatus.SUCCEEDED:
            if self.required_output not in outputs:
                # Not expected of Meshy; retryable, in case a later poll carries the URL.
                message = f"{self.kind} task {task.get('id')} succeeded without a {self.required_output} URL"
                raise ProviderError(self.provider, message, retryable=True)
            return TaskState(status, progress=100, outputs=outputs)
        error = None
        if status is TaskStatus.FAILED:
            task_error = task.get("task_error")
            reason = task_error.get("message") if isinstance(task_error, dict) else None
            error = reason if isinstance(reason, str) and reason.strip() else "Meshy gave no reason for the failure"
        return TaskState(status, progress=percent, error=error, outputs=outputs)


class MeshyImageTo3D(_MeshyTasks[ImageTo3DRequest]):
    kind = "image-to-3d"
    default_model = "meshy-5"

    def _body(self, request: ImageTo3DRequest) -> dict[str, Any]:
        return {
            "image_url": request.image_url,
            "enable_pbr": request.enable_pbr,
            "ai_model": request.ai_model,
            "topology": request.topology,
            "target_polycount": request.target_polycount,
            "texture_resolution": texture_resolution(request.texture_resolution),
            # topology and target_polycount apply only to a remeshed model.
            "should_remesh": True,
        }

    def _echo(self, request: ImageTo3DRequest) -> dict[str, Any]:
        echo: dict[str, Any] = {
            "topology": request.topology,
            "target_polycount": request.target_polycount,
            "enable_pbr": request.enable_pbr,
        }
        # Meshy may keep a data URI as an uploaded file's URL: compare only public URLs.
        if not request.image_url.startswith("data:"):
            echo["image_url"] = request.image_url
        return echo

    def _outputs(self, task: dict[str, Any]) -> dict[str, str]:
        return _model_outputs(task)


class MeshyRetexture(_MeshyTasks[RetextureRequest]):
    kind = "retexture"
    default_model = "meshy-retexture"

    def _body(self, request: RetextureRequest) -> dict[str, Any]:
        return {
            "input_task_id": request.input_task_id,
            "text_style_prompt": request.style_prompt,
            "enable_original_uv": request.enable_original_uv,
        }

    def _outputs(self, task: dict[str, Any]) -> dict[str, str]:
        return _model_outputs(task)


class MeshyRigging(_MeshyTasks[RiggingRequest]):
    """Rigging: Meshy documents no list for it, so ``find_created`` answers None (for now)."""

    kind = "rigging"
    default_model = "meshy-rigging"
    required_output = RIGGED

    def _body(self, request: RiggingRequest) -> dict[str, Any]:
        return {"input_task_id": request.input_task_id, "height_meters": request.height_meters}

    def _outputs(self, task: dict[str, Any]) -> dict[str, str]:
        result = task.get("result")
        if not isinstance(result, dict):
            return {}
        outputs = _urls({RIGGED: result.get("rigged_character_glb_url")})
        animations = result.get("basic_animations")
        if isinstance(animations, dict):
            # walking_glb_url, running_glb_url, ...: the skinned clips, not the bare armatures.
            for key, url in animations.items():
                if key.endswith("_glb_url") and not key.endswith("_armature_glb_url"):
                    outputs.update(_urls({ANIMATION_PREFIX + key.removesuffix("_glb_url"): url}))
        return outputs


def texture_resolution(pixels: int) -> str:
    """Meshy takes ``"2k"``, ``"4k"`` or ``"8k"``: the smallest at least ``pixels`` wide."""
    if pixels <= 2048:
        return "2k"
    return "4k" if pixels <= 4096 else "8k"


def _model_outputs(task: dict[str, Any]) -> dict[str, str]:
    model_urls = task.get("model_urls")
    glb = model_urls.get("glb") if isinstance(model_urls, dict) else None
    return _urls({MODEL: glb, THUMBNAIL: task.get("thumbnail_url")})


def _urls(candidates: dict[str, Any]) -> dict[str, str]:
    # Meshy answers "" for results not made yet.
    return {role: url for role, url in candidates.items() if isinstance(url, str) and url}


def _echoes(task: dict[str, Any], expected: dict[str, Any]) -> bool:
    for key, want in expected.items():
        have = task.get(key)
        if have is None or have == "":
            continue  # not echoed: nothing to compare
        numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (have, want))
        if (abs(have - want) > 1e-6) if numbers else (have != want):
            return False
    return True


def _task_list(data: Any, provider: str, kind: str) -> list[dict[str, Any]]:
    """The docs show a bare array; accept one wrapped in an object too."""
    if isinstance(data, dict):
        data = next((data[k] for k in ("result", "tasks", "data", "items") if isinstance(data.get(k), list)), None)
    if not isinstance(data, list):
        # Not "no tasks": reading it as empty could make the pipeline pay twice.
        raise ProviderError(provider, f"the {kind} task list is not a list", retryable=True)
    return [task for task in data if isinstance(task, dict)]


def _ms(value: Any) -> float | None:
    """A task's ``created_at`` in ms since the epoch (Meshy sends ms; tolerate ISO text)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value.isdigit():
        return float(value)
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000
    return None
