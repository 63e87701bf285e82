"""Achievements on the bus: two queries, and the durable consumers that award them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.assets.service import achievements as service
from assetforge.common.bus.consumer import EventConsumer
from assetforge.common.bus.context import RequestContext
from assetforge.common.bus.rpc import RpcRouter
from assetforge.common.contracts import achievements as contract
from assetforge.common.contracts.assets import ASSET_CREATED_FILTER, AssetCreated
from assetforge.common.contracts.generation import PIPELINE_COMPLETED_FILTER, PipelineCompleted
from assetforge.common.contracts.identity import (
    PROFILE_COMPLETED_FILTER,
    USER_DELETED_FILTER,
    ProfileCompleted,
    UserDeleted,
)
from assetforge.common.db import Database


def register(router: RpcRouter, database: Database) -> None:
    async def list_achievements(_: contract.ListAchievements, __: RequestContext) -> contract.AchievementCatalogue:
        async with database.read_only() as connection:
            return await service.catalogue(connection)

    async def my_achievements(_: contract.MyAchievements, context: RequestContext) -> contract.UserAchievements:
        async with database.read_only() as connection:
            return await service.mine(connection, context.principal)

    router.add(
        contract.ACHIEVEMENT_LIST,
        contract.ListAchievements,
        contract.AchievementCatalogue,
        list_achievements,
        "The achievement catalogue, in display order",
    )
    router.add(
        contract.ACHIEVEMENT_MINE,
        contract.MyAchievements,
        contract.UserAchievements,
        my_achievements,
        "The principal's earned achievements, oldest first, with their total points",
    )


# The consumer owns the transaction (inbox row and effect commit together): each effect
# is one service call on the session it is given.
async def _asset_created(event: AssetCreated, session: AsyncSession, _: RequestContext) -> None:
    await service.asset_created(session, event)


async def _pipeline_completed(event: PipelineCompleted, session: AsyncSession, _: RequestContext) -> None:
    await service.pipeline_completed(session, event)


async def _profile_completed(event: ProfileCompleted, session: AsyncSession, _: RequestContext) -> None:
    await service.profile_completed(session, event)


async def _user_deleted(event: UserDeleted, session: AsyncSession, _: RequestContext) -> None:
    await service.user_deleted(session, event)


CONSUMERS = [
    EventConsumer(
        durable="assets-achievements-asset-created",
        subject_filter=ASSET_CREATED_FILTER,
        event_type=AssetCreated,
        effect=_asset_created,
    ),
    EventConsumer(
        durable="assets-achievements-pipeline-completed",
        subject_filter=PIPELINE_COMPLETED_FILTER,
        event_type=PipelineCompleted,
        effect=_pipeline_completed,
    ),
    EventConsumer(
        durable="assets-achievements-profile-completed",
        subject_filter=PROFILE_COMPLETED_FILTER,
        event_type=ProfileCompleted,
        effect=_profile_completed,
    ),
    EventConsumer(
        durable="assets-achievements-user-deleted",
        subject_filter=USER_DELETED_FILTER,
        event_type=UserDeleted,
        effect=_user_deleted,
    ),
]
