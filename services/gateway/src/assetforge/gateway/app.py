"""Composition root of the gateway."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.datastructures import State

from assetforge.common.cli import ServiceEntry
from assetforge.common.docs import asyncapi_document
from assetforge.common.runtime import ServiceParts, ServiceRuntime
from assetforge.gateway.controllers.assets import AssetsController
from assetforge.gateway.controllers.docs import asyncapi as asyncapi_route
from assetforge.gateway.controllers.health import HealthController, metrics, own_readiness
from assetforge.gateway.edge import EdgeMiddleware
from assetforge.gateway.errors import EXCEPTION_HANDLERS
from assetforge.gateway.metrics import make_http_metrics
from assetforge.gateway.models import inbox, outbox
from assetforge.gateway.openapi import openapi_config
from assetforge.gateway.settings import SERVICE, Settings, load_settings
from assetforge.gateway.state import GatewayState
from assetforge.gateway.subscribers import CONSUMERS


def create_runtime(settings: Settings) -> ServiceRuntime:
    # The gateway answers HTTP, not bus requests, so it answers no readiness ping.
    parts = ServiceParts(outbox=outbox, inbox=inbox, consumers=CONSUMERS, answers_ping=False)
    return ServiceRuntime(settings.runtime, settings.database, settings.nats, parts)


def asyncapi(runtime: ServiceRuntime) -> dict[str, Any]:
    return asyncapi_document(runtime)


def create_app(settings: Settings, runtime: ServiceRuntime) -> EdgeMiddleware:
    async def start(_: Litestar) -> None:
        await runtime.start()

    async def stop(_: Litestar) -> None:
        await runtime.stop()

    app = Litestar(
        route_handlers=[HealthController, own_readiness, metrics, asyncapi_route, AssetsController],
        exception_handlers=EXCEPTION_HANDLERS,
        on_startup=[start],
        on_shutdown=[stop],
        state=State({"gateway": GatewayState(settings, runtime)}),
        openapi_config=openapi_config(settings.runtime.version),
        request_max_body_size=settings.edge.max_body_mb * 1024 * 1024,
        debug=False,
        logging_config=None,
    )
    return EdgeMiddleware(app, make_http_metrics(runtime.registry))


ENTRY = ServiceEntry(
    name=SERVICE,
    load_settings=load_settings,
    create_runtime=create_runtime,
    create_app=create_app,
    asyncapi=asyncapi,
    migrations=Path(__file__).parent / "migrations",
)
