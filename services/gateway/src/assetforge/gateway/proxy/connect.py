"""Resolution and connection for the image proxy: a host is resolved once, and the
connection goes to the addresses that were checked, never to a second resolution.

httpcore keeps the URL's host name (the Host header, TLS SNI and the certificate check are
for it), while :class:`PinnedBackend`, its network backend, connects only to the addresses
pinned for that host by the request in flight. httpcore connects in the task that sends
the request, so a pin (a context variable) is that request's own; a pooled connection
was itself made to a checked address.
"""

from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpcore

from assetforge.gateway.proxy.addresses import IPAddress

# Every address of a host (A and AAAA) for a port; NoSuchHost when it has none.
Resolver = Callable[[str, int], Awaitable[Sequence[IPAddress]]]

_NO_SUCH_HOST = frozenset({socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)})


class NoSuchHost(Exception):
    """The host name has no address."""


def _dns_name(host: str) -> bool:
    labels = host.removesuffix(".").split(".")
    return len(host) <= 253 and all(0 < len(label) <= 63 for label in labels)


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address of ``host``, through the event loop's resolver (the OS's, as a browser's)."""
    if not _dns_name(host):  # DNS cannot hold it (browsers accept it; no resolver finds it)
        raise NoSuchHost(host)
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        if error.errno in _NO_SUCH_HOST:
            raise NoSuchHost(host) from None
        raise
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in found))


@dataclass(frozen=True, slots=True)
class _Pin:
    host: str
    port: int
    addresses: tuple[IPAddress, ...]


# The addresses checked for the host the current request is sent to.
_PIN: contextvars.ContextVar[_Pin | None] = contextvars.ContextVar("image_proxy_pin", default=None)


@contextmanager
def pinned(host: str, port: int, addresses: tuple[IPAddress, ...]) -> Iterator[None]:
    """Within this block, connections to ``host:port`` go to ``addresses`` and nowhere else."""
    token = _PIN.set(_Pin(host, port, addresses))
    try:
        yield
    finally:
        _PIN.reset(token)


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects to the pinned addresses of a host, in order, through ``connector``; never
    to an address nobody checked (no pin: no connection). Unix sockets are left to the base
    class, which refuses them."""

    def __init__(self, connector: httpcore.AsyncNetworkBackend) -> None:
        self._connector = connector

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        pin = _PIN.get()
        if pin is None or (pin.host, pin.port) != (host, port):
            raise httpcore.ConnectError(f"no checked address for {host}:{port}")
        failure: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in pin.addresses:
            try:
                return await self._connector.connect_tcp(
                    str(address), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        raise failure

    async def sleep(self, seconds: float) -> None:
        await self._connector.sleep(seconds)
