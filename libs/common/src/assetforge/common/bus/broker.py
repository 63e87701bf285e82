"""The FastStream broker every service uses for JetStream consumers and publishers."""

from __future__ import annotations

import logging

from fast_depends.msgspec import MsgSpecSerializer
from faststream.nats import NatsBroker
from faststream.nats.opentelemetry import NatsTelemetryMiddleware

from assetforge.common.settings import NatsSettings

log = logging.getLogger(__name__)


class ConnectionEvents:
    """Logs what happens to the connection; quiet once the service itself is closing it."""

    def __init__(self) -> None:
        self.closing = False

    async def disconnected(self) -> None:
        if not self.closing:
            log.warning("disconnected from NATS; reconnecting")

    async def reconnected(self) -> None:
        log.info("reconnected to NATS")

    async def error(self, error: Exception) -> None:
        if not self.closing:
            log.warning("NATS connection error: %s", error)


def make_broker(settings: NatsSettings, service: str, events: ConnectionEvents) -> NatsBroker:
    """A broker that reconnects without limit and reports to Prometheus and OpenTelemetry."""
    bus_log = logging.getLogger(f"assetforge.{service}.bus")
    # FastStream narrates every consumer start and message at INFO; keep its warnings only.
    bus_log.setLevel(logging.WARNING)
    return NatsBroker(
        [url.strip() for url in settings.url.split(",")],
        name=service,
        serializer=MsgSpecSerializer(),
        allow_reconnect=True,
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        connect_timeout=5,
        ping_interval=10,
        max_outstanding_pings=2,
        disconnected_cb=events.disconnected,
        reconnected_cb=events.reconnected,
        error_cb=events.error,
        graceful_timeout=15.0,
        # No FastStream Prometheus middleware: it labels by concrete subject, one series per
        # aggregate id (evt.assets.asset.<id>.created). The consumers count by consumer name.
        middlewares=[NatsTelemetryMiddleware()],
        logger=bus_log,
        log_level=logging.DEBUG,
        description=f"Asset-Forge {service} service",
    )
