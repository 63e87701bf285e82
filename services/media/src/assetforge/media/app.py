"""Composition root of the media service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Litestar

from assetforge.common.backend import HTTP_PORT
from assetforge.common.cli import ServiceEntry
from assetforge.common.contracts.media import (
    FILE_DELETED_FILTER,
    FILE_MIRRORED_FILTER,
    FILE_STORED_FILTER,
    FileDeleted,
    FileMirrored,
    FileStored,
)
from assetforge.common.docs import EventDoc, asyncapi_document
from assetforge.common.http import probe_app
from assetforge.common.runtime import ServiceParts, ServiceRuntime
from assetforge.media.handlers import asset_events as asset_event_handlers
from assetforge.media.handlers import cdn as cdn_handlers
from assetforge.media.handlers import files as file_handlers
from assetforge.media.handlers import storage as storage_handlers
from assetforge.media.handlers import temp_images as temp_image_handlers
from assetforge.media.lifecycle import MediaParts
from assetforge.media.models import inbox, outbox
from assetforge.media.settings import DEFAULT_HTTP_PORT, SERVICE, Settings, load_settings

PUBLISHES = [
    EventDoc(FILE_STORED_FILTER, FileStored, "A file was stored (or a generated file's name given new bytes)"),
    EventDoc(FILE_MIRRORED_FILTER, FileMirrored, "A stored file's copy is on the CDN"),
    EventDoc(FILE_DELETED_FILTER, FileDeleted, "A file's record was deleted"),
]


def create_runtime(settings: Settings) -> ServiceRuntime:
    media = MediaParts(settings.own, replicas=settings.nats.stream_replicas)
    # The mirror exists only with a CDN to mirror to (CDN_URL and CDN_API_KEY).
    consumers = [cdn_handlers.mirror_consumer(media, media.cdn)] if media.cdn is not None else []
    consumers.append(asset_event_handlers.released_files_consumer(media))
    parts = ServiceParts(outbox=outbox, inbox=inbox, consumers=consumers, lifecycle=[media])
    runtime = ServiceRuntime(settings.runtime, settings.database, settings.nats, parts)
    file_handlers.register(parts.rpc, runtime.database, media)
    temp_image_handlers.register(parts.rpc, runtime.database, media)
    storage_handlers.register(parts.rpc, runtime.database, media)
    if media.cdn is not None:
        runtime.health.add("cdn", media.cdn.reachable)
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
