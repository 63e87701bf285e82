"""What a pipeline asks of its providers: one interface per capability.

Chat and image calls answer at once. Image-to-3D, retexture and rigging are *tasks*, as
Meshy runs them: ``create`` answers a task id straight away (the pipeline commits it
before anything else, so a resumed stage polls that task instead of paying for another),
``poll`` says where the task stands, and ``fetch`` downloads what it made. The runner
owns waiting (polling with backoff, heartbeats), so a provider never sleeps between polls.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypeVar


class ProviderError(Exception):
    """A provider call that failed, with whether trying again can help.

    ``retryable`` is true for timeouts, connection failures, 429 and 5xx; false for what a
    retry cannot fix (402 no credits, 401 a bad key, 400 a refused input). ``retry_after_s``
    is the provider's own ``Retry-After`` when it sent one.
    """

    def __init__(
        self,
        provider: str,
        message: str,
        *,
        retryable: bool,
        status: int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider
        self.message = message
        self.retryable = retryable
        self.status = status
        self.retry_after_s = retry_after_s


class TaskStatus(StrEnum):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"


TERMINAL = frozenset({TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.CANCELED})

# Output roles a task may answer (keys of ``TaskState.outputs``).
MODEL = "model"
THUMBNAIL = "thumbnail"
RIGGED = "rigged"
ANIMATION_PREFIX = "animation:"  # "animation:walking", "animation:running"


@dataclass(frozen=True, slots=True)
class TaskState:
    status: TaskStatus
    progress: int = 0  # 0-100
    # Why a FAILED task failed (Meshy: ``task_error.message``).
    error: str | None = None
    # Where each result is, by role: URLs for Meshy, the offline provider's own references.
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL


@dataclass(frozen=True, slots=True)
class ImageTo3DRequest:
    # A public URL or a ``data:image/png;base64,...`` URI (Meshy takes both).
    image_url: str
    # The prompt and asset type the image was made from: the offline provider shapes its
    # model from them; Meshy reads only the image.
    prompt: str
    asset_type: str
    target_polycount: int
    texture_resolution: int
    enable_pbr: bool = True
    ai_model: str = "meshy-5"
    topology: str = "quad"


@dataclass(frozen=True, slots=True)
class RetextureRequest:
    # The image-to-3D task whose model is retextured.
    input_task_id: str
    style_prompt: str
    preset_id: str
    # The preset's colour (``#b08d57``), when it has one: the offline provider paints with it.
    color: str | None = None
    enable_original_uv: bool = True


@dataclass(frozen=True, slots=True)
class RiggingRequest:
    input_task_id: str
    height_meters: float = 1.83


class ChatProvider(Protocol):
    provider: str
    model: str

    async def complete(self, system: str, prompt: str) -> str:
        """The assistant's answer to ``prompt`` under ``system``."""
        ...


class ImageProvider(Protocol):
    provider: str
    model: str

    async def generate(self, prompt: str) -> bytes:
        """A square PNG for ``prompt``."""
        ...


R_contra = TypeVar("R_contra", contravariant=True)


class TaskProvider(Protocol[R_contra]):
    provider: str
    model: str

    async def create(self, request: R_contra) -> str:
        """Start a task; its id. Raises :class:`ProviderError`."""
        ...

    async def poll(self, task_id: str) -> TaskState: ...

    async def cancel(self, task_id: str) -> bool:
        """Ask the provider to stop the task; whether it could."""
        ...

    async def find_created(self, request: R_contra, since: datetime, exclude: Set[str]) -> str | None:
        """A task this account created at or after ``since`` for ``request`` whose id is
        not in ``exclude``, if the provider can list its tasks (None otherwise). A stage
        that crashed between asking for a task and recording its id asks this before it
        creates one, so a task the provider already started is adopted, not paid twice."""
        ...

    async def fetch(self, ref: str) -> bytes:
        """Download an output (a value of ``TaskState.outputs``)."""
        ...


ImageTo3DProvider = TaskProvider[ImageTo3DRequest]
RetextureProvider = TaskProvider[RetextureRequest]
RiggingProvider = TaskProvider[RiggingRequest]
