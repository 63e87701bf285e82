"""Who the client is: the signed-in user, else the address, with ``X-Forwarded-For``
trusted only from the proxies in TRUSTED_PROXIES."""

from __future__ import annotations

import ipaddress

from assetforge.gateway.edge.client_address import TrustedProxies, client_key
from assetforge.gateway.settings import parse_networks

PROXIES = TrustedProxies(parse_networks("10.0.0.0/8, fd00::/8")[0])


def raw(**headers: str) -> list[tuple[bytes, bytes]]:
    return [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()]


def test_the_authenticated_user_is_the_key_whatever_the_address() -> None:
    key = client_key(("10.0.0.5", 1234), raw(x_forwarded_for="203.0.113.9"), "did:privy:abc", PROXIES)
    assert key == "user:did:privy:abc"


def test_a_trusted_proxy_forwards_the_client_address() -> None:
    key = client_key(("10.0.0.5", 1234), raw(x_forwarded_for="203.0.113.9, 10.1.2.3"), None, PROXIES)
    assert key == "ip:203.0.113.9"


def test_entries_a_client_wrote_before_the_proxy_are_ignored() -> None:
    # The client sent "X-Forwarded-For: 6.6.6.6"; our proxy appended the address it saw.
    key = client_key(("10.0.0.5", 1234), raw(x_forwarded_for="6.6.6.6, 203.0.113.9"), None, PROXIES)
    assert key == "ip:203.0.113.9"


def test_forwarded_for_from_an_untrusted_peer_is_ignored() -> None:
    for headers in (raw(x_forwarded_for="6.6.6.6"), {"x-forwarded-for": "6.6.6.6"}):
        assert client_key(("198.51.100.4", 5555), headers, None, PROXIES) == "ip:198.51.100.4"
    # Without TRUSTED_PROXIES nobody is trusted.
    assert client_key(("10.0.0.5", 1), raw(x_forwarded_for="6.6.6.6"), None, ()) == "ip:10.0.0.5"


def test_spoofed_forwarded_for_cannot_spread_a_client_over_many_keys() -> None:
    keys = {client_key(("198.51.100.4", 1), raw(x_forwarded_for=f"192.0.2.{n}"), None, PROXIES) for n in range(20)}
    assert keys == {"ip:198.51.100.4"}


def test_ipv6_peers_proxies_and_clients() -> None:
    assert client_key(("2001:db8::7", 1), [], None, PROXIES) == "ip:2001:db8::7"
    via_proxy = raw(x_forwarded_for="[2001:db8::42]:51000, fd00::1")
    assert client_key(("fd00::2", 1), via_proxy, None, PROXIES) == "ip:2001:db8::42"
    assert client_key(("::ffff:10.0.0.5", 1), raw(x_forwarded_for="203.0.113.9"), None, PROXIES) == "ip:203.0.113.9"


def test_repeated_headers_ports_and_garbage() -> None:
    repeated = [(b"x-forwarded-for", b"6.6.6.6"), (b"x-forwarded-for", b"203.0.113.9:4711")]
    assert client_key(("10.0.0.5", 1), repeated, None, PROXIES) == "ip:203.0.113.9"
    # Only trusted proxies in the chain: the furthest one.
    assert client_key(("10.0.0.5", 1), raw(x_forwarded_for="10.9.9.9, 10.1.1.1"), None, PROXIES) == "ip:10.9.9.9"
    # Garbage where the client address should be: no further than what we can vouch for.
    assert client_key(("10.0.0.5", 1), raw(x_forwarded_for="nonsense"), None, PROXIES) == "ip:10.0.0.5"
    assert client_key(None, [], None, PROXIES) == "ip:unknown"


def test_settings_networks_work_as_trusted_proxies() -> None:
    networks = (ipaddress.ip_network("10.0.0.0/8"),)
    assert client_key(("10.0.0.5", 1), raw(x_forwarded_for="203.0.113.9"), None, networks) == "ip:203.0.113.9"
