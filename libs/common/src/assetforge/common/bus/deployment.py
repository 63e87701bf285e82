"""Which deployment a service's schema belongs to, so one outbox never feeds two NATS.

A deployment is one NATS (cluster) and the database its services write. Its identity
lives in NATS: the KV bucket ``assetforge_deployment`` holds one UUID under ``id``,
created with create-only semantics by whichever service reaches that NATS first, so
concurrent first starts agree. Each service schema records in its one-row
``deployment`` table the id of the NATS it was first started against.

At start-up, before its outbox relay runs, a service compares the two and refuses to
start when they differ. Either a second deployment shares this database (its relay
would publish this deployment's events to its own NATS, where no consumer of this
deployment sees them), or NATS lost its data. Only an operator can tell those apart,
so a new NATS never adopts the database's id by itself: ``python -m
assetforge.<service> rebind`` is the operator saying it was the second.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

import nats
import nats.errors
from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BadRequestError, BucketNotFoundError, KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue
from sqlalchemy import Boolean, CheckConstraint, Column, DateTime, MetaData, Table, func, select, text
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from assetforge.common.settings import NatsSettings

log = logging.getLogger(__name__)

BUCKET = "assetforge_deployment"
KEY = "id"
TABLE = "deployment"
_UNDEFINED_TABLE = "42P01"


class DeploymentError(Exception):
    """A service cannot tell whether its schema belongs to the NATS it is connected to."""


class DeploymentMismatch(DeploymentError):
    """The service's schema belongs to another deployment than the NATS it is connected to."""


