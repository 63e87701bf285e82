"""Probes and metrics: public, never rate limited, and cheap."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

import msgspec
from litestar import Controller, MediaType, Request, Response, get

from assetforge.common.bus.context import RequestContext
from assetforge.common.contracts.common import SERVICES, Ping, Pong, ping_subject
from assetforge.common.errors import AppError
from assetforge.common.health import readiness_body
from assetforge.common.observability.metrics import render
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


async def _service_ready(state: GatewayState, service: str) -> bool:
    try:
        pong = await state.bus.request(
            ping_subject(service),
            Ping(),
            Pong,
            RequestContext(request_id="readiness"),
            timeout=state.settings.edge.probe_timeout_s,
        )
    except AppError:
        return False
    return pong.ready


async def readiness(state: GatewayState) -> tuple[bool, dict[str, bool]]:
    ok, checks = await state.runtime.readiness()
    if not checks.get("nats"):
        services = dict.fromkeys(SERVICES, False)
    else:
        answers = await asyncio.gather(*(_service_ready(state, s) for s in SERVICES))
        services = dict(zip(SERVICES, answers, strict=True))
    checks.update(services)
    return ok and all(services.values()), checks


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
        body, status = readiness_body(*await readiness(request.app.state.gateway))
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
        ok, checks = await readiness(request.app.state.gateway)
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
    responses=EDGE_ERRORS,
)
def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    body, content_type = render(request.app.state.gateway.runtime.registry)
    # Litestar appends the charset to every text/* type itself.
    media_type, _, _ = content_type.partition("; charset=")
    return Response(body, media_type=media_type)
