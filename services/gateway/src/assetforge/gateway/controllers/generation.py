"""3D generation pipelines, run by the generation service over NATS: submit, read, list,
cancel and retry (the caller's own; an admin's: any). Their event streams are in
pipeline_streams.py."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Response, get, post
from litestar.openapi import ResponseSpec
from litestar.params import HeaderParameter, JSONBody, PathParameter, QueryParameter

from assetforge.common.contracts import pipelines as contract
from assetforge.gateway.auth.guards import requires_user
from assetforge.gateway.controllers.catalog import CatalogController, OwnerId, json_body, refuse_nul
from assetforge.gateway.deps import Bus
from assetforge.gateway.openapi import ERRORS, ERRORS_WITH_NOT_FOUND, SECURED, json_reply
from assetforge.gateway.ratelimit import GENERATION, OPT
from assetforge.gateway.schemas import NO_NUL, ErrorBody

PipelineId = Annotated[UUID, PathParameter()]
IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=NO_NUL,
        description="The same key (per user, for 24 h) answers the same pipeline; another body under it is a 409",
    ),
]
Limit = Annotated[int, QueryParameter(ge=1, le=contract.MAX_PAGE_SIZE)]
Cursor = Annotated[str | None, QueryParameter(max_length=200, pattern=NO_NUL)]
# Starting or re-running a pipeline costs provider time: GENERATION (10 a minute a user).
# Cancel shares retry's bucket, as the edge tells them apart by path prefix only (and
# `POST /pipeline/` with a slash lands on that prefix too).
LIMITED = {OPT: GENERATION}


def _conflict(description: str) -> dict[int, ResponseSpec]:
    return {409: ResponseSpec(data_container=ErrorBody, description=description, generate_examples=False)}


_STATUS = json_reply(contract.PipelineStatus, "The pipeline's status")


class GenerationController(CatalogController):
    path = "/api/generation"
    tags = ["generation"]  # noqa: RUF012 - Litestar reads this class attribute
    guards = [requires_user]  # noqa: RUF012
    security = SECURED

    @post(
        "/pipeline",
        summary="Start a 3D generation pipeline",
        description="Prompt optimization, concept art, image to 3D, then retexturing and rigging if asked. "
        "Unknown fields are ignored; a known field with a bad value is a 422 naming it. "
        "Rate limited to 10 a minute per user.",
        status_code=202,
        opt=LIMITED,
        responses={
            202: json_reply(contract.PipelineAccepted, "Queued"),
            **ERRORS,
            **_conflict("The Idempotency-Key was used with another body"),
            402: ResponseSpec(
                data_container=ErrorBody, description="Over your daily budget (QUOTA_EXCEEDED)", generate_examples=False
            ),
        },
    )
    async def submit(
        self, bus: Bus, data: JSONBody[contract.PipelineConfig], idempotency_key: IdempotencyKey = None
    ) -> Response[bytes]:
        refuse_nul(metadata=data.metadata, spriteConfig=data.sprite_config, customPrompts=data.custom_prompts)
        command = contract.SubmitPipeline(config=data, idempotency_key=idempotency_key)
        return json_body(await bus.request_raw(contract.PIPELINE_SUBMIT, command), 202)

    @get(
        "/pipeline/{pipeline_id:uuid}",
        summary="A pipeline's status",
        description="Its owner's or an admin's only (404 otherwise).",
        responses={200: _STATUS, **ERRORS_WITH_NOT_FOUND},
    )
    async def status(self, bus: Bus, pipeline_id: PipelineId) -> Response[bytes]:
        return json_body(await bus.request_raw(contract.PIPELINE_GET, contract.ReadPipeline(id=str(pipeline_id))))

    @get(
        "/pipelines",
        summary="The caller's pipelines",
        description="Newest first, optionally in one state. Pass `nextCursor` back as `cursor`. "
        "An admin may list another user's with `ownerId`.",
        responses={200: json_reply(contract.PipelinePage, "A page of pipelines"), **ERRORS},
    )
    async def list_pipelines(
        self,
        bus: Bus,
        status: Annotated[contract.PipelineState | None, QueryParameter()] = None,
        limit: Limit = contract.DEFAULT_PAGE_SIZE,
        cursor: Cursor = None,
        owner_id: OwnerId = None,
    ) -> Response[bytes]:
        query = contract.ListPipelines(status=status, limit=limit, cursor=cursor, owner_id=owner_id)
        return json_body(await bus.request_raw(contract.PIPELINE_LIST, query))

    @post(
        "/pipeline/{pipeline_id:uuid}/cancel",
        summary="Cancel a pipeline",
        description="Owner or admin. Answers the pipeline's status once cancelled.",
        status_code=200,
        opt=LIMITED,
        responses={200: _STATUS, **ERRORS_WITH_NOT_FOUND, **_conflict("The pipeline's state does not allow it")},
    )
    async def cancel(self, bus: Bus, pipeline_id: PipelineId) -> Response[bytes]:
        return json_body(await bus.request_raw(contract.PIPELINE_CANCEL, contract.PipelineRef(id=str(pipeline_id))))

    @post(
        "/pipeline/{pipeline_id:uuid}/retry",
        summary="Retry a pipeline",
        description="Owner or admin: the pipeline is queued to run again. Rate limited like a new one.",
        status_code=200,
        opt=LIMITED,
        responses={200: _STATUS, **ERRORS_WITH_NOT_FOUND, **_conflict("The pipeline's state does not allow it")},
    )
    async def retry(self, bus: Bus, pipeline_id: PipelineId) -> Response[bytes]:
        return json_body(await bus.request_raw(contract.PIPELINE_RETRY, contract.PipelineRef(id=str(pipeline_id))))
