"""Typed settings read once from the environment.

Each concern has a small frozen dataclass and a ``get_*_settings`` factory that reads
it through an :class:`Env`. The factories record every problem instead of raising on
the first one, so a service that starts with a bad environment is told about every
missing or invalid variable in a single :class:`SettingsError`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol
from urllib.parse import urlsplit


class SettingsError(Exception):
    """The environment lacks required variables or holds invalid values."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid configuration: " + "; ".join(problems))


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Env:
    """Reads variables from a mapping and collects every problem it meets."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ
        self.problems: list[str] = []
        self.environment = self._environment()

    @property
    def production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    def _environment(self) -> Environment:
        raw = self._environ.get("NODE_ENV", "").strip() or Environment.DEVELOPMENT
        try:
            return Environment(raw)
        except ValueError:
            choices = ", ".join(e.value for e in Environment)
            self.problems.append(f"NODE_ENV must be one of {choices}, got {raw!r}")
            return Environment.DEVELOPMENT

    def raw(self, name: str) -> str | None:
        value = self._environ.get(name)
        if value is None or not value.strip():
            return None
        return value.strip()

    def text(self, name: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self.raw(name)
        if value is None:
            if required:
                self.problems.append(f"{name} is required")
            return default
        return value

    def required_text(self, name: str, dev_default: str | None = None) -> str:
        """A variable production must set; development may fall back to ``dev_default``."""
        value = self.raw(name)
        if value is not None:
            return value
        if dev_default is not None and not self.production:
            return dev_default
        self.problems.append(f"{name} is required")
        return ""

    def integer(self, name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            self.problems.append(f"{name} must be an integer, got {value!r}")
            return default
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            self.problems.append(f"{name} must be {bounds}, got {number}")
            return default
        return number

    def number(self, name: str, default: float, *, minimum: float = 0.0) -> float:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = float(value)
        except ValueError:
            self.problems.append(f"{name} must be a number, got {value!r}")
            return default
        if number < minimum:
            self.problems.append(f"{name} must be at least {minimum}, got {number}")
            return default
        return number

    def flag(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        self.problems.append(f"{name} must be true or false, got {value!r}")
        return default

    def url(self, name: str, value: str | None, schemes: tuple[str, ...]) -> str | None:
        """Check that ``value`` (read from ``name``) is a URL with one of ``schemes``."""
        if value is None or value == "":
            return value
        for part in value.split(","):
            parsed = urlsplit(part.strip())
            if parsed.scheme not in schemes:
                self.problems.append(f"{name} must be a {' or '.join(schemes)} URL")
                return None
        return value

    def check(self) -> None:
        """Raise one :class:`SettingsError` naming every problem seen so far."""
        if self.problems:
            raise SettingsError(list(self.problems))


@dataclass(frozen=True, slots=True)
class RuntimeSettings:
    service: str
    environment: Environment
    log_level: str
    version: str


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    url: str
    replica_url: str | None
    pool_size: int
    statement_timeout_ms: int


@dataclass(frozen=True, slots=True)
class NatsSettings:
    url: str
    request_timeout_s: float
    # Replicas of the COMMANDS and EVENTS streams when a service creates them (3 on a cluster).
    stream_replicas: int


@dataclass(frozen=True, slots=True)
class TelemetrySettings:
    otlp_endpoint: str | None
    sentry_dsn: str | None


@dataclass(frozen=True, slots=True)
class HttpSettings:
    host: str
    port: int
    # When set, /metrics and /docs/asyncapi answer on this port only (same process).
    metrics_port: int | None = None
    # Request line plus headers; see http_guard.py and docs/decisions.md for the figures.
    max_header_bytes: int = 64 * 1024
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DATABASE_SCHEMES = ("postgres", "postgresql", "postgresql+asyncpg")


def get_runtime_settings(env: Env, service: str) -> RuntimeSettings:
    level = (env.text("LOG_LEVEL", "INFO") or "INFO").upper()
    if level not in LOG_LEVELS:
        env.problems.append(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {level!r}")
        level = "INFO"
    return RuntimeSettings(
        service=service,
        environment=env.environment,
        log_level=level,
        version=env.text("APP_VERSION", "dev") or "dev",
    )


def get_database_settings(env: Env) -> DatabaseSettings:
    url = env.url("DATABASE_URL", env.required_text("DATABASE_URL"), DATABASE_SCHEMES) or ""
    replica = env.url("DATABASE_REPLICA_URL", env.text("DATABASE_REPLICA_URL"), DATABASE_SCHEMES)
    return DatabaseSettings(
        url=url,
        replica_url=replica,
        pool_size=env.integer("DB_POOL_SIZE", 10, minimum=1, maximum=200),
        statement_timeout_ms=env.integer("DB_STATEMENT_TIMEOUT_MS", 15_000, minimum=0),
    )


def get_nats_settings(env: Env) -> NatsSettings:
    url = env.required_text("NATS_URL", dev_default="nats://127.0.0.1:4222")
    return NatsSettings(
        url=env.url("NATS_URL", url, ("nats", "tls", "ws", "wss")) or "",
        request_timeout_s=env.number("NATS_REQUEST_TIMEOUT_S", 5.0, minimum=0.05),
        stream_replicas=env.integer("NATS_STREAM_REPLICAS", 1, minimum=1, maximum=5),
    )


def get_telemetry_settings(env: Env) -> TelemetrySettings:
    return TelemetrySettings(
        otlp_endpoint=env.url(
            "OTEL_EXPORTER_OTLP_ENDPOINT", env.text("OTEL_EXPORTER_OTLP_ENDPOINT"), ("http", "https")
        ),
        sentry_dsn=env.text("SENTRY_DSN"),
    )


def get_http_settings(env: Env, port_variable: str, default_port: int) -> HttpSettings:
    # Containers must listen on every interface; a laptop should not offer its services
    # to the whole network by default.
    default_host = "0.0.0.0" if env.production else "127.0.0.1"  # noqa: S104
    port = env.integer(port_variable, default_port, minimum=0, maximum=65535)
    metrics_port = None
    if env.raw("METRICS_PORT") is not None:
        metrics_port = env.integer("METRICS_PORT", 0, minimum=1, maximum=65535) or None
        if metrics_port is not None and metrics_port == port:
            env.problems.append(f"METRICS_PORT must differ from {port_variable} ({port})")
    return HttpSettings(
        host=env.text("HTTP_HOST", default_host) or default_host,
        port=port,
        metrics_port=metrics_port,
        max_header_bytes=env.integer("HTTP_MAX_HEADER_BYTES", 64 * 1024, minimum=1024, maximum=1024 * 1024),
        header_timeout_s=env.number("HTTP_HEADER_TIMEOUT_S", 10.0, minimum=0.1),
        body_timeout_s=env.number("HTTP_BODY_TIMEOUT_S", 30.0, minimum=0.1),
    )


class ServiceSettings(Protocol):
    """What every service's settings object offers."""

    @property
    def runtime(self) -> RuntimeSettings: ...
    @property
    def database(self) -> DatabaseSettings: ...
    @property
    def nats(self) -> NatsSettings: ...
    @property
    def telemetry(self) -> TelemetrySettings: ...
    @property
    def http(self) -> HttpSettings: ...


@dataclass(frozen=True, slots=True)
class BackendSettings:
    """Everything a back-end service (assets, generation, media) reads today."""

    runtime: RuntimeSettings
    database: DatabaseSettings
    nats: NatsSettings
    telemetry: TelemetrySettings
    http: HttpSettings


def load_backend_settings(service: str, default_port: int, environ: Mapping[str, str] | None = None) -> BackendSettings:
    env = Env(environ)
    settings = BackendSettings(
        runtime=get_runtime_settings(env, service),
        database=get_database_settings(env),
        nats=get_nats_settings(env),
        telemetry=get_telemetry_settings(env),
        http=get_http_settings(env, "HTTP_PORT", default_port),
    )
    env.check()
    return settings
