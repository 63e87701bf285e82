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
from assetforge.common.contracts.identity import (
    IDENTITY_CHANGED,
    PROFILE_COMPLETED_FILTER,
    USER_DELETED_FILTER,
    IdentityChanged,
    ProfileCompleted,
    UserDeleted,
)
from assetforge.common.docs import EventDoc, asyncapi_document
from assetforge.common.runtime import ServiceParts, ServiceRuntime
from assetforge.gateway.auth.authenticator import Authenticator, make_auth_metrics
from assetforge.gateway.auth.devmode import dev_public_key
from assetforge.gateway.auth.invalidation import IdentityEvents
from assetforge.gateway.auth.keys import JwksKeys, KeySource, StaticKey, load_pem_key
from assetforge.gateway.auth.query_token import QueryTokenRoutes
from assetforge.gateway.catalog_cache import CatalogCache
from assetforge.gateway.controllers.achievements import AchievementsController
from assetforge.gateway.controllers.admin import AdminController, list_all_users
from assetforge.gateway.controllers.asset_files import AssetFilesController
from assetforge.gateway.controllers.assets import AssetsController
from assetforge.gateway.controllers.audio import AudioController
from assetforge.gateway.controllers.auth import AuthController
from assetforge.gateway.controllers.docs import asyncapi as asyncapi_route
from assetforge.gateway.controllers.files import FilesController
from assetforge.gateway.controllers.generation import GenerationController
from assetforge.gateway.controllers.health import HealthController, metrics, own_readiness
from assetforge.gateway.controllers.jobs import JobsController
from assetforge.gateway.controllers.material_presets import MaterialPresetsController
from assetforge.gateway.controllers.media import MediaController, storage_health
from assetforge.gateway.controllers.pipeline_streams import PipelineStreamsController
from assetforge.gateway.controllers.projects import ProjectsController
from assetforge.gateway.controllers.proxy import ImageProxyController
from assetforge.gateway.controllers.relationships import RelationshipsController
from assetforge.gateway.controllers.usage import UsageController
from assetforge.gateway.controllers.users import UsersController
from assetforge.gateway.controllers.voices import VoicesController
from assetforge.gateway.controllers.world_configs import WorldConfigsController
from assetforge.gateway.deps import DEPENDENCIES, GatewayState
from assetforge.gateway.edge.cors import CorsPolicy
from assetforge.gateway.edge.errors import EXCEPTION_HANDLERS
from assetforge.gateway.edge.json_body import GatewayRequest
from assetforge.gateway.edge.metrics import make_http_metrics
from assetforge.gateway.edge.middleware import EdgeMiddleware, EdgePolicy
from assetforge.gateway.edge.security_headers import security_headers
from assetforge.gateway.files.parts import FileServices
from assetforge.gateway.models import inbox, outbox
from assetforge.gateway.openapi import ClosedStructs, openapi_config
from assetforge.gateway.proxy.fetch import ImageProxy
from assetforge.gateway.ratelimit import BucketRules, RateLimiter, make_rate_limit_metrics
from assetforge.gateway.service.health import GatewayReadiness
from assetforge.gateway.settings import DEFAULT_PORT, SERVICE, AuthSettings, Settings, load_settings
from assetforge.gateway.streams import StreamHub
from assetforge.gateway.subscribers import CONSUMERS

ROUTES: list[Any] = [
    HealthController,
    own_readiness,
    metrics,
    asyncapi_route,
    UsersController,
    AuthController,
    AdminController,
    list_all_users,
    AchievementsController,
    AssetsController,
    AssetFilesController,
    ProjectsController,
    RelationshipsController,
    WorldConfigsController,
    MaterialPresetsController,
    MediaController,
    storage_health,
    FilesController,
    ImageProxyController,
    GenerationController,
    PipelineStreamsController,
    JobsController,
    AudioController,
    VoicesController,
    UsageController,
]


def create_runtime(settings: Settings) -> ServiceRuntime:
    # The gateway answers HTTP, not bus requests, so it answers no readiness ping.
    parts = ServiceParts(outbox=outbox, inbox=inbox, consumers=CONSUMERS, answers_ping=False)
    return ServiceRuntime(settings.runtime, settings.database, settings.nats, parts)


