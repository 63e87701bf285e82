from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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

SERVICE = "gateway"
DEFAULT_PORT = 3004


@dataclass(frozen=True, slots=True)
class EdgeSettings:
    max_body_mb: int
    # Readiness gives each dependency this long to answer.
    probe_timeout_s: float


def get_edge_settings(env: Env) -> EdgeSettings:
    return EdgeSettings(
        max_body_mb=env.integer("MAX_REQUEST_BODY_MB", 100, minimum=1, maximum=1024),
        probe_timeout_s=env.number("READINESS_TIMEOUT_S", 1.0, minimum=0.05),
    )


@dataclass(frozen=True, slots=True)
class Settings:
    runtime: RuntimeSettings
    database: DatabaseSettings
    nats: NatsSettings
    telemetry: TelemetrySettings
    http: HttpSettings
    edge: EdgeSettings


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = Env(environ)
    http = get_http_settings(env, "PORT", DEFAULT_PORT)
    if env.production and env.raw("PORT") is None:
        env.problems.append("PORT is required")
    settings = Settings(
        runtime=get_runtime_settings(env, SERVICE),
        database=get_database_settings(env),
        nats=get_nats_settings(env),
        telemetry=get_telemetry_settings(env),
        http=http,
        edge=get_edge_settings(env),
    )
    env.check()
    return settings
