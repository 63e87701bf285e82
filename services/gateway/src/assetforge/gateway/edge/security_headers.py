"""Headers every response carries (Litestar ships no such middleware)."""

from __future__ import annotations

Header = tuple[bytes, bytes]

ALWAYS: tuple[Header, ...] = (
    (b"cross-origin-opener-policy", b"same-origin-allow-popups"),
    (b"cross-origin-embedder-policy", b"credentialless"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"permissions-policy", b"geolocation=(), microphone=(), camera=(), payment=()"),
)
HSTS: Header = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
NO_STORE: Header = (b"cache-control", b"no-store")


def security_headers(*, production: bool) -> tuple[Header, ...]:
    return (*ALWAYS, HSTS) if production else ALWAYS
