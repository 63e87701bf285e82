from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

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
from assetforge.gateway.ratelimit import RateLimitSettings, get_rate_limit_settings

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
class AuthSettings:
    mode: Literal["privy", "dev"]
    app_id: str
    verification_key: str | None
    jwks_url: str
    dev_key_dir: Path
    # New API keys are af_live_ in production, af_test_ elsewhere.
    live_keys: bool
    cache_entries: int
    cache_ttl_s: float


def get_auth_settings(env: Env) -> AuthSettings:
    mode = (env.text("AUTH_MODE", "privy") or "privy").lower()
    if mode not in {"privy", "dev"}:
        env.problems.append(f"AUTH_MODE must be privy or dev, got {mode!r}")
        mode = "privy"
    if mode == "dev" and env.production:
        env.problems.append("AUTH_MODE=dev is refused when NODE_ENV=production")
    app_id = env.text("PRIVY_APP_ID") or ""
    key = env.text("PRIVY_VERIFICATION_KEY")
    if mode == "dev":
        app_id = app_id or "assetforge-dev"
    elif env.production:
        if not app_id:
            env.problems.append("PRIVY_APP_ID is required")
        if not key and not env.text("PRIVY_APP_SECRET"):
            env.problems.append("PRIVY_APP_SECRET (or PRIVY_VERIFICATION_KEY) is required")
    if key and "BEGIN PUBLIC KEY" not in key:
        env.problems.append("PRIVY_VERIFICATION_KEY must be a PEM public key")
    jwks = env.text("PRIVY_JWKS_URL") or f"https://auth.privy.io/api/v1/apps/{app_id}/jwks.json"
    return AuthSettings(
        mode="dev" if mode == "dev" else "privy",
        app_id=app_id,
        verification_key=key,
        jwks_url=env.url("PRIVY_JWKS_URL", jwks, ("http", "https")) or jwks,
        dev_key_dir=Path(env.text("DEV_AUTH_DIR", ".data/dev-auth") or ".data/dev-auth"),
        live_keys=env.production,
        cache_entries=env.integer("AUTH_CACHE_ENTRIES", 10_000, minimum=0),
        cache_ttl_s=env.number("AUTH_CACHE_TTL_S", 60.0, minimum=0.0),
    )


_LOCALHOST = re.compile(r"^https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$")


@dataclass(frozen=True, slots=True)
class CorsSettings:
    origins: frozenset[str]
    # Development without FRONTEND_URL: any localhost origin may call.
    allow_localhost: bool

    def allows(self, origin: str) -> bool:
        return origin in self.origins or (self.allow_localhost and _LOCALHOST.match(origin) is not None)


def get_cors_settings(env: Env) -> CorsSettings:
    raw = env.url("FRONTEND_URL", env.text("FRONTEND_URL"), ("http", "https"))
    origins = frozenset(o.strip().rstrip("/") for o in (raw or "").split(",") if o.strip())
    return CorsSettings(origins=origins, allow_localhost=not origins and not env.production)


@dataclass(frozen=True, slots=True)
class Settings:
    runtime: RuntimeSettings
    database: DatabaseSettings
    nats: NatsSettings
    telemetry: TelemetrySettings
    http: HttpSettings
    edge: EdgeSettings
    auth: AuthSettings
    cors: CorsSettings
    rate_limit: RateLimitSettings


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
        auth=get_auth_settings(env),
        cors=get_cors_settings(env),
        rate_limit=get_rate_limit_settings(env),
    )
    env.check()
    return settings
