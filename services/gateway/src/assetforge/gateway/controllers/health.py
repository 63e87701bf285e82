"""Probes and metrics: public, never rate limited, and cheap."""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from litestar import Controller, MediaType, Request, Response, get

from assetforge.common.health import readiness_body
from assetforge.common.observability.metrics import render
from assetforge.gateway.guards import metrics_port_only
from assetforge.gateway.openapi import EDGE_ERRORS, json_reply
from assetforge.gateway.state import GatewayState


class Liveness(msgspec.Struct, frozen=True):
    status: Literal["ok"]


class Readiness(msgspec.Struct, frozen=True):
    status: Literal["ready", "not_ready"]
    checks: dict[str, bool]


class HealthSummary(msgspec.Struct, frozen=True):
    status: Literal["healthy", "unhealthy"]
    services: dict[str, bool]


async def readiness(request: Request[Any, Any, Any]) -> tuple[bool, dict[str, bool]]:
    state: GatewayState = request.app.state.gateway
    return await state.readiness.check()


class HealthController(Controller):
    path = "/api/health"
    tags = ["health"]  # noqa: RUF012 - Litestar reads this class attribute

    @get(
        "/live",
        summary="Liveness: the process is up; touches no dependency",
        media_type=MediaType.JSON,
        sync_to_thread=False,
        responses={200: json_reply(Liveness, "The process is up"), **EDGE_ERRORS},
    )
    def live(self) -> dict[str, str]:
        return {"status": "ok"}

    @get(
        "/ready",
        summary="Readiness: NATS, PostgreSQL and every service answer",
        media_type=MediaType.JSON,
        responses={
            200: json_reply(Readiness, "Every required check passed"),
            503: json_reply(Readiness, "A required check failed"),
            **EDGE_ERRORS,
        },
    )
    async def ready(self, request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        body, status = readiness_body(*await readiness(request))
        return Response(body, status_code=status)

    @get(
        "/",
        summary="Legacy health summary",
        media_type=MediaType.JSON,
        responses={
            200: json_reply(HealthSummary, "Every required check passed"),
            503: json_reply(HealthSummary, "A required check failed"),
            **EDGE_ERRORS,
        },
    )
    async def summary(self, request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        ok, checks = await readiness(request)
        body = {"status": "healthy" if ok else "unhealthy", "services": checks}
        return Response(body, status_code=200 if ok else 503)


@get("/health/ready", include_in_schema=False, media_type=MediaType.JSON)
async def own_readiness(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """The gateway's own dependencies only (NATS, its database): what Kubernetes asks.

    ``/api/health/ready`` also asks every service; used as the pod's readiness probe,
    one service down would take every gateway pod, and so the whole API, out of rotation.
    """
    body, status = readiness_body(*await request.app.state.gateway.runtime.readiness())
    return Response(body, status_code=status)


@get(
    "/metrics",
    summary="Prometheus metrics",
    tags=["health"],
    media_type=MediaType.TEXT,
    sync_to_thread=False,
    guards=[metrics_port_only],
    responses=EDGE_ERRORS,
)
def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    body, content_type = render(request.app.state.gateway.runtime.registry)
    # Litestar appends the charset to every text/* type itself.
    media_type, _, _ = content_type.partition("; charset=")
    return Response(body, media_type=media_type)
