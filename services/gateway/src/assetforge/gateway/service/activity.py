"""The activity log: which facts from other services become entries, and reading it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.bus.context import RequestContext
from assetforge.common.contracts.assets import AssetCreated
from assetforge.gateway import schemas
from assetforge.gateway.repository.activity import ActivityRepository


async def record_asset_created(event: AssetCreated, session: AsyncSession, _: RequestContext) -> None:
    await ActivityRepository(session).add(
        user_id=event.owner_id,
        action="asset.created",
        entity_type="asset",
        entity_id=event.asset_id,
        details={"name": event.name, "type": event.type.value},
    )


async def activity_page(
    session: AsyncSession, user_id: str | None, action: str | None, page: int, limit: int
) -> schemas.ActivityPage:
    entries, total = await ActivityRepository(session).page(user_id, action, limit, (page - 1) * limit)
    return schemas.ActivityPage(entries=entries, page=page, limit=limit, total=total)
