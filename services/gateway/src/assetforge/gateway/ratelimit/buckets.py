"""Which requests count against which limit, and who the client is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from assetforge.gateway.client_address import Network, RawHeaders, TrustedProxies, client_ip
from assetforge.gateway.ratelimit.windows import SlidingWindow

DEFAULT = "default"
GENERATION = "generation"
AUDIO = "audio"
# Failed authentications, per client address: credential guessing has a limit of its own.
AUTH_FAILURES = "auth"

_UNLIMITED_PREFIXES = ("/api/health", "/swagger", "/health/")
_UNLIMITED_PATHS = frozenset({"/metrics", "/docs/asyncapi"})
_AUDIO_PREFIXES = ("/api/audio/", "/api/voice/", "/api/sfx/", "/api/music/")


@dataclass(frozen=True, slots=True)
class Bucket:
    name: str
    limit: int
    window: SlidingWindow


def bucket_for(method: str, path: str) -> str | None:
    """The bucket a request counts against, or None for routes that are never limited."""
    if path in _UNLIMITED_PATHS or path.startswith(_UNLIMITED_PREFIXES):
        return None
    if method == "OPTIONS":
        # CORS preflights carry no credentials and do no work; counting them would halve
        # a browser's allowance, keyed by IP instead of by user.
        return None
    if method == "POST":
        if path.startswith("/api/generation/"):
            return GENERATION
        if path.startswith(_AUDIO_PREFIXES):
            return AUDIO
    return DEFAULT


@lru_cache(maxsize=8)
def _trusted(networks: tuple[Network, ...]) -> TrustedProxies:
    return TrustedProxies(networks)


def client_key(
    scope_client: tuple[str, int] | None,
    headers: Mapping[str, str] | RawHeaders,
    principal_id: str | None,
    trusted_proxies: TrustedProxies | tuple[Network, ...],
) -> str:
    """``user:<id>`` for an authenticated request, else ``ip:<address>``.

    ``trusted_proxies`` is ``RateLimitSettings.trusted_proxies`` or a :class:`TrustedProxies`
    made from it; either way the peer-membership cache is built once, not per request.
    """
    if principal_id:
        return "user:" + principal_id
    trusted = trusted_proxies if isinstance(trusted_proxies, TrustedProxies) else _trusted(trusted_proxies)
    # No peer (a Unix socket without a proxy header): all such requests share one key.
    return "ip:" + (client_ip(scope_client, headers, trusted) or "unknown")
