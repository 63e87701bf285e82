"""World configs: who sees which, how a change is counted (a new version, a history row,
an event), and the one-active-config-per-owner rule."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.assets.models import outbox
from assetforge.assets.repository.worlds import ConfigFilter, NewHistory, WorldConfigRepository
from assetforge.assets.service import world_documents as documents
from assetforge.common.bus.context import Principal
from assetforge.common.bus.outbox import add_event
from assetforge.common.contracts import worlds as contract
from assetforge.common.db.repository import Executor
from assetforge.common.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from assetforge.common.ids import uuid7

_COLUMN_NAMES = {column: member for member, column in documents.CONTENT.items()}


def signed_in(viewer: Principal | None) -> Principal:
    if viewer is None:
        raise Unauthorized("world configs need a signed-in user")
    return viewer


def parse_id(value: str, field: str = "id") -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise ValidationFailed.of(field, "must be a UUID") from error


def refuse_errors(found: documents.Findings, prefix: str | None = None) -> None:
    """A document with errors is a 422 naming every problem."""
    if found.errors:
        fields = documents.prefixed(found.errors, prefix) if prefix else found.errors
        raise ValidationFailed("invalid " + ", ".join(f.field for f in fields), fields)


async def visible(db: Executor, config_id: str, viewer: Principal, *, for_update: bool = False) -> contract.WorldConfig:
    """The config, if the viewer may see it; a stranger's answers exactly like a missing one."""
    config = await WorldConfigRepository(db).get(
        parse_id(config_id), viewer.user_id, admin=viewer.is_admin, for_update=for_update
    )
    if config is None:
        raise NotFound("world config not found")
    return config


async def record(
    session: AsyncSession, config: contract.WorldConfig, change: str, fields: list[str], by: Principal
) -> None:
    """The history row of the version ``config`` now has, and the event announcing it."""
    snapshot = msgspec.to_builtins(config)
    entry = NewHistory(config, change, by.user_id, fields, snapshot)
    await WorldConfigRepository(session).add_history(entry, uuid7())
    event_kind = change if change in {"updated", "activated", "deactivated"} else "created"
    event = contract.WorldConfigChanged(
        config_id=config.id,
        owner_id=config.owner_id,
        version=config.version,
        is_active=config.is_active,
        change=event_kind,
        changed_at=config.updated_at,
    )
    await add_event(session, outbox, contract.world_config_event_subject(config.id, event_kind), event)


async def insert(session: AsyncSession, doc: dict[str, Any], change: str, by: Principal) -> contract.WorldConfigReply:
    """A new config of ``by`` from a checked document: version 1 and its history row."""
    filled = documents.with_ids(doc)
    config = await WorldConfigRepository(session).insert(uuid7(), by.user_id, documents.columns_of(filled))
    await record(session, config, change, list(documents.CONTENT), by)
    return contract.WorldConfigReply(config=config)


async def list_page(
    db: Executor, query: contract.ListWorldConfigs, viewer: Principal | None
) -> tuple[list[contract.WorldConfig], str | None]:
    """A page of the configs the viewer may see, and the cursor of the next (None on the last)."""
    viewer = signed_in(viewer)
    where = ConfigFilter(
        viewer_id=viewer.user_id,
        admin=viewer.is_admin,
        owner_id=query.owner_id,
        include_templates=query.include_templates,
        templates_only=query.templates_only,
    )
    after = parse_id(query.cursor, "cursor") if query.cursor else None
    configs = await WorldConfigRepository(db).list_page(where, after, query.limit + 1)
    more = len(configs) > query.limit
    configs = configs[: query.limit]
    return configs, configs[-1].id if more else None


async def list_configs(
    db: Executor, query: contract.ListWorldConfigs, viewer: Principal | None
) -> contract.WorldConfigList:
    configs, cursor = await list_page(db, query, viewer)
    return contract.WorldConfigList(configs=configs, count=len(configs), next_cursor=cursor)


async def get_config(db: Executor, ref: contract.WorldConfigRef, viewer: Principal | None) -> contract.WorldConfigReply:
    return contract.WorldConfigReply(config=await visible(db, ref.id, signed_in(viewer)))


async def active_config(db: Executor, viewer: Principal | None) -> contract.ActiveWorldConfigReply:
    return contract.ActiveWorldConfigReply(config=await WorldConfigRepository(db).active(signed_in(viewer).user_id))


