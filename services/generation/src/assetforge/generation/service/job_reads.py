"""Reading audio (and, next, content) jobs: the owner's and admins' only; anyone else
gets the answer a missing job gets, so ids cannot be probed."""

from __future__ import annotations

import uuid

from assetforge.common.bus.context import Principal
from assetforge.common.contracts.jobs import JobPage, JobStatus, ListJobs, ReadJob
from assetforge.common.cursors import decode_cursor, encode_cursor
from assetforge.common.db.repository import Executor
from assetforge.common.errors import NotFound, Unauthorized
from assetforge.generation import repository as jobs
from assetforge.generation.jobs import PIPELINE
from assetforge.generation.service.status import job_status


async def read(db: Executor, query: ReadJob, principal: Principal | None) -> JobStatus:
    try:
        job_id = uuid.UUID(query.id)
    except ValueError:
        raise NotFound("no such job") from None
    job = await jobs.get_job(db, job_id)
    if job is None or job.kind == PIPELINE or principal is None:
        raise NotFound("no such job")
    if not (principal.is_admin or job.owner_id == principal.user_id):
        raise NotFound("no such job")
    return job_status(job)


async def list_jobs(db: Executor, query: ListJobs, principal: Principal | None) -> JobPage:
    if principal is None:
        raise Unauthorized("sign in to see your jobs")
    after = jobs.Position(*decode_cursor(query.cursor)) if query.cursor else None
    kinds, exclude = ((query.kind,), False) if query.kind and query.kind != PIPELINE else ((PIPELINE,), True)
    found = await jobs.list_jobs(db, principal.user_id, query.status, query.limit + 1, after, kinds, exclude)
    page = found[: query.limit]
    more = len(found) > query.limit
    return JobPage(
        jobs=[job_status(job) for job in page],
        next_cursor=encode_cursor(page[-1].created_at, page[-1].id) if more else None,
    )
