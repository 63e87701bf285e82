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
from typing import Unpack
from urllib.parse import urlsplit

from assetforge.common.variables import About, Level, Recording, Variable


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
    """Reads variables from a mapping and collects every problem it meets.

    Each reader also records the variable in ``variables`` (see ``About`` for the keyword
    arguments that declare its level, purpose and secrecy), with whether it was set and
    what was wrong with it: ``check-env`` reports from these records.
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        # The one read of the process environment: everything else is handed a mapping.
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        self.problems: list[str] = []
        self.variables: dict[str, Variable] = {}
        self._about_values: list[str] = []  # the problems that are about one variable's value
        if isinstance(environ, Recording):
            environ.envs.append(self)
        self.environment = self._environment()

    @property
    def production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    @property
    def other_problems(self) -> list[str]:
        """Problems a loader added itself, not about one variable's value
        (``AUTH_MODE=dev is refused when NODE_ENV=production``)."""
        return [problem for problem in self.problems if problem not in self._about_values]

    def _environment(self) -> Environment:
        raw = self._read("NODE_ENV", {"level": "required", "purpose": "development, test or production"}, "development")
        try:
            return Environment(raw or Environment.DEVELOPMENT)
        except ValueError:
            choices = ", ".join(e.value for e in Environment)
            self.invalid("NODE_ENV", f"must be one of {choices}, got {raw!r}")
            return Environment.DEVELOPMENT

    def _read(self, name: str, about: About, default: object = None, *, floor: Level = "optional") -> str | None:
        value = self.environ.get(name)
        value = value.strip() if value is not None and value.strip() else None
        shown = None if default is None else str(default)
        self._note(Variable.read(name, about, floor=floor, default=shown, is_set=value is not None))
        return value

    def _note(self, variable: Variable) -> None:
        known = self.variables.get(variable.name)
        self.variables[variable.name] = variable if known is None else known.merged(variable)

    def _got(self, name: str, shown: str) -> str:
        known = self.variables.get(name)
        return "a hidden value" if known is not None and known.secret else shown

    def invalid(self, name: str, detail: str) -> None:
        """Refuse ``name``'s value because of ``detail`` (say ``must be ...``, never a secret)."""
        self._note(Variable(name, problem=detail))
        self._about_values.append(f"{name} {detail}")
        self.problems.append(f"{name} {detail}")

    def raw(self, name: str, **about: Unpack[About]) -> str | None:
        return self._read(name, about)

    def text(
        self, name: str, default: str | None = None, *, required: bool = False, **about: Unpack[About]
    ) -> str | None:
        value = self._read(name, about, default, floor="required" if required else "optional")
        if value is None:
            if required:
                self.invalid(name, "is required")
            return default
        return value

    def required_text(self, name: str, dev_default: str | None = None, **about: Unpack[About]) -> str:
        """A variable production must set; development may fall back to ``dev_default``."""
        fallback = None if self.production else dev_default
        value = self._read(name, about, fallback, floor="required")
        if value is not None:
            return value
        if fallback is not None:
            return fallback
        self.invalid(name, "is required")
        return ""

    def integer(
        self,
        name: str,
        default: int,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
        **about: Unpack[About],
    ) -> int:
        value = self._read(name, about, default)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            self.invalid(name, f"must be an integer, got {self._got(name, repr(value))}")
            return default
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            self.invalid(name, f"must be {bounds}, got {self._got(name, str(number))}")
            return default
        return number

    def number(self, name: str, default: float, *, minimum: float = 0.0, **about: Unpack[About]) -> float:
        value = self._read(name, about, default)
        if value is None:
            return default
        try:
            number = float(value)
        except ValueError:
            self.invalid(name, f"must be a number, got {self._got(name, repr(value))}")
            return default
        if number < minimum:
            self.invalid(name, f"must be at least {minimum}, got {self._got(name, str(number))}")
            return default
        return number

    def flag(self, name: str, default: bool, **about: Unpack[About]) -> bool:
        value = self._read(name, about, "true" if default else "false")
        if value is None:
            return default
        lowered = value.lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        self.invalid(name, f"must be true or false, got {self._got(name, repr(value))}")
        return default

    def url(self, name: str, value: str | None, schemes: tuple[str, ...]) -> str | None:
        """Check that ``value`` (read from ``name``) is a URL with one of ``schemes``."""
        if value is None or value == "":
            return value
        for part in value.split(","):
            parsed = urlsplit(part.strip())
            if parsed.scheme not in schemes:
                self.invalid(name, f"must be a {' or '.join(schemes)} URL")
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
HTTP_SCHEMES = ("http", "https")


