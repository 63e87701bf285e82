"""Composition root of the generation service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Litestar

from assetforge.common.backend import HTTP_PORT
from assetforge.common.cli import ServiceEntry
from assetforge.common.contracts.generation import (
    DEAD_LETTER_FILTER,
    PIPELINE_COMPLETED_FILTER,
    DeadLettered,
    PipelineCompleted,
    pipeline_event_subject,
)
from assetforge.common.contracts.jobs import JOB_COMPLETED_FILTER, JOB_EVENTS, JobCompleted, JobEvent, job_event_subject
from assetforge.common.contracts.pipelines import (
    PIPELINE_EVENTS,
    PipelineEvent,
)
from assetforge.common.docs import EventDoc, asyncapi_document
from assetforge.common.http import probe_app
from assetforge.common.runtime import ServiceParts, ServiceRuntime
from assetforge.generation.handlers import audio as audio_handlers
from assetforge.generation.handlers import pipelines as pipeline_handlers
from assetforge.generation.handlers import provider_keys as key_handlers
from assetforge.generation.keyring import KeyRing
from assetforge.generation.lifecycle import GenerationParts
from assetforge.generation.metrics import make_generation_metrics
from assetforge.generation.models import inbox, outbox
from assetforge.generation.providers.owners import OwnerProviders
from assetforge.generation.providers.registry import build_providers
from assetforge.generation.service.provider_keys import OwnerKeys
from assetforge.generation.settings import DEFAULT_HTTP_PORT, SERVICE, Settings, load_settings

PUBLISHES = [
    *(EventDoc(pipeline_event_subject("*", event), PipelineEvent, f"A pipeline: {event}") for event in PIPELINE_EVENTS),
    EventDoc(PIPELINE_COMPLETED_FILTER, PipelineCompleted, "A pipeline finished; the assets service makes its asset"),
    EventDoc(DEAD_LETTER_FILTER, DeadLettered, "A run command that could not be carried out"),
    *(
        EventDoc(job_event_subject("*", event), JobEvent, f"An audio job: {event}")
        for event in JOB_EVENTS
        if event != "completed"
    ),
    EventDoc(JOB_COMPLETED_FILTER, JobCompleted, "An audio job finished; the assets service makes its asset"),
]


def create_runtime(settings: Settings) -> ServiceRuntime:
    providers = build_providers(settings.own.providers)
    parts = ServiceParts(outbox=outbox, inbox=inbox)
    runtime = ServiceRuntime(settings.runtime, settings.database, settings.nats, parts)
    keyring = KeyRing(settings.own.user_keys)
    owners = OwnerProviders(providers, settings.own.providers, OwnerKeys(runtime.database, keyring))
    generation = GenerationParts(settings.own, owners, make_generation_metrics(runtime.registry))
    parts.lifecycle.append(generation)
    budget = settings.own.daily_credits
    pipeline_handlers.register(parts.rpc, runtime.database, providers.describe, budget)
    audio_handlers.register(parts.rpc, runtime.database, providers.audio, budget)
    key_handlers.register(parts.rpc, runtime.database, keyring)
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
