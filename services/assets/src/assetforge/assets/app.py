"""Composition root of the assets service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Litestar

from assetforge.assets.handlers import achievements as achievement_handlers
from assetforge.assets.handlers import asset_events as asset_event_handlers
from assetforge.assets.handlers import assets as asset_handlers
from assetforge.assets.handlers import presets as preset_handlers
from assetforge.assets.handlers import projects as project_handlers
from assetforge.assets.handlers import relationships as relationship_handlers
from assetforge.assets.handlers import worlds as world_handlers
from assetforge.assets.models import inbox, outbox
from assetforge.assets.settings import DEFAULT_HTTP_PORT, SERVICE, Settings, load_settings
from assetforge.common.backend import HTTP_PORT
from assetforge.common.cli import ServiceEntry
from assetforge.common.contracts.achievements import ACHIEVEMENT_AWARDED_FILTER, AchievementAwarded
from assetforge.common.contracts.assets import (
    ASSET_CREATED_FILTER,
    ASSET_DELETED_FILTER,
    ASSET_UPDATED_FILTER,
    AssetCreated,
    AssetDeleted,
    AssetUpdated,
)
from assetforge.common.contracts.material_presets import MATERIAL_PRESET_CHANGED_FILTER, MaterialPresetChanged
from assetforge.common.contracts.projects import PROJECT_EVENTS, ProjectEvent, project_event_subject
from assetforge.common.contracts.worlds import WORLD_CONFIG_CHANGED_FILTER, WorldConfigChanged
from assetforge.common.docs import EventDoc, asyncapi_document
from assetforge.common.http import probe_app
from assetforge.common.runtime import ServiceParts, ServiceRuntime

PUBLISHES = [
    EventDoc(ASSET_CREATED_FILTER, AssetCreated, "An asset entered the catalog"),
    EventDoc(ASSET_UPDATED_FILTER, AssetUpdated, "An asset changed"),
    EventDoc(ASSET_DELETED_FILTER, AssetDeleted, "An asset left the catalog; the media service deletes its files"),
    *(EventDoc(project_event_subject("*", event), ProjectEvent, f"A project was {event}") for event in PROJECT_EVENTS),
    EventDoc(WORLD_CONFIG_CHANGED_FILTER, WorldConfigChanged, "A world config was created, changed or deleted"),
    EventDoc(MATERIAL_PRESET_CHANGED_FILTER, MaterialPresetChanged, "A custom material preset changed"),
    EventDoc(ACHIEVEMENT_AWARDED_FILTER, AchievementAwarded, "A user earned an achievement"),
]


def create_runtime(settings: Settings) -> ServiceRuntime:
    parts = ServiceParts(outbox=outbox, inbox=inbox)
    parts.consumers.extend(achievement_handlers.CONSUMERS)
    parts.consumers.extend(relationship_handlers.CONSUMERS)
    parts.consumers.extend(asset_event_handlers.CONSUMERS)
    runtime = ServiceRuntime(settings.runtime, settings.database, settings.nats, parts)
    asset_handlers.register(parts.rpc, runtime.database, lambda: runtime.bus)
    project_handlers.register(parts.rpc, runtime.database)
    relationship_handlers.register(parts.rpc, runtime.database)
    achievement_handlers.register(parts.rpc, runtime.database)
    world_handlers.register(parts.rpc, runtime.database)
    preset_handlers.register(parts.rpc, runtime.database)
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
