"""A pipeline's progress as Server-Sent Events, read from its events in JetStream
(streams/pipelines.py says what each stream sends and how it ends)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import get
from litestar.datastructures import ResponseHeader, State
from litestar.params import HeaderParameter, PathParameter, QueryParameter
from litestar.response import Stream

from assetforge.common.bus.context import RequestContext
from assetforge.common.contracts import pipelines as contract
from assetforge.common.observability.context import request_id_var
from assetforge.gateway.auth.guards import requires_user
from assetforge.gateway.auth.query_token import QUERY_TOKEN
from assetforge.gateway.controllers.catalog import CatalogController
from assetforge.gateway.deps import Bus, RequestBus, gateway
from assetforge.gateway.openapi import ERRORS_WITH_NOT_FOUND, SECURED
from assetforge.gateway.streams import StreamHub, pipeline_events, pipeline_statuses

PipelineId = Annotated[UUID, PathParameter()]
# A JetStream stream sequence (the `id:` of each event sent).
Sequence = Annotated[int | None, QueryParameter(name="lastEventId", ge=0, le=2**63 - 1)]
SequenceHeader = Annotated[
    int | None,
    HeaderParameter(
        name="Last-Event-ID", ge=0, le=2**63 - 1, description="Resume after this event (the browser sends it)"
    ),
]
EVENT_STREAM = "text/event-stream"
HEADERS = [
    ResponseHeader(name="Cache-Control", value="no-cache", documentation_only=True, required=True),
    ResponseHeader(name="X-Accel-Buffering", value="no", documentation_only=True, required=True),
]


def stream_hub(state: State) -> StreamHub:
    hub: StreamHub = state.pipeline_streams
    return hub


class PipelineStreamsController(CatalogController):
    path = "/api/generation"
    tags = ["generation"]  # noqa: RUF012 - Litestar reads this class attribute

    @get(
        "/pipeline/{pipeline_id:uuid}/events",
        summary="A pipeline's events, as Server-Sent Events",
        description="Owner or admin (404 otherwise). The credential may also be given as `?access_token=` "
        "(a browser's EventSource cannot send headers; it is never logged). A `: connected` comment, then "
        "every past event, then live ones, ending after `completed`, `failed` or `cancelled`: `id:` the "
        "event's sequence, `event:` its name, `data:` its JSON as published. `Last-Event-ID` (or "
        "`lastEventId`) resumes after that event, with no gap and no repeat. A `: keep-alive` comment comes "
        "every 15 s (SSE_HEARTBEAT_S). 503 when the gateway has SSE_MAX_STREAMS streams open.",
        media_type=EVENT_STREAM,
        guards=[requires_user],
        security=SECURED,
        opt={QUERY_TOKEN: True},
        response_description="The event stream",
        response_headers=HEADERS,
        responses=ERRORS_WITH_NOT_FOUND,
    )
    async def events(
        self,
        state: State,
        bus: Bus,
        pipeline_id: PipelineId,
        last_event_id: SequenceHeader = None,
        resume_after: Sequence = None,
    ) -> Stream:
        status = await bus.request_raw(contract.PIPELINE_GET, contract.ReadPipeline(id=str(pipeline_id)))
        # The header is the newer of the two: a browser sends it when it reconnects.
        after = last_event_id if last_event_id is not None else resume_after
        return pipeline_events(stream_hub(state), str(pipeline_id), status, after)

    @get(
        "/{pipeline_id:uuid}/status/stream",
        summary="A pipeline's status, as Server-Sent Events (the original server's stream)",
        description="Anyone holding the pipeline's id may read it (ids are random). `event: pipeline-update` "
        "with the pipeline's status: the current one, then one on every change, until it completes, "
        "fails or is cancelled. A `: keep-alive` comment comes every 15 s (SSE_HEARTBEAT_S).",
        media_type=EVENT_STREAM,
        response_description="The status stream",
        response_headers=HEADERS,
        responses=ERRORS_WITH_NOT_FOUND,
    )
    async def statuses(self, state: State, pipeline_id: PipelineId) -> Stream:
        # Without the caller's principal: the id alone is the capability.
        anyone = RequestBus(gateway(state).bus, RequestContext(request_id=request_id_var.get() or ""))
        read = contract.ReadPipeline(id=str(pipeline_id), by_capability=True)
        status = await anyone.request_raw(contract.PIPELINE_GET, read)

        async def again() -> bytes:
            return await anyone.request_raw(contract.PIPELINE_GET, read)

        return pipeline_statuses(stream_hub(state), str(pipeline_id), status, again)
