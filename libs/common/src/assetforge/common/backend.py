"""The settings of a back-end service (assets, generation, media): what every service
reads, plus the part that is the service's own, read by its ``settings.py``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from assetforge.common.settings import (
    DatabaseSettings,
    Env,
    HttpSettings,
    NatsSettings,
    RuntimeSettings,
    TelemetrySettings,
    get_database_settings,
    get_http_settings,
    get_nats_settings,
    get_runtime_settings,
    get_telemetry_settings,
)

# The port every back-end service reads (the gateway reads PORT).
HTTP_PORT = "HTTP_PORT"

Own = TypeVar("Own")


@dataclass(frozen=True, slots=True)
class BackendSettings(Generic[Own]):
    runtime: RuntimeSettings
    database: DatabaseSettings
    nats: NatsSettings
    telemetry: TelemetrySettings
    http: HttpSettings
    own: Own


def load_backend_settings(
    service: str,
    default_port: int,
    read_own: Callable[[Env], Own],
    environ: Mapping[str, str] | None = None,
) -> BackendSettings[Own]:
    """Read everything in one :class:`Env`, so a bad environment is told about every
    problem, the service's own variables included, in one error."""
    env = Env(environ)
    settings = BackendSettings(
        runtime=get_runtime_settings(env, service),
        database=get_database_settings(env),
        nats=get_nats_settings(env),
        telemetry=get_telemetry_settings(env),
        http=get_http_settings(env, HTTP_PORT, default_port),
        own=read_own(env),
    )
    env.check()
    return settings
