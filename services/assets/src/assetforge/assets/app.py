"""Composition root of the assets service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Litestar

from assetforge.assets.handlers import assets as asset_handlers
from assetforge.assets.models import inbox, outbox
from assetforge.assets.settings import DEFAULT_HTTP_PORT, SERVICE, Settings, load_settings
from assetforge.common.backend import HTTP_PORT
from assetforge.common.cli import ServiceEntry
from assetforge.common.contracts.assets import ASSET_CREATED_FILTER, AssetCreated
from assetforge.common.docs import EventDoc, asyncapi_document
from assetforge.common.http import probe_app
from assetforge.common.runtime import ServiceParts, ServiceRuntime

PUBLISHES = [EventDoc(ASSET_CREATED_FILTER, AssetCreated, "An asset entered the catalog")]


def create_runtime(settings: Settings) -> ServiceRuntime:
    parts = ServiceParts(outbox=outbox, inbox=inbox)
    runtime = ServiceRuntime(settings.runtime, settings.database, settings.nats, parts)
    asset_handlers.register(parts.rpc, runtime.database)
    return runtime


def asyncapi(runtime: ServiceRuntime) -> dict[str, Any]:
    return asyncapi_document(runtime, publishes=PUBLISHES)


def create_app(settings: Settings, runtime: ServiceRuntime) -> Litestar:
    return probe_app(runtime, lambda: asyncapi(runtime), metrics_port=settings.http.metrics_port)


ENTRY = ServiceEntry(
    name=SERVICE,
    load_settings=load_settings,
    create_runtime=create_runtime,
    create_app=create_app,
    asyncapi=asyncapi,
    migrations=Path(__file__).parent / "migrations",
    port_variable=HTTP_PORT,
    default_port=DEFAULT_HTTP_PORT,
)
