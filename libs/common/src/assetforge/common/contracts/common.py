"""Messages every service understands."""

from __future__ import annotations

import msgspec

SERVICES = ("assets", "generation", "media")


def ping_subject(service: str) -> str:
    """The request/reply subject a service answers to prove it can serve."""
    return f"{service}.v1.health.ping"


class Ping(msgspec.Struct, frozen=True):
    pass


class Pong(msgspec.Struct, frozen=True):
    service: str
    instance: str
    ready: bool
