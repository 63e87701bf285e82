from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

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
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
DEFAULT_PORT = 3004


@dataclass(frozen=True, slots=True)
class EdgeSettings:
    max_body_mb: int
    # Readiness gives each dependency this long to answer.
    probe_timeout_s: float
    # Anonymous catalog reads kept in memory (catalog_cache.py); 0 entries turns it off.
    catalog_cache_entries: int
    catalog_cache_bytes: int
    catalog_cache_max_age_s: float
    # Pipeline event streams (streams/): a keep-alive comment this often; open ones at most.
    sse_heartbeat_s: float = 15.0
    sse_max_streams: int = 1000
    # How long a sound effect, track or voice line request waits for its audio before it
    # answers 202 with the job instead (under a load balancer's usual 60 s).
    audio_sync_wait_s: float = 45.0


def get_edge_settings(env: Env) -> EdgeSettings:
    return EdgeSettings(
        max_body_mb=env.integer("MAX_REQUEST_BODY_MB", 100, minimum=1, maximum=1024, purpose="largest request body"),
        probe_timeout_s=env.number("READINESS_TIMEOUT_S", 1.0, minimum=0.05, purpose="wait per dependency, s"),
        catalog_cache_entries=env.integer(
            "CATALOG_CACHE_ENTRIES",
            2048,
            minimum=0,
            maximum=1_000_000,
            purpose="anonymous catalog replies kept, 0: off",
        ),
        catalog_cache_bytes=env.integer(
            "CATALOG_CACHE_MB", 64, minimum=1, maximum=4096, purpose="memory for anonymous catalog replies, MB"
        )
        * 1024
        * 1024,
        catalog_cache_max_age_s=env.number(
            "CATALOG_CACHE_MAX_AGE_S", 5.0, minimum=0.01, purpose="longest a kept reply is served, s"
        ),
        sse_heartbeat_s=env.number("SSE_HEARTBEAT_S", 15.0, minimum=0.05, purpose="event stream keep-alive, s"),
        sse_max_streams=env.integer("SSE_MAX_STREAMS", 1000, minimum=1, purpose="open event streams, at most"),
        audio_sync_wait_s=env.number("AUDIO_SYNC_WAIT_S", 45.0, minimum=0.0, purpose="wait for audio before a 202, s"),
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


def get_auth_settings(env: Env, *, default_mode: str = "privy") -> AuthSettings:
    mode = (env.text("AUTH_MODE", default_mode, purpose="privy, or dev (local keys)") or default_mode).lower()
    if mode not in {"privy", "dev"}:
        env.problems.append(f"AUTH_MODE must be privy or dev, got {mode!r}")
        mode = "privy"
    if mode == "dev" and env.production:
        env.problems.append("AUTH_MODE=dev is refused when NODE_ENV=production")
    app_id = env.text("PRIVY_APP_ID", level="required", purpose="Privy application id (token audience)") or ""
    key = env.text("PRIVY_VERIFICATION_KEY", purpose="Privy ES256 public key (PEM)")
    if mode == "dev":
        app_id = app_id or "assetforge-dev"
    elif env.production:
        if not app_id:
            env.problems.append("PRIVY_APP_ID is required")
        if not key and not env.text(
            "PRIVY_APP_SECRET",
            level="required",
            secret=True,
            alternative="PRIVY_VERIFICATION_KEY",
            purpose="Privy application secret",
        ):
            env.problems.append("PRIVY_APP_SECRET (or PRIVY_VERIFICATION_KEY) is required")
    if key and "BEGIN PUBLIC KEY" not in key:
        env.problems.append("PRIVY_VERIFICATION_KEY must be a PEM public key")
    jwks = (
        env.text("PRIVY_JWKS_URL", purpose="override of the Privy JWKS address")
        or f"https://auth.privy.io/api/v1/apps/{app_id}/jwks.json"
    )
    return AuthSettings(
        mode="dev" if mode == "dev" else "privy",
        app_id=app_id,
        verification_key=key,
        jwks_url=env.url("PRIVY_JWKS_URL", jwks, ("http", "https")) or jwks,
        dev_key_dir=Path(env.text("DEV_AUTH_DIR", ".data/dev-auth", purpose="dev sign-in keys") or ".data/dev-auth"),
        live_keys=env.production,
        cache_entries=env.integer("AUTH_CACHE_ENTRIES", 10_000, minimum=0, purpose="verified tokens kept"),
        cache_ttl_s=env.number("AUTH_CACHE_TTL_S", 60.0, minimum=0.0, purpose="how long one is kept, s"),
    )


_LOCALHOST = re.compile(r"^https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$")


@dataclass(frozen=True, slots=True)
class CorsSettings:
    origins: frozenset[str]
    # Development without FRONTEND_URL: any localhost origin may call.
    allow_localhost: bool

    def allows(self, origin: str) -> bool:
        if origin in self.origins:
            return True
        if self.allow_localhost and _LOCALHOST.match(origin) is not None:
            return True
        return bool(self.origins) and normalize_origin(origin) in self.origins


_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_origin(url: str) -> str:
    """An origin as browsers serialize it: lower-case scheme and host, no default port, no
    path. ``HTTPS://Studio.Example:443/`` and ``https://studio.example`` are one origin."""
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        return url.strip()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal keeps its brackets
    scheme = parts.scheme.lower()
    shown = "" if port is None or port == _DEFAULT_PORTS.get(scheme) else f":{port}"
    return f"{scheme}://{host}{shown}"


def get_cors_settings(env: Env) -> CorsSettings:
    raw = env.url(
        "FRONTEND_URL",
        env.text("FRONTEND_URL", level="recommended", purpose="allowed CORS origins (comma list)"),
        ("http", "https"),
    )
    origins = frozenset(normalize_origin(o) for o in (raw or "").split(",") if o.strip())
    return CorsSettings(origins=origins, allow_localhost=not origins and not env.production)


def parse_networks(raw: str) -> tuple[tuple[Network, ...], list[str]]:
    """``"10.0.0.0/8, 2001:db8::/32, 192.0.2.7"`` → networks, plus one message per bad entry."""
    networks: list[Network] = []
    problems: list[str] = []
    for part in raw.split(","):
        text = part.strip()
        if not text:
            continue
        try:
            # strict=False: "10.0.0.1/8" means the network 10.0.0.0/8, as in nginx and HAProxy.
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            problems.append(f"TRUSTED_PROXIES entry {text!r} is not an IP address or CIDR")
    return tuple(networks), problems


@dataclass(frozen=True, slots=True)
class RateLimitSettings:
    max: int
    window_ms: int
    disabled: bool
    trusted_proxies: tuple[Network, ...]
    generation_max: int = 10
    audio_max: int = 20
    # Failed authentications per client address before it is refused with 429.
    auth_failure_max: int = 20
    # Generation, audio and failed sign-ins are "per minute" whatever the default window is.
    strict_window_ms: int = 60_000
    # How long a check waits for NATS before counting locally.
    store_timeout_ms: int = 250


def get_rate_limit_settings(env: Env) -> RateLimitSettings:
    networks, problems = parse_networks(
        env.text("TRUSTED_PROXIES", purpose="proxies whose X-Forwarded-For counts (CIDRs)") or ""
    )
    env.problems.extend(problems)
    return RateLimitSettings(
        max=env.integer("RATE_LIMIT_MAX", 100, minimum=1, purpose="requests per client per window"),
        window_ms=env.integer(
            "RATE_LIMIT_WINDOW_MS", 60_000, minimum=1_000, maximum=86_400_000, purpose="rate-limit window, ms"
        ),
        disabled=env.flag("DISABLE_RATE_LIMITING", default=False, purpose="only for tests and load tests"),
        trusted_proxies=networks,
        auth_failure_max=env.integer(
            "AUTH_FAILURE_LIMIT", 20, minimum=1, purpose="failed sign-ins per client address a minute"
        ),
        store_timeout_ms=env.integer(
            "RATE_LIMIT_STORE_TIMEOUT_MS", 250, minimum=10, maximum=10_000, purpose="wait for NATS per check, ms"
        ),
    )


@dataclass(frozen=True, slots=True)
class ImageProxySettings:
    # One image, every redirect and its whole body included, within this long.
    timeout_s: float = 10.0
    max_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 3
    # Non-public destinations the proxy may reach all the same (tests, an internal image host).
    allow_networks: tuple[Network, ...] = ()
    allow_hosts: frozenset[str] = frozenset()


_ALLOWED_HOST = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*$")


def get_image_proxy_settings(env: Env) -> ImageProxySettings:
    networks: list[Network] = []
    hosts: set[str] = set()
    allow = env.text("IMAGE_PROXY_ALLOW", purpose="non-public CIDRs or host names the image proxy may fetch")
    for entry in (part.strip().lower() for part in (allow or "").split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            if _ALLOWED_HOST.match(entry) is None:
                env.invalid("IMAGE_PROXY_ALLOW", f"entry {entry!r} is not a CIDR, an IP address or a host name")
            else:
                hosts.add(entry)
    max_mb = env.integer("IMAGE_PROXY_MAX_MB", 20, minimum=1, maximum=1024, purpose="largest proxied image, MB")
    return ImageProxySettings(
        timeout_s=env.number("IMAGE_PROXY_TIMEOUT_S", 10.0, minimum=0.1, purpose="total time for one proxied image, s"),
        max_bytes=max_mb * 1024 * 1024,
        max_redirects=env.integer(
            "IMAGE_PROXY_MAX_REDIRECTS", 3, minimum=0, maximum=10, purpose="redirects a proxied image may follow"
        ),
        allow_networks=tuple(networks),
        allow_hosts=frozenset(hosts),
    )


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
    image_proxy: ImageProxySettings


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = Env(environ)
    http = get_http_settings(env, "PORT", DEFAULT_PORT)
    if env.production and env.raw("PORT", level="required") is None:
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
        image_proxy=get_image_proxy_settings(env),
    )
    env.check()
    return settings
