"""Probes and metrics: public, never rate limited, and cheap."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Response, get
from litestar.datastructures import State

from assetforge.common.health import readiness_body
from assetforge.common.http import metrics_response
from assetforge.gateway.auth.guards import metrics_port_only
from assetforge.gateway.deps import gateway
from assetforge.gateway.openapi import EDGE_ERRORS, json_reply
from assetforge.gateway.ratelimit import OPT
from assetforge.gateway.schemas.health import HealthSummary, Liveness, Readiness

# Probes, metrics and docs are never rate limited.
UNLIMITED = {OPT: None}


class HealthController(Controller):
    path = "/api/health"
    tags = ["health"]  # noqa: RUF012 - Litestar reads this class attribute
    opt = UNLIMITED

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
    async def ready(self, state: State) -> Response[dict[str, Any]]:
        readiness = gateway(state).readiness
        ok, checks = await readiness.check()
        body, status = readiness_body(ok, checks)
        providers = await readiness.providers() if checks.get("generation") else None
        if providers:
            body["providers"] = providers
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
    async def summary(self, state: State) -> Response[dict[str, Any]]:
        ok, checks = await gateway(state).readiness.check()
        body = {"status": "healthy" if ok else "unhealthy", "services": checks}
        return Response(body, status_code=200 if ok else 503)


@get("/health/ready", include_in_schema=False, media_type=MediaType.JSON, opt=UNLIMITED)
async def own_readiness(state: State) -> Response[dict[str, Any]]:
    """The gateway's own dependencies only (NATS, its database): what Kubernetes asks.

    ``/api/health/ready`` also asks every service; used as the pod's readiness probe,
    one service down would take every gateway pod, and so the whole API, out of rotation.
    """
    body, status = readiness_body(*await gateway(state).runtime.readiness())
    return Response(body, status_code=status)


@get(
    "/metrics",
    summary="Prometheus metrics",
    tags=["health"],
    media_type=MediaType.TEXT,
    sync_to_thread=False,
    guards=[metrics_port_only],
    responses=EDGE_ERRORS,
    opt=UNLIMITED,
)
def metrics(state: State) -> Response[bytes]:
    return metrics_response(gateway(state).runtime.registry)
