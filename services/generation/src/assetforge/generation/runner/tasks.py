"""One provider task, from asking for it to its end, never paid for twice.

1. No task id yet, but an intent: the last delivery asked the provider and died before
   it could record the answer. The provider's task list is asked first
   (``find_created``), and a task it started since the intent is adopted.
2. Otherwise the intent is committed, the provider asked, and the task id committed the
   moment it answers. (What remains open: a provider that cannot list its tasks, and a
   crash between its answer and that commit; see docs/generation.md.)
3. The task is polled with backoff (``poll_initial_s`` growing by half up to
   ``poll_max_s``), each change of progress recorded with an event, until it ends, the
   stage times out, or a cancel arrives (then the provider is asked to stop it).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from assetforge.generation import repository as jobs
from assetforge.generation.jobs import StageRecord, TaskRecord
from assetforge.generation.providers.base import ProviderError, TaskProvider, TaskState, TaskStatus
from assetforge.generation.runner.context import StageContext, StageFailed
from assetforge.generation.runner.journal import CancelRequested

log = logging.getLogger(__name__)

R = TypeVar("R")
Progress = Callable[[TaskState], Awaitable[None]]


async def run_task(  # noqa: PLR0917 - one task: where it is recorded, who runs it, what it asks
    ctx: StageContext,
    record: StageRecord,
    task: TaskRecord,
    provider: TaskProvider[R],
    request: R,
    on_progress: Progress,
) -> TaskState:
    if task.task_id is None and task.intent_at is not None:
        since = task.intent_at
        claimed = await claimed_tasks(ctx, provider.provider, since)
        adopted = await ctx.call(record, provider, provider.find_created(request, since, claimed))
        if adopted is not None:
            log.info("adopted %s task %s created before a restart", provider.provider, adopted)
            task.task_id = adopted
            await ctx.journal.record(task=(provider.provider, adopted))
    if task.task_id is None:
        ctx.lease.check()
        task.intent_at = datetime.now(UTC)
        await ctx.journal.record()
        try:
            task.task_id = await ctx.call(record, provider, provider.create(request))
        except ProviderError as error:
            if error.status is not None and error.status < 500:
                # The provider answered, refusing: no task exists, nothing to look for.
                task.intent_at = None
                await ctx.journal.record()
            raise
        task.status, task.progress = TaskStatus.PENDING.value, 0
        await ctx.journal.record(task=(provider.provider, task.task_id))
    try:
        return await _until_done(ctx, record, task, provider, on_progress)
    except CancelRequested:
        with contextlib.suppress(Exception):
            await ctx.call(record, provider, provider.cancel(task.task_id))
        raise


async def claimed_tasks(ctx: StageContext, provider: str, since: datetime) -> set[str]:
    """Tasks no resumed stage may adopt: this job's, and any other job's since then."""
    async with ctx.journal.database.read_only() as connection:
        recorded = await jobs.tasks_since(connection, provider, since - timedelta(minutes=10))
    return recorded | ctx.known_task_ids()


async def _until_done(
    ctx: StageContext, record: StageRecord, task: TaskRecord, provider: TaskProvider[R], on_progress: Progress
) -> TaskState:
    settings = ctx.settings
    delay = settings.poll_initial_s
    deadline = time.monotonic() + settings.task_timeout_s
    task_id = task.task_id or ""
    while True:
        state = await ctx.call(record, provider, provider.poll(task_id))
        if state.status.value != task.status or state.progress != task.progress:
            task.status, task.progress = state.status.value, state.progress
            if state.terminal:
                task.error = state.error
            else:
                await on_progress(state)
        if state.terminal:
            return state
        if time.monotonic() > deadline:
            raise StageFailed(f"{provider.provider} did not finish the task within {settings.task_timeout_s:.0f} s")
        await ctx.lease.wait(delay)
        delay = min(delay * 1.5, settings.poll_max_s)