NOTICES = [EventDoc(IDENTITY_CHANGED, IdentityChanged, "Forget cached identities after a committed change")]
PUBLISHES = [
    EventDoc(PROFILE_COMPLETED_FILTER, ProfileCompleted, "A user completed their profile"),
    EventDoc(USER_DELETED_FILTER, UserDeleted, "An administrator deleted a user"),
]


def asyncapi(runtime: ServiceRuntime) -> dict[str, Any]:
    return asyncapi_document(runtime, publishes=PUBLISHES, notices=NOTICES)


def signing_keys(settings: AuthSettings, http: httpx.AsyncClient) -> KeySource:
    if settings.mode == "dev":
        return StaticKey(dev_public_key(settings.dev_key_dir))
    if settings.verification_key:
        return StaticKey(load_pem_key(settings.verification_key))
    return JwksKeys(settings.jwks_url, http)


def create_app(settings: Settings, runtime: ServiceRuntime) -> EdgeMiddleware:
    http = httpx.AsyncClient(headers={"user-agent": "asset-forge-gateway"})
    # Its own client: it connects only to addresses it has checked (proxy/connect.py).
    image_proxy = ImageProxy(settings.image_proxy)
    authenticator = Authenticator(
        settings.auth, runtime.database, signing_keys(settings.auth, http), make_auth_metrics(runtime.registry)
    )
    identity_events = IdentityEvents(authenticator)
    runtime.database.on_commit(identity_events.after_commit)
    limiter = (
        None
        if settings.rate_limit.disabled
        else RateLimiter(settings.rate_limit, make_rate_limit_metrics(runtime.registry))
    )

    background: list[asyncio.Task[None]] = []
    files = FileServices(replicas=settings.nats.stream_replicas)
    edge = settings.edge
    catalog = CatalogCache(edge.catalog_cache_entries, edge.catalog_cache_bytes, edge.catalog_cache_max_age_s)
    pipeline_streams = StreamHub(edge.sse_heartbeat_s, edge.sse_max_streams)

    async def start(_: Litestar) -> None:
        await runtime.start()
        await identity_events.start(runtime.client)
        background.append(asyncio.create_task(authenticator.purge_blocklist_forever(), name="blocklist-purge"))
        if limiter is not None:
            await limiter.start(runtime.client, replicas=settings.nats.stream_replicas)
        await files.start(runtime.client)
        await catalog.start(runtime.client)
        await pipeline_streams.start(runtime.client)

    async def stop(_: Litestar) -> None:
        for task in background:
            task.cancel()
        await pipeline_streams.stop()
        await identity_events.stop()
        await catalog.stop()
        await files.stop()
        if limiter is not None:
            await limiter.stop()
        await authenticator.drain()
        await runtime.stop()
        await http.aclose()
        await image_proxy.aclose()

    app = Litestar(
        route_handlers=ROUTES,
        exception_handlers=EXCEPTION_HANDLERS,
        on_startup=[start],
        on_shutdown=[stop],
        dependencies=DEPENDENCIES,
        state=State(
            {
                "gateway": GatewayState(
                    settings,
                    runtime,
                    authenticator,
                    identity_events,
                    GatewayReadiness(runtime, settings.edge.probe_timeout_s),
                    lambda: asyncapi(runtime),
                    files,
                    catalog,
                ),
                "image_proxy": image_proxy,
                "pipeline_streams": pipeline_streams,
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
        buckets=BucketRules.of_routes(app.routes),
        query_tokens=QueryTokenRoutes.of_routes(app.routes),
    )
    return EdgeMiddleware(app, make_http_metrics(runtime.registry), policy, authenticator, limiter, catalog=catalog)


ENTRY = ServiceEntry(
    name=SERVICE,
    load_settings=load_settings,
    create_runtime=create_runtime,
    create_app=create_app,
    asyncapi=asyncapi,
    migrations=Path(__file__).parent / "migrations",
    port_variable="PORT",
    default_port=DEFAULT_PORT,
)
