"""Composition root of the gateway."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
from litestar import Litestar
from litestar.datastructures import State
from litestar.routes import HTTPRoute

from assetforge.common.cli import ServiceEntry
from assetforge.common.docs import asyncapi_document
from assetforge.common.runtime import ServiceParts, ServiceRuntime
from assetforge.gateway.auth.authenticator import Authenticator, make_auth_metrics
from assetforge.gateway.auth.devmode import dev_public_key
from assetforge.gateway.auth.keys import JwksKeys, KeySource, StaticKey, load_pem_key
from assetforge.gateway.controllers.admin import AdminController
from assetforge.gateway.controllers.assets import AssetsController
from assetforge.gateway.controllers.auth import AuthController
from assetforge.gateway.controllers.docs import asyncapi as asyncapi_route
from assetforge.gateway.controllers.health import HealthController, metrics, own_readiness
from assetforge.gateway.controllers.users import UsersController
from assetforge.gateway.cors import CorsPolicy
from assetforge.gateway.edge import EdgeMiddleware, EdgePolicy
from assetforge.gateway.errors import EXCEPTION_HANDLERS
from assetforge.gateway.identity_events import IdentityEvents
from assetforge.gateway.json_body import GatewayRequest
from assetforge.gateway.metrics import make_http_metrics
from assetforge.gateway.models import inbox, outbox
from assetforge.gateway.openapi import ClosedStructs, openapi_config
from assetforge.gateway.ratelimit import RateLimiter, make_rate_limit_metrics
from assetforge.gateway.security_headers import security_headers
from assetforge.gateway.service.health import GatewayReadiness
from assetforge.gateway.settings import SERVICE, AuthSettings, Settings, load_settings
from assetforge.gateway.state import GatewayState
from assetforge.gateway.subscribers import CONSUMERS

ROUTES: list[Any] = [
    HealthController,
    own_readiness,
    metrics,
    asyncapi_route,
    UsersController,
    AuthController,
    AdminController,
    AssetsController,
]


def create_runtime(settings: Settings) -> ServiceRuntime:
    # The gateway answers HTTP, not bus requests, so it answers no readiness ping.
    parts = ServiceParts(outbox=outbox, inbox=inbox, consumers=CONSUMERS, answers_ping=False)
    return ServiceRuntime(settings.runtime, settings.database, settings.nats, parts)


def asyncapi(runtime: ServiceRuntime) -> dict[str, Any]:
    return asyncapi_document(runtime)


def signing_keys(settings: AuthSettings, http: httpx.AsyncClient) -> KeySource:
    if settings.mode == "dev":
        return StaticKey(dev_public_key(settings.dev_key_dir))
    if settings.verification_key:
        return StaticKey(load_pem_key(settings.verification_key))
    return JwksKeys(settings.jwks_url, http)


def create_app(settings: Settings, runtime: ServiceRuntime) -> EdgeMiddleware:
    http = httpx.AsyncClient(headers={"user-agent": "asset-forge-gateway"})
    authenticator = Authenticator(
        settings.auth, runtime.database, signing_keys(settings.auth, http), make_auth_metrics(runtime.registry)
    )
    identity_events = IdentityEvents(authenticator)
    limiter = (
        None
        if settings.rate_limit.disabled
        else RateLimiter(settings.rate_limit, make_rate_limit_metrics(runtime.registry))
    )

    background: list[asyncio.Task[None]] = []

    async def start(_: Litestar) -> None:
        await runtime.start()
        await identity_events.start(runtime.client)
        background.append(asyncio.create_task(authenticator.purge_blocklist_forever(), name="blocklist-purge"))
        if limiter is not None:
            await limiter.start(runtime.client, replicas=settings.nats.stream_replicas)

    async def stop(_: Litestar) -> None:
        for task in background:
            task.cancel()
        await identity_events.stop()
        if limiter is not None:
            await limiter.stop()
        await authenticator.drain()
        await runtime.stop()
        await http.aclose()

    app = Litestar(
        route_handlers=ROUTES,
        exception_handlers=EXCEPTION_HANDLERS,
        on_startup=[start],
        on_shutdown=[stop],
        state=State(
            {
                "gateway": GatewayState(
                    settings,
                    runtime,
                    authenticator,
                    identity_events,
                    GatewayReadiness(runtime, settings.edge.probe_timeout_s),
                )
            }
        ),
        openapi_config=openapi_config(settings.runtime.version),
        plugins=[ClosedStructs()],
        request_class=GatewayRequest,
        request_max_body_size=settings.edge.max_body_mb * 1024 * 1024,
        debug=False,
        logging_config=None,
    )
    policy = EdgePolicy(
        cors=CorsPolicy(settings.cors),
        security_headers=security_headers(production=settings.runtime.environment.value == "production"),
        max_body_bytes=settings.edge.max_body_mb * 1024 * 1024,
        trusted_proxies=settings.rate_limit.trusted_proxies,
        allowed_methods={
            route.path_format: ", ".join(sorted(route.methods)).encode()
            for route in app.routes
            if isinstance(route, HTTPRoute)
        },
    )
    return EdgeMiddleware(app, make_http_metrics(runtime.registry), policy, authenticator, limiter)


ENTRY = ServiceEntry(
    name=SERVICE,
    load_settings=load_settings,
    create_runtime=create_runtime,
    create_app=create_app,
    asyncapi=asyncapi,
    migrations=Path(__file__).parent / "migrations",
)
