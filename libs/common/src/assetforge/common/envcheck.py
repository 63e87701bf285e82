"""The ``check-env`` report: which variables are set, missing or invalid.

Values are never printed, only their state, so the report is safe to paste into an
issue or a deployment log. In production a missing required variable makes the
report fail; the services refuse to start with the same gap (see ``settings``).
Outside production, what ``make run`` gives the services itself is reported as
provided, not missing, since the report is often read beside a running ``make run``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from assetforge.common.stack import MAKE_RUN_PROVIDES


class Level(StrEnum):
    REQUIRED = "required"
    RECOMMENDED = "recommended"
    OPTIONAL = "optional"


class State(StrEnum):
    SET = "set"
    MISSING = "missing"
    INVALID = "invalid"
    # Not set here, but `make run` sets it for the services (never in production).
    PROVIDED = "provided"


Validator = Callable[[str], str | None]


def _url(*schemes: str) -> Validator:
    def check(value: str) -> str | None:
        for part in value.split(","):
            parsed = urlsplit(part.strip())
            if parsed.scheme not in schemes or not (parsed.netloc or parsed.query):
                return f"expected a {'/'.join(schemes)} URL"
        return None

    return check


def _port(value: str) -> str | None:
    if not value.isdigit() or not 0 < int(value) < 65536:
        return "expected a port number between 1 and 65535"
    return None


def _one_of(*choices: str) -> Validator:
    def check(value: str) -> str | None:
        return None if value in choices else f"expected one of {', '.join(choices)}"

    return check


def _positive(value: str) -> str | None:
    return None if value.isdigit() and int(value) > 0 else "expected a positive whole number"


def _flag(value: str) -> str | None:
    return None if value.lower() in {"1", "true", "yes", "on", "0", "false", "no", "off"} else "expected true or false"


def _cidrs(value: str) -> str | None:
    for part in value.split(","):
        try:
            ipaddress.ip_network(part.strip(), strict=False)
        except ValueError:
            return "expected IP addresses or CIDRs, comma separated"
    return None


def _pem(value: str) -> str | None:
    return None if "BEGIN PUBLIC KEY" in value else "expected a PEM public key"


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    level: Level
    purpose: str
    secret: bool = False
    validate: Validator | None = None
    # Another variable that satisfies the requirement in this one's place.
    alternative: str | None = None


_DB = _url("postgres", "postgresql", "postgresql+asyncpg")
_HTTP = _url("http", "https")

VARIABLES: tuple[Variable, ...] = (
    Variable(
        "NODE_ENV",
        Level.REQUIRED,
        "development, test or production",
        validate=_one_of("development", "test", "production"),
    ),
    Variable("PORT", Level.REQUIRED, "gateway HTTP port (default 3004)", validate=_port),
    Variable("DATABASE_URL", Level.REQUIRED, "PostgreSQL for every schema", secret=True, validate=_DB),
    Variable("NATS_URL", Level.REQUIRED, "NATS servers (comma list)", validate=_url("nats", "tls", "ws", "wss")),
    Variable("PRIVY_APP_ID", Level.REQUIRED, "Privy application id (token audience)"),
    Variable(
        "PRIVY_APP_SECRET",
        Level.REQUIRED,
        "Privy application secret",
        secret=True,
        alternative="PRIVY_VERIFICATION_KEY",
    ),
    Variable("PRIVY_VERIFICATION_KEY", Level.OPTIONAL, "Privy ES256 public key (PEM)", validate=_pem),
    Variable(
        "AI_GATEWAY_API_KEY", Level.RECOMMENDED, "Vercel AI Gateway key", secret=True, alternative="OPENAI_API_KEY"
    ),
    Variable("OPENAI_API_KEY", Level.OPTIONAL, "OpenAI key (when no AI Gateway key)", secret=True),
    Variable("MESHY_API_KEY", Level.RECOMMENDED, "Meshy image-to-3D", secret=True),
    Variable("ELEVENLABS_API_KEY", Level.RECOMMENDED, "ElevenLabs audio", secret=True),
    Variable("QDRANT_URL", Level.RECOMMENDED, "vector search", validate=_HTTP),
    Variable("QDRANT_API_KEY", Level.RECOMMENDED, "vector search key", secret=True),
    Variable("FRONTEND_URL", Level.RECOMMENDED, "allowed CORS origins (comma list)", validate=_HTTP),
    Variable("CDN_URL", Level.RECOMMENDED, "CDN for published files", validate=_HTTP),
    Variable("CDN_API_KEY", Level.RECOMMENDED, "CDN upload key", secret=True),
    Variable("CDN_WS_URL", Level.RECOMMENDED, "CDN events", validate=_url("ws", "wss")),
    Variable("IMAGE_SERVER_URL", Level.RECOMMENDED, "public URL for temp images", validate=_HTTP),
    Variable("IMGUR_CLIENT_ID", Level.RECOMMENDED, "image hosting fallback", secret=True),
    Variable("DATABASE_REPLICA_URL", Level.RECOMMENDED, "read replica", secret=True, validate=_DB),
    Variable("SENTRY_DSN", Level.RECOMMENDED, "error reporting", secret=True, validate=_HTTP),
    Variable(
        "LOG_LEVEL",
        Level.RECOMMENDED,
        "DEBUG, INFO, WARNING or ERROR",
        validate=_one_of("DEBUG", "INFO", "WARNING", "ERROR", "debug", "info", "warning", "error"),
    ),
    Variable("OTEL_EXPORTER_OTLP_ENDPOINT", Level.RECOMMENDED, "OpenTelemetry collector", validate=_HTTP),
    Variable("NATS_STREAM_REPLICAS", Level.OPTIONAL, "replicas of new streams (3 on a NATS cluster)"),
    Variable("PRIVY_JWKS_URL", Level.OPTIONAL, "override of the Privy JWKS address", validate=_HTTP),
    Variable(
        "AUTH_MODE",
        Level.OPTIONAL,
        "privy (default) or dev (local keys; refused in production)",
        validate=_one_of("privy", "dev"),
    ),
    Variable("MAX_REQUEST_BODY_MB", Level.OPTIONAL, "largest request body (default 100)", validate=_positive),
    Variable("RATE_LIMIT_MAX", Level.OPTIONAL, "requests per client per window (default 100)", validate=_positive),
    Variable("RATE_LIMIT_WINDOW_MS", Level.OPTIONAL, "rate-limit window in ms (default 60000)", validate=_positive),
    Variable("DISABLE_RATE_LIMITING", Level.OPTIONAL, "true only for tests and load tests", validate=_flag),
    Variable("TRUSTED_PROXIES", Level.OPTIONAL, "proxies whose X-Forwarded-For counts (CIDRs)", validate=_cidrs),
    Variable(
        "RATE_LIMIT_STORE_TIMEOUT_MS",
        Level.OPTIONAL,
        "wait for NATS per check before limiting locally (250)",
        validate=_positive,
    ),
)


@dataclass(frozen=True, slots=True)
class Finding:
    variable: Variable
    state: State
    detail: str

    @property
    def blocking(self) -> bool:
        """A required variable that is missing or invalid."""
        return self.variable.level is Level.REQUIRED and self.state in (State.MISSING, State.INVALID)


def inspect(environ: Mapping[str, str]) -> list[Finding]:
    """Judge every known variable in ``environ`` without revealing any value."""
    findings = []
    production = (environ.get("NODE_ENV") or "").strip() == "production"
    for variable in VARIABLES:
        value = (environ.get(variable.name) or "").strip()
        if not value:
            stand_in = variable.alternative and (environ.get(variable.alternative) or "").strip()
            if stand_in:
                findings.append(Finding(variable, State.SET, f"covered by {variable.alternative}"))
            elif not production and variable.name in MAKE_RUN_PROVIDES:
                findings.append(Finding(variable, State.PROVIDED, f"by make run ({MAKE_RUN_PROVIDES[variable.name]})"))
            else:
                findings.append(Finding(variable, State.MISSING, variable.purpose))
            continue
        problem = variable.validate(value) if variable.validate else None
        if problem:
            findings.append(Finding(variable, State.INVALID, problem))
        elif variable.name == "NODE_ENV" and value != "production":
            findings.append(Finding(variable, State.SET, f"{value} (production checks relaxed)"))
        else:
            # A URL may carry credentials (nats://user:pass@host), so those stay hidden too.
            shown = "hidden" if variable.secret or "@" in value else value
            findings.append(Finding(variable, State.SET, shown))
    return findings


def render(findings: list[Finding]) -> str:
    width = max(len(f.variable.name) for f in findings)
    state_width = max(len(state.value) for state in State)
    lines = []
    for level in Level:
        group = [f for f in findings if f.variable.level is level]
        if not group:
            continue
        lines.append(f"{level.value}:")
        lines.extend(f"  {f.variable.name:<{width}}  {f.state.value:<{state_width}}  {f.detail}" for f in group)
    return "\n".join(lines)


def check_env(environ: Mapping[str, str]) -> tuple[str, int]:
    """Return the report and the exit status: 1 when production lacks a required variable."""
    findings = inspect(environ)
    report = render(findings)
    production = (environ.get("NODE_ENV") or "").strip() == "production"
    blocking = [f.variable.name for f in findings if f.blocking]
    if production and blocking:
        return f"{report}\n\nproduction is missing required configuration: {', '.join(blocking)}", 1
    if blocking:
        return f"{report}\n\nnot production: {len(blocking)} required variable(s) would block a production start", 0
    return report, 0
