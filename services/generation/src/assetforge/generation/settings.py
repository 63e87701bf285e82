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

SERVICE = "generation"
DEFAULT_HTTP_PORT = 3012


@dataclass(frozen=True, slots=True)
class Settings:
    runtime: RuntimeSettings
    database: DatabaseSettings
    nats: NatsSettings
    telemetry: TelemetrySettings
    http: HttpSettings


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = Env(environ)
    settings = Settings(
        runtime=get_runtime_settings(env, SERVICE),
        database=get_database_settings(env),
        nats=get_nats_settings(env),
        telemetry=get_telemetry_settings(env),
        http=get_http_settings(env, "HTTP_PORT", DEFAULT_HTTP_PORT),
    )
    env.check()
    return settings
