"""Audio (and, next, content) jobs: their status, the caller's list, and their events as
Server-Sent Events, exactly like a pipeline's (streams/pipelines.py)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Response, get
from litestar.datastructures import State
from litestar.params import PathParameter, QueryParameter
from litestar.response import Stream

from assetforge.common.contracts import jobs as contract
from assetforge.common.contracts.pipelines import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PipelineState
from assetforge.gateway.auth.guards import requires_user
from assetforge.gateway.auth.query_token import QUERY_TOKEN
from assetforge.gateway.controllers.catalog import CatalogController, json_body
from assetforge.gateway.controllers.pipeline_streams import EVENT_STREAM, HEADERS, Sequence, SequenceHeader, stream_hub
from assetforge.gateway.deps import Bus
from assetforge.gateway.openapi import ERRORS, ERRORS_WITH_NOT_FOUND, SECURED, json_reply
from assetforge.gateway.schemas import NO_NUL
from assetforge.gateway.streams import job_events

JobId = Annotated[UUID, PathParameter()]


class JobsController(CatalogController):
    path = "/api/generation/jobs"
    tags = ["generation"]  # noqa: RUF012 - Litestar reads this class attribute
    guards = [requires_user]  # noqa: RUF012
    security = SECURED

    @get(
        "/",
        summary="The caller's audio and content jobs",
        description="Newest first; by state and kind (`voice`, `sfx`, `music`). Pass `nextCursor` back as `cursor`.",
        responses={200: json_reply(contract.JobPage, "A page of jobs"), **ERRORS},
    )
    async def list_jobs(
        self,
        bus: Bus,
        status: Annotated[PipelineState | None, QueryParameter()] = None,
        kind: Annotated[str | None, QueryParameter(max_length=64, pattern=NO_NUL)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
        cursor: Annotated[str | None, QueryParameter(max_length=200, pattern=NO_NUL)] = None,
    ) -> Response[bytes]:
        query = contract.ListJobs(status=status, kind=kind, limit=limit, cursor=cursor)
        return json_body(await bus.request_raw(contract.JOB_LIST, query))

    @get(
        "/{job_id:uuid}",
        summary="A job's status",
        description="Its owner's or an admin's only (404 otherwise). `results` of an audio job: "
        "`{assetId, fileUrl, durationSeconds, contentType}`.",
        responses={200: json_reply(contract.JobStatus, "The job"), **ERRORS_WITH_NOT_FOUND},
    )
    async def status(self, bus: Bus, job_id: JobId) -> Response[bytes]:
        return json_body(await bus.request_raw(contract.JOB_GET, contract.ReadJob(id=str(job_id))))

    @get(
        "/{job_id:uuid}/events",
        summary="A job's events, as Server-Sent Events",
        description="As a pipeline's `/events`: every past event, then live ones, ending after `completed`, "
        "`failed` or `cancelled`; `Last-Event-ID` resumes with no gap and no repeat; `?access_token=` allowed.",
        media_type=EVENT_STREAM,
        opt={QUERY_TOKEN: True},
        response_description="The event stream",
        response_headers=HEADERS,
        responses=ERRORS_WITH_NOT_FOUND,
    )
    async def events(
        self,
        state: State,
        bus: Bus,
        job_id: JobId,
        last_event_id: SequenceHeader = None,
        resume_after: Sequence = None,
    ) -> Stream:
        status = await bus.request_raw(contract.JOB_GET, contract.ReadJob(id=str(job_id)))
        after = last_event_id if last_event_id is not None else resume_after
        return job_events(stream_hub(state), str(job_id), status, after)
