"""The catalog's rules: who sees which asset, how pages are cut, what creation emits."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.assets.models import outbox
from assetforge.assets.repository.assets import AssetFilter, AssetRepository, NewAsset, PagePosition
from assetforge.common.bus.context import Principal
from assetforge.common.bus.outbox import add_event
from assetforge.common.contracts.assets import (
    Asset,
    AssetCreated,
    AssetPage,
    CreateAsset,
    ListAssets,
    asset_event_subject,
)
from assetforge.common.db.repository import Executor
from assetforge.common.errors import NotFound, Unauthorized, ValidationFailed
from assetforge.common.ids import uuid7

# The catalog's timestamps are written by the database's clock: nothing before this project.
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def encode_cursor(position: PagePosition) -> str:
    raw = f"{position.created_at.isoformat()}|{position.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> PagePosition:
    """The position a cursor of ours names; anything else is a 422 naming ``cursor``.

    A forged cursor can carry any timestamp: one without a zone, or whose offset moves it
    out of the years datetime and the database both hold, must not reach the query.
    """
    position = None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _, ident = raw.partition("|")
        created_at = datetime.fromisoformat(stamp)
        if created_at.tzinfo is not None:
            position = PagePosition(created_at=created_at.astimezone(UTC), id=uuid.UUID(ident))
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError) as error:
        raise ValidationFailed.of("cursor", "not a cursor returned by this API") from error
    if position is None or not _EARLIEST <= position.created_at <= _LATEST:
        raise ValidationFailed.of("cursor", "not a cursor returned by this API")
    return position


def parse_uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise ValidationFailed.of(field, "must be a UUID") from error


async def list_assets(db: Executor, query: ListAssets, viewer: Principal | None) -> AssetPage:
    where = AssetFilter(
        viewer_id=viewer.user_id if viewer else None,
        viewer_is_admin=bool(viewer and viewer.is_admin),
        project_id=parse_uuid(query.project_id, "projectId") if query.project_id else None,
        type=query.type,
        status=query.status,
        owner_id=query.owner_id,
        text=query.q.strip() if query.q else None,
    )
    after = decode_cursor(query.cursor) if query.cursor else None
    assets = await AssetRepository(db).list_page(where, after, query.limit + 1)
    has_more = len(assets) > query.limit
    assets = assets[: query.limit]
    next_cursor = None
    if has_more:
        last = assets[-1]
        next_cursor = encode_cursor(PagePosition(last.created_at, uuid.UUID(last.id)))
    return AssetPage(assets=assets, next_cursor=next_cursor)


async def get_asset(db: Executor, asset_id: str, viewer: Principal | None) -> Asset:
    viewer_id = viewer.user_id if viewer else None
    asset = await AssetRepository(db).get(parse_uuid(asset_id, "id"), viewer_id, admin=bool(viewer and viewer.is_admin))
    # A private asset answers exactly like a missing one, so ids cannot be probed.
    if asset is None:
        raise NotFound("asset not found")
    return asset


async def create_asset(session: AsyncSession, command: CreateAsset, owner: Principal | None) -> Asset:
    if owner is None:
        raise Unauthorized("creating an asset needs a signed-in user")
    new = NewAsset(
        id=uuid7(),
        name=command.name,
        description=command.description,
        type=command.type.value,
        visibility=command.visibility.value,
        status=command.status.value,
        owner_id=owner.user_id,
        project_id=parse_uuid(command.project_id, "projectId") if command.project_id else None,
        tags=command.tags,
        metadata=command.metadata,
        prompt=command.prompt,
        files=[str(parse_uuid(file_id, "files")) for file_id in command.files],
    )
    asset = await AssetRepository(session).insert(new)
    event = AssetCreated(
        asset_id=asset.id,
        owner_id=asset.owner_id,
        name=asset.name,
        type=asset.type,
        visibility=asset.visibility,
        created_at=asset.created_at,
    )
    await add_event(session, outbox, asset_event_subject(asset.id, "created"), event)
    return asset
