"""Bus endpoints of pipelines: decode, one service call, encode; the edge owns the transaction."""

from __future__ import annotations

from collections.abc import Callable

from assetforge.common.bus.context import RequestContext
from assetforge.common.bus.rpc import RpcRouter
from assetforge.common.contracts import pipelines as contract
from assetforge.common.db import Database
from assetforge.generation.service import pipelines as service


def register(
    router: RpcRouter,
    database: Database,
    providers: Callable[[], contract.CapabilityProviders],
    budget: int | None = None,
) -> None:
    """``budget``: GENERATION_DAILY_CREDITS (None: none)."""

    async def submit(command: contract.SubmitPipeline, context: RequestContext) -> contract.PipelineAccepted:
        async with database.unit_of_work() as session:
            return await service.submit(session, command, context.principal, budget)

    async def get(query: contract.ReadPipeline, context: RequestContext) -> contract.PipelineStatus:
        async with database.read_only() as connection:
            return await service.read(connection, query, context.principal)

    async def list_pipelines(query: contract.ListPipelines, context: RequestContext) -> contract.PipelinePage:
        async with database.read_only() as connection:
            return await service.list_pipelines(connection, query, context.principal)

    async def cancel(command: contract.PipelineRef, context: RequestContext) -> contract.PipelineStatus:
        async with database.unit_of_work() as session:
            return await service.cancel(session, command.id, context.principal)

    async def retry(command: contract.PipelineRef, context: RequestContext) -> contract.PipelineStatus:
        async with database.unit_of_work() as session:
            return await service.retry(session, command.id, context.principal)

    async def capabilities(_query: contract.ProvidersQuery, _context: RequestContext) -> contract.CapabilityProviders:
        return providers()

    router.add(
        contract.PIPELINE_SUBMIT,
        contract.SubmitPipeline,
        contract.PipelineAccepted,
        submit,
        "Queue a pipeline for the principal (Idempotency-Key aware); emits .created and cmd.generation.pipeline.run",
    )
    router.add(contract.PIPELINE_GET, contract.ReadPipeline, contract.PipelineStatus, get, "A pipeline's status")
    router.add(
        contract.PIPELINE_LIST,
        contract.ListPipelines,
        contract.PipelinePage,
        list_pipelines,
        "The principal's pipelines, newest first, by status",
    )
    router.add(
        contract.PIPELINE_CANCEL,
        contract.PipelineRef,
        contract.PipelineStatus,
        cancel,
        "Cancel a pipeline (owner or admin): at once when queued, at the next safe point when running",
    )
    router.add(
        contract.PIPELINE_RETRY,
        contract.PipelineRef,
        contract.PipelineStatus,
        retry,
        "Run a failed or cancelled pipeline again from the stage it stopped at",
    )
    router.add(
        contract.PROVIDERS_GET,
        contract.ProvidersQuery,
        contract.CapabilityProviders,
        capabilities,
        "Which provider each capability uses",
    )