async def create_config(
    session: AsyncSession, command: contract.CreateWorldConfig, viewer: Principal | None
) -> contract.WorldConfigReply:
    viewer = signed_in(viewer)
    doc = msgspec.to_builtins(command)
    refuse_errors(documents.check_document(doc))
    return await insert(session, doc, "created", viewer)


async def set_active(
    session: AsyncSession, config: contract.WorldConfig, by: Principal, *, active: bool
) -> contract.WorldConfig:
    """Activate (deactivating the owner's other active config) or deactivate ``config``.

    Runs under the owner's lock, on a fresh read of the row: of two concurrent
    activations the second waits, then finds and deactivates what the first activated.
    """
    repository = WorldConfigRepository(session)
    await repository.lock_owner(config.owner_id)
    current = await repository.get(uuid.UUID(config.id), by.user_id, admin=by.is_admin, for_update=True)
    if current is None:
        raise NotFound("world config not found")
    if current.is_active == active:
        return current
    if active:
        for other in await repository.deactivate_others(current.owner_id, keep=uuid.UUID(current.id)):
            await record(session, other, "deactivated", ["isActive"], by)
    try:
        changed = await repository.update(uuid.UUID(current.id), {"is_active": active})
    except IntegrityError as error:  # only if a writer skipped the lock: the index held the rule
        raise Conflict("another world config of this owner became active meanwhile; try again") from error
    await record(session, changed, "activated" if active else "deactivated", ["isActive"], by)
    return changed


async def activate_config(
    session: AsyncSession, ref: contract.WorldConfigRef, viewer: Principal | None
) -> contract.WorldConfigReply:
    viewer = signed_in(viewer)
    config = await visible(session, ref.id, viewer)
    return contract.WorldConfigReply(config=await set_active(session, config, viewer, active=True))


async def update_config(
    session: AsyncSession, command: contract.UpdateWorldConfig, viewer: Principal | None
) -> contract.WorldConfigReply:
    """The fields given replace theirs. Nothing changed: no new version. ``isActive``
    goes through the activation rule, after the content."""
    viewer = signed_in(viewer)
    changes = msgspec.to_builtins(command.changes)
    activation = changes.pop("isActive", None)
    refuse_errors(documents.check_document(changes, partial=True))
    config = await visible(session, command.id, viewer, for_update=activation is None)
    if activation is not None:
        # The owner's lock comes before any row lock (set_active's rule), so take it now.
        await WorldConfigRepository(session).lock_owner(config.owner_id)
        config = await visible(session, command.id, viewer, for_update=True)
    values = documents.columns_of(documents.with_ids(changes))
    differing = {column: value for column, value in values.items() if getattr(config, column) != value}
    if differing:
        config = await WorldConfigRepository(session).update(uuid.UUID(config.id), differing)
        await record(session, config, "updated", [_COLUMN_NAMES[column] for column in differing], viewer)
    if activation is not None:
        config = await set_active(session, config, viewer, active=bool(activation))
    return contract.WorldConfigReply(config=config)


async def delete_config(
    session: AsyncSession, ref: contract.WorldConfigRef, viewer: Principal | None
) -> contract.WorldConfigDeleted:
    viewer = signed_in(viewer)
    config = await visible(session, ref.id, viewer, for_update=True)
    await WorldConfigRepository(session).delete(uuid.UUID(config.id))
    event = contract.WorldConfigChanged(
        config_id=config.id,
        owner_id=config.owner_id,
        version=config.version,
        is_active=False,
        change="deleted",
        changed_at=datetime.now(UTC),
    )
    await add_event(session, outbox, contract.world_config_event_subject(config.id, "deleted"), event)
    return contract.WorldConfigDeleted(message=f"world config {config.id} deleted")


async def history(
    db: Executor, query: contract.WorldConfigHistoryQuery, viewer: Principal | None
) -> contract.WorldConfigHistory:
    config = await visible(db, query.id, signed_in(viewer))
    before = None
    if query.cursor is not None:
        if not query.cursor.isdigit() or not 0 < int(query.cursor) <= config.version + 1:
            raise ValidationFailed.of("cursor", "not a cursor returned by this API")
        before = int(query.cursor)
    entries = await WorldConfigRepository(db).history_page(uuid.UUID(config.id), before, query.limit + 1)
    more = len(entries) > query.limit
    entries = entries[: query.limit]
    cursor = str(entries[-1].version) if more else None
    return contract.WorldConfigHistory(history=entries, count=len(entries), next_cursor=cursor)
