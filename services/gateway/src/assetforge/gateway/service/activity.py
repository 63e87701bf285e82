"""The activity log's rules: which facts from other services become entries."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.bus.context import RequestContext
from assetforge.common.contracts.assets import AssetCreated
from assetforge.gateway.repository import ActivityRepository


async def record_asset_created(event: AssetCreated, session: AsyncSession, _: RequestContext) -> None:
    await ActivityRepository(session).add(
        user_id=event.owner_id,
        action="asset.created",
        entity_type="asset",
        entity_id=event.asset_id,
        details={"name": event.name, "type": event.type.value},
    )
