"""The small HTTP face of a back-end service: probes, metrics and its bus API docs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, MediaType, Response, get

from assetforge.common.health import readiness_body
from assetforge.common.observability.metrics import render
from assetforge.common.runtime import ServiceRuntime


def probe_app(runtime: ServiceRuntime, asyncapi: Callable[[], dict[str, Any]]) -> Litestar:
    @get("/health/live", media_type=MediaType.JSON, sync_to_thread=False)
    def live() -> dict[str, str]:
        return {"status": "ok"}

    @get("/health/ready", media_type=MediaType.JSON)
    async def ready() -> Response[dict[str, Any]]:
        body, status = readiness_body(*await runtime.readiness())
        return Response(body, status_code=status)

    @get("/metrics", sync_to_thread=False)
    def metrics() -> Response[bytes]:
        body, content_type = render(runtime.registry)
        return Response(body, media_type=content_type)

    @get("/docs/asyncapi", media_type=MediaType.JSON, sync_to_thread=False)
    def docs() -> dict[str, Any]:
        return asyncapi()

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    return Litestar(
        route_handlers=[live, ready, metrics, docs], lifespan=[lifespan], openapi_config=None, logging_config=None
    )
