"""The activity log: which facts from other services become entries, and reading it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.bus.context import RequestContext
from assetforge.common.contracts.achievements import AchievementAwarded
from assetforge.common.contracts.assets import AssetCreated, AssetDeleted, AssetUpdated
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


async def record_asset_updated(event: AssetUpdated, session: AsyncSession, _: RequestContext) -> None:
    await ActivityRepository(session).add(
        user_id=event.actor_id or event.owner_id,
        action="asset.updated",
        entity_type="asset",
        entity_id=event.asset_id,
        details={"name": event.name, "changed": event.changed},
    )


async def record_asset_deleted(event: AssetDeleted, session: AsyncSession, _: RequestContext) -> None:
    await ActivityRepository(session).add(
        user_id=event.actor_id or event.owner_id,
        action="asset.deleted",
        entity_type="asset",
        entity_id=event.asset_id,
        details={"name": event.name, "files": len(event.file_ids)},
    )


async def record_achievement_awarded(event: AchievementAwarded, session: AsyncSession, _: RequestContext) -> None:
    await ActivityRepository(session).add(
        user_id=event.user_id,
        action="achievement.awarded",
        entity_type="achievement",
        entity_id=event.code,
        details={"name": event.name, "points": event.points},
    )


async def activity_page(
    session: AsyncSession, user_id: str | None, action: str | None, page: int, limit: int
) -> schemas.ActivityPage:
    """Page ``page`` (from 1) of ``limit`` entries, and whether another page follows."""
    entries = await ActivityRepository(session).page(user_id, action, limit + 1, (page - 1) * limit)
    return schemas.ActivityPage(logs=entries[:limit], has_more=len(entries) > limit)
