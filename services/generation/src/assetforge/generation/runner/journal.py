"""What a running job writes, and the lease under which it may.

Each change is one transaction: the job's new state and the event that tells of it. The
lease is renewed on every heartbeat (with the delivery's ``in_progress()``), and every
write checks it: a runner that lost its lease (it stalled past ``ack_wait`` and another
replica took the job over) stops at its next write instead of running beside the other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from assetforge.common.db import Database
from assetforge.generation import repository as jobs
from assetforge.generation.jobs import Job
from assetforge.generation.service.events import announce
from assetforge.generation.service.status import overall_progress

log = logging.getLogger(__name__)


class LeaseLost(Exception):
    """Another runner holds the job now."""


class CancelRequested(Exception):
    """The owner asked for the pipeline to stop."""


class Lease:
    """Keeps a delivery and its job alive while the job runs."""

    def __init__(  # noqa: PLR0917 - built in one place, the runner
        self,
        database: Database,
        job: Job,
        runner: str,
        ttl_s: float,
        every_s: float,
        in_progress: Callable[[], Awaitable[None]],
    ) -> None:
        self._database = database
        self._job = job
        self._runner = runner
        self._ttl = ttl_s
        self._every = every_s
        self._in_progress = in_progress
        self.cancelled = asyncio.Event()
        self.lost = False
        self._task: asyncio.Task[None] | None = None
        if job.cancel_requested:
            self.cancelled.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._beat(), name=f"lease-{self._job.id}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self._every)
            try:
                await self._in_progress()
                async with self._database.unit_of_work() as session:
                    cancel = await jobs.renew_lease(session, self._job.id, self._runner, self._ttl)
            except Exception as exc:  # noqa: BLE001 - a missed beat is retried at the next one
                log.warning("heartbeat of %s failed: %s", self._job.id, exc)
                continue
            if cancel is None:
                self.lost = True
                self.cancelled.set()  # wakes a waiting poll, which then finds the loss
                return
            if cancel:
                self.cancelled.set()

    def check(self) -> None:
        """At a safe point: stop if the lease is gone or a cancel was asked."""
        if self.lost:
            raise LeaseLost(str(self._job.id))
        if self.cancelled.is_set():
            raise CancelRequested(str(self._job.id))

    async def wait(self, seconds: float) -> None:
        """Sleep ``seconds``, or less if a cancel arrives; then check."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.cancelled.wait(), timeout=seconds)
        self.check()


class Journal:
    """Writes a running job's changes, each with its event, under the runner's lease."""

    def __init__(self, database: Database, job: Job, runner: str) -> None:
        self.database = database
        self.job = job
        self.runner = runner

    async def record(
        self,
        event: str | None = None,
        *,
        stage: str | None = None,
        progress: int | None = None,
        error: str | None = None,
        task: tuple[str, str] | None = None,
    ) -> None:
        """Commit the job's state, with ``event`` if any; ``task`` (provider, task id)
        claims the task a stage now waits on for this job, in the same transaction."""
        self.job.progress = overall_progress(self.job)
        async with self.database.unit_of_work() as session:
            if not await jobs.save_job(session, self.job, lease_owner=self.runner):
                raise LeaseLost(str(self.job.id))
            if task is not None:
                await jobs.remember_task(session, *task, self.job.id)
            if event is not None:
                await announce(session, self.job, event, stage=stage, progress=progress, error=error)