def make_deployment_table(metadata: MetaData) -> Table:
    return Table(
        TABLE,
        metadata,
        # Always true: the key admits exactly one row, which concurrent first starts
        # insert-if-absent, so they cannot bind one schema to two ids.
        Column("singleton", Boolean, primary_key=True, server_default=text("true")),
        Column("deployment_id", UUID(as_uuid=True), nullable=False),
        Column("bound_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        CheckConstraint("singleton", name="singleton"),
    )


def deployment_table(outbox: Table) -> Table:
    """The deployment table beside ``outbox`` in its service's metadata: it guards that
    outbox, so a service's models must declare both."""
    name = f"{outbox.schema}.{TABLE}" if outbox.schema else TABLE
    table = outbox.metadata.tables.get(name)
    if table is None:
        raise RuntimeError(f"{name} is not declared: add make_deployment_table(Base.metadata) to the models")
    return table


@dataclass(frozen=True, slots=True)
class Binding:
    deployment_id: uuid.UUID
    bound_at: datetime


async def nats_deployment_id(js: JetStreamContext, replicas: int = 1) -> uuid.UUID:
    """The id of the deployment this NATS belongs to, created by the first caller."""
    kv = await _bucket(js, replicas)
    try:
        entry = await kv.get(KEY)
    except KeyNotFoundError:
        # KeyWrongLastSequence: another process created it a moment ago; its id is the one.
        with contextlib.suppress(KeyWrongLastSequenceError):
            await kv.create(KEY, str(uuid.uuid4()).encode())
        entry = await kv.get(KEY)
    if entry.value is None:
        raise RuntimeError(f"the KV entry {BUCKET}/{KEY} has no value")
    return uuid.UUID(entry.value.decode())


async def _bucket(js: JetStreamContext, replicas: int) -> KeyValue:
    try:
        return await js.key_value(BUCKET)
    except BucketNotFoundError:
        pass
    config = KeyValueConfig(
        bucket=BUCKET,
        description="Asset-Forge deployment identity",
        history=1,
        storage=StorageType.FILE,
        replicas=replicas,
    )
    try:
        return await js.create_key_value(config)
    except BadRequestError:
        # Created meanwhile by another service with other settings (replicas): use it.
        return await js.key_value(BUCKET)


async def read_binding(connection: AsyncConnection, table: Table, *, lock: bool = False) -> Binding | None:
    query = select(table.c.deployment_id, table.c.bound_at)
    row = (await connection.execute(query.with_for_update() if lock else query)).first()
    return None if row is None else Binding(row.deployment_id, row.bound_at)


def _refuse_unmigrated(error: ProgrammingError, table: Table, service: str) -> None:
    """Say what to do when the schema predates the deployment table."""
    if getattr(error.orig, "sqlstate", None) == _UNDEFINED_TABLE:
        raise DeploymentError(
            f"{table.schema}.{TABLE} does not exist: apply the migrations first "
            f"(python -m assetforge.{service} migrate)"
        ) from error


async def bind(engine: AsyncEngine, table: Table, deployment_id: uuid.UUID) -> tuple[Binding, bool]:
    """Bind the schema to ``deployment_id`` unless it is bound already.

    Returns the binding in force and whether this call made it."""
    async with engine.begin() as connection:
        existing = await read_binding(connection, table)
        if existing is not None:
            return existing, False
        # A concurrent first start may insert first; this then waits for it and does nothing.
        made = await connection.execute(
            insert(table).values(deployment_id=deployment_id).on_conflict_do_nothing().returning(table.c.bound_at)
        )
        bound_at = made.scalar_one_or_none()
        if bound_at is not None:
            return Binding(deployment_id, bound_at), True
        winner = await read_binding(connection, table)
    if winner is None:
        raise RuntimeError(f"{table.schema}.{TABLE} lost its row during binding")
    return winner, False


def shown_url(url: str) -> str:
    """NATS URLs as messages may show them: without user names or passwords."""
    shown = []
    for part in url.split(","):
        pieces = urlsplit(part.strip())
        shown.append(urlunsplit(pieces._replace(netloc=pieces.netloc.rpartition("@")[2])))
    return ",".join(shown)


def mismatch_message(service: str, table: Table, bound: Binding, nats_url: str, actual: uuid.UUID) -> str:
    return (
        f"database schema {table.schema} belongs to deployment {bound.deployment_id} "
        f"(bound {bound.bound_at:%Y-%m-%d %H:%M:%S %Z}) but the NATS at {shown_url(nats_url)} is deployment "
        f"{actual}: two deployments share this database, or NATS lost its data; if NATS was rebuilt on "
        f"purpose, run `python -m assetforge.{service} rebind`"
    )


async def verify_deployment(
    service: str, engine: AsyncEngine, table: Table, js: JetStreamContext, settings: NatsSettings
) -> uuid.UUID:
    """Bind the schema on first start; refuse with :class:`DeploymentMismatch` when it
    belongs to another deployment than the connected NATS. Returns the deployment id."""
    actual = await nats_deployment_id(js, settings.stream_replicas)
    try:
        bound, made = await bind(engine, table, actual)
    except ProgrammingError as error:
        _refuse_unmigrated(error, table, service)
        raise
    if bound.deployment_id != actual:
        raise DeploymentMismatch(mismatch_message(service, table, bound, settings.url, actual))
    if made:
        log.info("database schema %s bound to deployment %s", table.schema, actual)
    return actual


@dataclass(frozen=True, slots=True)
class Rebound:
    schema: str
    nats_url: str
    previous: Binding | None
    deployment_id: uuid.UUID
    pending: int  # outbox rows that will now be published to this NATS

    def describe(self) -> str:
        target = f"deployment {self.deployment_id}, the NATS at {shown_url(self.nats_url)}"
        if self.previous is not None and self.previous.deployment_id == self.deployment_id:
            return f"database schema {self.schema} is already bound to {target}; nothing changed"
        before = (
            "was not bound to a deployment"
            if self.previous is None
            else f"was bound to deployment {self.previous.deployment_id} "
            f"(since {self.previous.bound_at:%Y-%m-%d %H:%M:%S %Z})"
        )
        waiting = f"{self.pending} event{'' if self.pending == 1 else 's'} waiting in {self.schema}.outbox"
        return f"database schema {self.schema} {before}; now bound to {target}. {waiting} will be published there."


async def rebind(engine: AsyncEngine, outbox: Table, settings: NatsSettings, service: str) -> Rebound:
    """Bind the schema of ``outbox`` to the NATS of ``settings``, whatever it was bound to."""
    table = deployment_table(outbox)
    failures: list[Exception] = []

    async def remember(error: Exception) -> None:
        failures.append(error)  # reported once below, not as a traceback per attempt

    try:
        client = await nats.connect(
            servers=[url.strip() for url in settings.url.split(",")],
            name=f"{service}-rebind",
            connect_timeout=5,
            allow_reconnect=False,
            # A one-off command: try each server twice, not for the two minutes a service would.
            max_reconnect_attempts=1,
            reconnect_time_wait=1,
            error_cb=remember,
        )
    except (nats.errors.Error, OSError, TimeoutError) as error:
        reason = failures[-1] if failures else error
        raise DeploymentError(f"cannot reach the NATS at {shown_url(settings.url)}: {reason}") from error
    try:
        actual = await nats_deployment_id(client.jetstream(), settings.stream_replicas)
    finally:
        await client.close()
    try:
        async with engine.begin() as connection:
            # Locked, so a service starting meanwhile checks against one binding or the other.
            previous = await read_binding(connection, table, lock=True)
            if previous is None or previous.deployment_id != actual:
                upsert = insert(table).values(deployment_id=actual)
                await connection.execute(
                    upsert.on_conflict_do_update(
                        index_elements=[table.c.singleton], set_={"deployment_id": actual, "bound_at": func.now()}
                    )
                )
            pending = (await connection.execute(select(func.count()).select_from(outbox))).scalar_one()
    except ProgrammingError as error:
        _refuse_unmigrated(error, table, service)
        raise
    return Rebound(str(outbox.schema), settings.url, previous, actual, int(pending))