def get_runtime_settings(env: Env, service: str) -> RuntimeSettings:
    level = (env.text("LOG_LEVEL", "INFO", level="recommended", purpose="DEBUG, INFO, WARNING or ERROR") or "").upper()
    if level not in LOG_LEVELS:
        env.invalid("LOG_LEVEL", f"must be one of {', '.join(LOG_LEVELS)}, got {level!r}")
        level = "INFO"
    return RuntimeSettings(
        service=service,
        environment=env.environment,
        log_level=level,
        version=env.text("APP_VERSION", "dev", purpose="release named in logs, traces and errors") or "dev",
    )


def get_database_settings(env: Env) -> DatabaseSettings:
    url = env.required_text("DATABASE_URL", secret=True, purpose="PostgreSQL for every schema")
    replica = env.text("DATABASE_REPLICA_URL", level="recommended", secret=True, purpose="read replica")
    return DatabaseSettings(
        url=env.url("DATABASE_URL", url, DATABASE_SCHEMES) or "",
        replica_url=env.url("DATABASE_REPLICA_URL", replica, DATABASE_SCHEMES),
        pool_size=env.integer("DB_POOL_SIZE", 10, minimum=1, maximum=200, purpose="connections per process"),
        statement_timeout_ms=env.integer("DB_STATEMENT_TIMEOUT_MS", 15_000, minimum=0, purpose="longest query, ms"),
    )


def get_nats_settings(env: Env) -> NatsSettings:
    url = env.required_text("NATS_URL", dev_default="nats://127.0.0.1:4222", purpose="NATS servers (comma list)")
    return NatsSettings(
        url=env.url("NATS_URL", url, ("nats", "tls", "ws", "wss")) or "",
        request_timeout_s=env.number(
            "NATS_REQUEST_TIMEOUT_S", 5.0, minimum=0.05, purpose="longest wait for a reply, s"
        ),
        stream_replicas=env.integer(
            "NATS_STREAM_REPLICAS", 1, minimum=1, maximum=5, purpose="replicas of new streams (3 on a NATS cluster)"
        ),
    )


def get_telemetry_settings(env: Env) -> TelemetrySettings:
    otlp = env.text("OTEL_EXPORTER_OTLP_ENDPOINT", level="recommended", purpose="OpenTelemetry collector")
    dsn = env.text("SENTRY_DSN", level="recommended", secret=True, purpose="error reporting")
    return TelemetrySettings(
        otlp_endpoint=env.url("OTEL_EXPORTER_OTLP_ENDPOINT", otlp, HTTP_SCHEMES),
        sentry_dsn=env.url("SENTRY_DSN", dsn, HTTP_SCHEMES),
    )


def get_http_settings(env: Env, port_variable: str, default_port: int) -> HttpSettings:
    # Containers must listen on every interface; a laptop should not offer its services
    # to the whole network by default.
    default_host = "0.0.0.0" if env.production else "127.0.0.1"  # noqa: S104
    port = env.integer(port_variable, default_port, minimum=0, maximum=65535, purpose="HTTP port")
    metrics_port = None
    if env.raw("METRICS_PORT", purpose="own port for /metrics and /docs/asyncapi") is not None:
        metrics_port = env.integer("METRICS_PORT", 0, minimum=1, maximum=65535) or None
        if metrics_port is not None and metrics_port == port:
            env.invalid("METRICS_PORT", f"must differ from {port_variable} ({port})")
    return HttpSettings(
        host=env.text("HTTP_HOST", default_host, purpose="address to listen on") or default_host,
        port=port,
        metrics_port=metrics_port,
        max_header_bytes=env.integer(
            "HTTP_MAX_HEADER_BYTES", 64 * 1024, minimum=1024, maximum=1024 * 1024, purpose="largest request head"
        ),
        header_timeout_s=env.number("HTTP_HEADER_TIMEOUT_S", 10.0, minimum=0.1, purpose="time to send a head, s"),
        body_timeout_s=env.number("HTTP_BODY_TIMEOUT_S", 30.0, minimum=0.1, purpose="silence allowed in a body, s"),
    )
