"""The small HTTP face of a back-end service: probes, metrics and its bus API docs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, MediaType, Response, get
from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard
from prometheus_client import CollectorRegistry

from assetforge.common.health import readiness_body
from assetforge.common.observability.metrics import render
from assetforge.common.runtime import ServiceRuntime


def refuse_unless_on_port(connection: ASGIConnection[Any, Any, Any, Any], port: int) -> None:
    """A 404 (an unknown route, like any other) unless the request came in on ``port``."""
    server = connection.scope.get("server")
    if server is None or server[1] != port:
        raise NotFoundException


def only_on_port(port: int) -> Guard:
    """A guard: the route answers on ``port`` only. Async, so Litestar does not run it in
    its thread pool."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        refuse_unless_on_port(connection, port)

    return guard


def metrics_response(registry: CollectorRegistry) -> Response[bytes]:
    """The registry in Prometheus' text format."""
    body, content_type = render(registry)
    # Litestar appends the charset to every text/* type itself: give it the type without.
    media_type, _, _ = content_type.partition("; charset=")
    return Response(body, media_type=media_type)


def probe_app(
    runtime: ServiceRuntime, asyncapi: Callable[[], dict[str, Any]], *, metrics_port: int | None = None
) -> Litestar:
    """Probes on every port; with ``metrics_port`` (METRICS_PORT), metrics and the bus
    API document on that port only."""
    operator_only = [] if metrics_port is None else [only_on_port(metrics_port)]

    @get("/health/live", media_type=MediaType.JSON, sync_to_thread=False)
    def live() -> dict[str, str]:
        return {"status": "ok"}

    @get("/health/ready", media_type=MediaType.JSON)
    async def ready() -> Response[dict[str, Any]]:
        body, status = readiness_body(*await runtime.readiness())
        return Response(body, status_code=status)

    @get("/metrics", sync_to_thread=False, guards=operator_only)
    def metrics() -> Response[bytes]:
        return metrics_response(runtime.registry)

    @get("/docs/asyncapi", media_type=MediaType.JSON, sync_to_thread=False, guards=operator_only)
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
