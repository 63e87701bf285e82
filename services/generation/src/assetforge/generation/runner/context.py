"""What a stage is given: the job's journal and lease, its providers, where files go,
and the runner's limits. Every provider call goes through :meth:`StageContext.call`,
which bounds calls in flight per provider and counts the time spent waiting on them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from assetforge.generation.jobs import Job, StageRecord
from assetforge.generation.metrics import GenerationMetrics
from assetforge.generation.outputs import FileOutputs
from assetforge.generation.providers.base import ProviderError
from assetforge.generation.providers.registry import Providers
from assetforge.generation.runner.journal import Journal, Lease
from assetforge.generation.settings import RunnerSettings

T = TypeVar("T")


class Named(Protocol):
    provider: str
    model: str


class StageFailed(Exception):
    """The stage cannot succeed: a provider refused or failed the work, or made a file
    that is not what it should be. Retrying the same delivery would not help."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ProviderLimits:
    """At most ``per_provider`` calls in flight to each provider from this replica."""

    def __init__(self, per_provider: int) -> None:
        self._per_provider = per_provider
        self._slots: dict[str, asyncio.Semaphore] = {}

    def slot(self, provider: str) -> asyncio.Semaphore:
        found = self._slots.get(provider)
        if found is None:
            found = self._slots[provider] = asyncio.Semaphore(self._per_provider)
        return found


@dataclass(slots=True)
class StageContext:
    journal: Journal
    lease: Lease
    providers: Providers
    outputs: FileOutputs
    settings: RunnerSettings
    limits: ProviderLimits
    metrics: GenerationMetrics
    # Bytes made earlier in this delivery (the concept art), so a stage need not read
    # them back from the store; after a restart they are read back.
    made: dict[str, bytes] = field(default_factory=dict)

    @property
    def job(self) -> Job:
        return self.journal.job

    async def call(self, record: StageRecord, provider: Named, work: Awaitable[T]) -> T:
        async with self.limits.slot(provider.provider):
            started = time.perf_counter()
            outcome = "ok"
            try:
                return await work
            except ProviderError as error:
                outcome = str(error.status) if error.status else ("retryable" if error.retryable else "error")
                raise
            except BaseException:
                outcome = "error"
                raise
            finally:
                seconds = time.perf_counter() - started
                record.provider_ms += seconds * 1000
                self.metrics.api_calls.labels(provider.provider, provider.model, outcome).inc()
                self.metrics.api_latency.labels(provider.provider).observe(seconds)

    def known_task_ids(self) -> set[str]:
        """Every provider task this job has recorded (not to be adopted twice)."""
        found: set[str] = set()
        for record in self.job.stages.values():
            tasks = [record.task, *record.tasks.values()]
            found.update(task.task_id for task in tasks if task is not None and task.task_id)
        return found
