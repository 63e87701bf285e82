"""What every service process runs: database, bus, outbox relay, consumers, probes.

A service's composition root (its ``app.py``) builds a :class:`ServiceRuntime` from its
settings, tables, request/reply router and event consumers, and ties ``start`` and
``stop`` to its ASGI lifespan. ``stop`` is the graceful shutdown SIGTERM leads to.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import uuid
from dataclasses import dataclass, field
from typing import Protocol

from faststream.nats import NatsBroker
from nats.aio.client import Client
from sqlalchemy import Table

from assetforge.common.bus.broker import ConnectionEvents, make_broker
from assetforge.common.bus.consumer import EventConsumer, register_consumer
from assetforge.common.bus.deployment import DeploymentError, deployment_table, verify_deployment
from assetforge.common.bus.outbox import OutboxRelay
from assetforge.common.bus.request import BusClient
from assetforge.common.bus.rpc import RpcRouter, RpcServer
from assetforge.common.bus.streams import ensure_streams
from assetforge.common.contracts.common import Ping, Pong, ping_subject
from assetforge.common.db.database import Database
from assetforge.common.health import HealthChecks
from assetforge.common.observability.metrics import make_bus_metrics, make_registry
from assetforge.common.settings import DatabaseSettings, NatsSettings, RuntimeSettings

log = logging.getLogger(__name__)


class Lifecycle(Protocol):
    """A part of a service that needs the running bus (a blob store on the NATS
    connection, a periodic task): started once NATS is connected and the streams exist,
    before any request or event is taken; stopped once requests and consumers are done,
    before the outbox's last flush and the connection's drain."""

    async def start(self, runtime: ServiceRuntime) -> None: ...

    async def stop(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ServiceParts:
    """The pieces a service contributes to its runtime."""

    outbox: Table
    inbox: Table
    rpc: RpcRouter = field(default_factory=RpcRouter)
    consumers: list[EventConsumer] = field(default_factory=list)
    # Whether to answer ``<service>.v1.health.ping`` (the gateway's readiness asks).
    answers_ping: bool = True
    # Started in this order, stopped in the reverse one.
    lifecycle: list[Lifecycle] = field(default_factory=list)


class ServiceRuntime:
    def __init__(
        self,
        runtime: RuntimeSettings,
        database: DatabaseSettings,
        nats: NatsSettings,
        parts: ServiceParts,
    ) -> None:
        self.name = runtime.service
        self.instance = f"{socket.gethostname()}-{id(self):x}"
        self.settings = runtime
        self.nats_settings = nats
        self.parts = parts
        self.registry = make_registry()
        self.metrics = make_bus_metrics(self.registry)
        self.database = Database(database, application_name=self.name)
        # Resolved now, so a service whose models lack it fails when it is built, not later.
        self._deployment = deployment_table(parts.outbox)
        self.deployment_id: uuid.UUID | None = None
        self._connection_events = ConnectionEvents()
        self.broker: NatsBroker = make_broker(nats, self.name, self._connection_events)
        for consumer in parts.consumers:
            register_consumer(self.broker, consumer, self.database, parts.inbox, self.metrics)
        if parts.answers_ping:
            parts.rpc.add(ping_subject(self.name), Ping, Pong, self._pong, "Readiness ping")
        self.health = HealthChecks()
        self.health.add("database", self.database.ping)
        self.health.add("nats", self._nats_connected)
        self._relay: OutboxRelay | None = None
        self._rpc_server: RpcServer | None = None
        self._bus: BusClient | None = None
        self.draining = False

    @property
    def client(self) -> Client:
        return self.broker.connection

    @property
    def bus(self) -> BusClient:
        if self._bus is None:
            raise RuntimeError("the runtime has not started")
        return self._bus

    async def start(self) -> None:
        client = await self.broker.connect()
        js = client.jetstream()
        # Before anything is relayed or declared: this schema's outbox must only ever
        # reach the NATS of the deployment the schema belongs to (bus/deployment.py).
        try:
            self.deployment_id = await verify_deployment(
                self.name, self.database.engine, self._deployment, js, self.nats_settings
            )
        except DeploymentError as error:
            log.error("%s refuses to start: %s", self.name, error)  # noqa: TRY400 - the message is the point
            await self._abandon_start(client)
            raise
        await ensure_streams(js, self.nats_settings.stream_replicas)
        started: list[Lifecycle] = []
        try:
            for part in self.parts.lifecycle:
                await part.start(self)
                started.append(part)
        except BaseException:
            await self._stop_parts(started)
            await self._abandon_start(client)
            raise
        self._relay = OutboxRelay(self.database.engine, self.parts.outbox, js, self.metrics)
        self.database.on_commit(self._relay.after_commit)
        self._relay.start()
        self._bus = BusClient(client, self.metrics, default_timeout=self.nats_settings.request_timeout_s)
        self._rpc_server = RpcServer(client, self.parts.rpc, queue=self.name, metrics=self.metrics)
        await self._rpc_server.start()
        await self.broker.start()
        log.info(
            "%s started (%d bus endpoints, %d consumers)",
            self.name,
            len(self.parts.rpc.endpoints),
            len(self.parts.consumers),
        )

    async def stop(self) -> None:
        """Stop taking work, finish what is in flight, flush the outbox, close pools."""
        self.draining = True
        if self._rpc_server is not None:
            await self._rpc_server.drain()
        for subscriber in self.broker.subscribers:
            try:
                await subscriber.stop()
            except Exception as exc:  # noqa: BLE001 - keep shutting the rest down
                log.warning("stopping a subscriber failed: %s", exc)
        await self._stop_parts(self.parts.lifecycle)
        if self._relay is not None:
            await self._relay.stop()
        self._connection_events.closing = True
        try:
            await asyncio.wait_for(self.broker.stop(), timeout=10)
        except Exception as exc:  # noqa: BLE001 - draining fails while reconnecting; close instead
            log.warning("draining the NATS connection failed (%s); closing it", exc)
            with contextlib.suppress(Exception):
                await self.client.close()
        await self.database.dispose()
        log.info("%s stopped", self.name)

    async def _abandon_start(self, client: Client) -> None:
        """A failed start gets no stop(): let go of what start took."""
        self._connection_events.closing = True
        with contextlib.suppress(Exception):
            await client.close()
        await self.database.dispose()

    @staticmethod
    async def _stop_parts(parts: list[Lifecycle]) -> None:
        for part in reversed(parts):
            try:
                await part.stop()
            except Exception as exc:  # noqa: BLE001 - keep shutting the rest down
                log.warning("stopping %s failed: %s", type(part).__name__, exc)

    async def readiness(self) -> tuple[bool, dict[str, bool]]:
        """Whether this process should get work: every check passes and it is not draining.

        The checks' answers are shared and reused briefly (:class:`HealthChecks`); the
        draining flag is read here, outside that cache, so SIGTERM turns this false at once.
        """
        ok, checks = await self.health.ready()
        return ok and not self.draining, checks

    async def _nats_connected(self) -> bool:
        try:
            return self.client.is_connected
        except Exception:  # noqa: BLE001 - not connected yet
            return False

    async def _pong(self, _: Ping, __: object) -> Pong:
        ready, _checks = await self.readiness()
        return Pong(service=self.name, instance=self.instance, ready=ready)
