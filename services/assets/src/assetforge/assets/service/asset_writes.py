"""The catalog's writes: who may change or delete an asset, and what each change emits."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.assets.models import outbox
from assetforge.assets.repository.asset_writes import AssetWrites, NewAsset, Removed
from assetforge.assets.service.asset_changes import ChangeSet, change_set, check_metadata, uploaded_parts
from assetforge.assets.service.assets import find_asset, parse_uuid
from assetforge.common.bus.context import Principal, RequestContext
from assetforge.common.bus.outbox import add_event
from assetforge.common.contracts.assets import (
    Asset,
    AssetCreated,
    AssetDeleted,
    AssetDeletion,
    AssetUpdated,
    BulkError,
    BulkResult,
    BulkUpdate,
    CreateAsset,
    DeleteAsset,
    UpdateAsset,
    asset_event_subject,
)
from assetforge.common.contracts.media import MediaFile
from assetforge.common.errors import Forbidden, NotFound, Unauthorized, ValidationFailed
from assetforge.common.ids import uuid7

NOT_FOUND = "not found"
FORBIDDEN = "only the asset's owner or an admin may change it"


class MediaFiles(Protocol):
    """The media service's records, asked for with the caller's context."""

    async def get(self, file_id: str, context: RequestContext) -> MediaFile: ...


def _signed_in(principal: Principal | None, what: str) -> Principal:
    if principal is None:
        raise Unauthorized(f"{what} needs a signed-in user")
    return principal


async def uploaded_files(media: MediaFiles, file_ids: list[str], context: RequestContext) -> list[MediaFile]:
    """The media records of ``file_ids``, each one a file the caller uploaded (else a 422
    naming ``files``: someone else's file answers exactly like a missing one)."""
    principal = _signed_in(context.principal, "creating an asset")
    unique = list(dict.fromkeys(file_ids))
    for file_id in unique:
        parse_uuid(file_id, "files")

    async def one(file_id: str) -> MediaFile:
        try:
            found = await media.get(file_id, context)
        except NotFound:
            found = None
        if found is None or found.owner_id != principal.user_id:
            raise ValidationFailed.of("files", f"{file_id} is not a file you uploaded")
        return found

    return list(await asyncio.gather(*(one(file_id) for file_id in unique)))


async def create_asset(
    session: AsyncSession, command: CreateAsset, principal: Principal | None, files: list[MediaFile]
) -> Asset:
    owner = _signed_in(principal, "creating an asset")
    check_metadata(command.metadata)
    new = NewAsset(
        id=uuid7(),
        name=command.name,
        description=command.description,
        type=command.type.value,
        visibility=command.visibility.value,
        status=command.status.value,
        owner_id=owner.user_id,
        project_id=parse_uuid(command.project_id, "projectId") if command.project_id else None,
        tags=list(dict.fromkeys(command.tags)),
        metadata=command.metadata,
        prompt=command.prompt,
        **uploaded_parts(files),
    )
    asset = await AssetWrites(session).insert(new)
    assert asset is not None  # noqa: S101 - an insert without if_absent returns its row
    await announce_created(session, asset, source="upload")
    return asset


async def announce_created(session: AsyncSession, asset: Asset, *, source: str) -> None:
    event = AssetCreated(
        asset_id=asset.id,
        owner_id=asset.owner_id,
        name=asset.name,
        type=asset.type,
        visibility=asset.visibility,
        created_at=asset.created_at,
        project_id=asset.project_id,
        status=asset.status,
        is_variant=asset.is_variant,
        parent_asset_id=asset.parent_asset_id,
        source=source,
    )
    await add_event(session, outbox, asset_event_subject(asset.id, "created"), event)


async def announce_updated(
    session: AsyncSession, asset: Asset, changed: list[str], actor: Principal | None = None
) -> None:
    event = AssetUpdated(
        asset_id=asset.id,
        owner_id=asset.owner_id,
        name=asset.name,
        visibility=asset.visibility,
        changed=changed,
        updated_at=asset.updated_at,
        actor_id=actor.user_id if actor else None,
    )
    await add_event(session, outbox, asset_event_subject(asset.id, "updated"), event)


async def _apply(
    session: AsyncSession, ids: list[uuid.UUID], change: ChangeSet, principal: Principal
) -> dict[uuid.UUID, Asset]:
    """Change the assets among ``ids`` the principal may change; emits updated for each."""
    writes = AssetWrites(session)
    owner = None if principal.is_admin else principal.user_id
    if change.empty:
        owned = await writes.owned_ids(ids, owner)
        return {ident: await find_asset(session, str(ident), principal) for ident in owned}
    updated = await writes.update(ids, change.changes, owner)
    for asset in updated:
        await announce_updated(session, asset, change.changed, principal)
    return {uuid.UUID(asset.id): asset for asset in updated}


async def update_asset(session: AsyncSession, command: UpdateAsset, principal: Principal | None) -> Asset:
    caller = _signed_in(principal, "changing an asset")
    change = change_set(command.changes)
    asset = await find_asset(session, command.id, caller)  # 404 for anyone who may not see it
    changed = await _apply(session, [uuid.UUID(asset.id)], change, caller)
    if not changed:
        raise Forbidden(FORBIDDEN)
    return next(iter(changed.values()))


async def bulk_update(session: AsyncSession, command: BulkUpdate, principal: Principal | None) -> BulkResult:
    caller = _signed_in(principal, "changing assets")
    change = change_set(command.updates)
    ids: dict[str, uuid.UUID | None] = {}
    for raw in dict.fromkeys(command.asset_ids):
        try:
            ids[raw] = uuid.UUID(raw)
        except ValueError:
            ids[raw] = None
    wanted = [ident for ident in ids.values() if ident is not None]
    changed = await _apply(session, wanted, change, caller) if wanted else {}
    refused = [ident for ident in wanted if ident not in changed]
    seen = await AssetWrites(session).visible_ids(refused, caller.user_id, admin=caller.is_admin) if refused else set()
    errors = [
        BulkError(asset_id=raw, error=FORBIDDEN if ident in seen else NOT_FOUND)
        for raw, ident in ids.items()
        if ident is None or ident not in changed
    ]
    return BulkResult(updated=len(changed), failed=len(errors), errors=errors)


async def delete_asset(session: AsyncSession, command: DeleteAsset, principal: Principal | None) -> AssetDeletion:
    """Delete the asset (and, with ``includeVariants``, its variants of the same owner).
    Each deleted asset emits deleted with the media files no remaining asset holds, which
    the media service then deletes; variants left behind lose their parent."""
    caller = _signed_in(principal, "deleting an asset")
    asset = await find_asset(session, command.id, caller)
    if asset.owner_id != caller.user_id and not caller.is_admin:
        raise Forbidden("only the asset's owner or an admin may delete it")
    writes = AssetWrites(session)
    ids = [uuid.UUID(asset.id)]
    if command.include_variants:
        ids += await writes.variant_ids(ids[0], asset.owner_id)
    removed = await writes.delete(ids)
    if not removed:
        raise NotFound("asset not found")  # deleted a moment ago by another request
    held = await writes.referenced([file_id for row in removed for file_id in row.files])
    for row in removed:
        released = [file_id for file_id in row.files if file_id not in held]
        await _announce_deleted(session, row, released, caller)
    return AssetDeletion(success=True, deleted=[str(row.id) for row in removed])


async def _announce_deleted(session: AsyncSession, row: Removed, released: list[str], actor: Principal) -> None:
    event = AssetDeleted(
        asset_id=str(row.id),
        owner_id=row.owner_id,
        name=row.name,
        file_ids=released,
        deleted_at=datetime.now(tz=UTC),
        parent_asset_id=str(row.parent_asset_id) if row.parent_asset_id else None,
        actor_id=actor.user_id,
    )
    await add_event(session, outbox, asset_event_subject(str(row.id), "deleted"), event)
