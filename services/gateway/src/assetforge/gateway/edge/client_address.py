"""The address of the client behind a request, trusting ``X-Forwarded-For`` only from
proxies we run.

Anyone can send ``X-Forwarded-For``. It is read only when the socket peer is inside
``TRUSTED_PROXIES``, and then from the right: each trusted proxy appends the address it
saw, so the right-most entry that is not itself a trusted proxy is the first address
no proxy of ours can vouch past. Entries further left were written by the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from functools import lru_cache

from assetforge.gateway.settings import Network

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
RawHeaders = Iterable[tuple[bytes, bytes]]

FORWARDED_FOR = "x-forwarded-for"
_FORWARDED_FOR_RAW = FORWARDED_FOR.encode()
# Distinct socket peers seen behind a load balancer are few: its own addresses.
_PEER_CACHE_SIZE = 1024


def parse_address(text: str) -> Address | None:
    """An IP address as proxies write it: bare, ``[v6]``, ``[v6]:port`` or ``v4:port``."""
    text = text.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else text[1:]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d; they are IPv4 clients.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class TrustedProxies:
    """The ``TRUSTED_PROXIES`` networks, with membership of socket peers cached."""

    def __init__(self, networks: Iterable[Network]) -> None:
        self.networks = tuple(networks)
        self.peer_is_trusted = lru_cache(maxsize=_PEER_CACHE_SIZE)(self._peer_is_trusted)

    def __bool__(self) -> bool:
        return bool(self.networks)

    def contains(self, address: Address) -> bool:
        return any(address in network for network in self.networks)

    def _peer_is_trusted(self, peer: str) -> bool:
        address = parse_address(peer)
        return address is not None and self.contains(address)


def forwarded_for(headers: Mapping[str, str] | RawHeaders) -> list[str]:
    """Every ``X-Forwarded-For`` entry, left to right, across repeated headers."""
    if isinstance(headers, Mapping):
        values = [headers.get(FORWARDED_FOR) or headers.get("X-Forwarded-For") or ""]
    else:
        values = [value.decode("latin-1") for name, value in headers if name.lower() == _FORWARDED_FOR_RAW]
    return [entry for value in values for entry in value.split(",") if entry.strip()]


def client_ip(
    peer: tuple[str, int] | None, headers: Mapping[str, str] | RawHeaders, trusted: TrustedProxies
) -> str | None:
    """The client's address, or None when the server reported no peer (e.g. a Unix socket)."""
    if peer is None:
        return None
    host = peer[0]
    if not trusted or not trusted.peer_is_trusted(host):
        # The common case costs no parsing: the peer is the client.
        return host
    found: Address | None = None
    for entry in reversed(forwarded_for(headers)):
        address = parse_address(entry)
        if address is None:
            # A trusted proxy would not write garbage: stop at the last address we can vouch for.
            break
        found = address
        if not trusted.contains(address):
            return str(address)
    # Every entry was a trusted proxy (or there were none usable): the furthest one we trust.
    return str(found) if found is not None else host


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
