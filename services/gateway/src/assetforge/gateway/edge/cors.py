"""Cross-origin rules: only the configured origins get CORS headers (echoed, with
``Vary: Origin``) and credentials; a state-changing request from any other origin is
refused (CSRF defence) unless it authenticates with an API key, which a browser never
sends on its own."""

from __future__ import annotations

from collections.abc import Sequence

from assetforge.gateway.settings import CorsSettings

Header = tuple[bytes, bytes]

ALLOWED_METHODS = b"GET, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOWED_HEADERS = b"Authorization, Content-Type, X-Request-Id, Idempotency-Key, Last-Event-ID"
EXPOSED_HEADERS = b"X-Request-Id, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After"
PREFLIGHT_MAX_AGE = b"600"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
VARY = (b"vary", b"Origin")


class CorsPolicy:
    def __init__(self, settings: CorsSettings) -> None:
        self._settings = settings

    def allows(self, origin: str) -> bool:
        return self._settings.allows(origin)

    def response_headers(self, origin: str) -> Sequence[Header]:
        return (
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-allow-credentials", b"true"),
            (b"access-control-expose-headers", EXPOSED_HEADERS),
            VARY,
        )

    def preflight_headers(self, origin: str) -> Sequence[Header]:
        return (
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-allow-credentials", b"true"),
            (b"access-control-allow-methods", ALLOWED_METHODS),
            (b"access-control-allow-headers", ALLOWED_HEADERS),
            (b"access-control-max-age", PREFLIGHT_MAX_AGE),
            VARY,
        )
