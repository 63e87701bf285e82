"""Composition root of the generation service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Litestar

from assetforge.common.backend import HTTP_PORT
from assetforge.common.cli import ServiceEntry
from assetforge.common.docs import asyncapi_document
from assetforge.common.http import probe_app
from assetforge.common.runtime import ServiceParts, ServiceRuntime
from assetforge.generation.models import inbox, outbox
from assetforge.generation.settings import DEFAULT_HTTP_PORT, SERVICE, Settings, load_settings


def create_runtime(settings: Settings) -> ServiceRuntime:
    return ServiceRuntime(settings.runtime, settings.database, settings.nats, ServiceParts(outbox=outbox, inbox=inbox))


def asyncapi(runtime: ServiceRuntime) -> dict[str, Any]:
    return asyncapi_document(runtime)


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
