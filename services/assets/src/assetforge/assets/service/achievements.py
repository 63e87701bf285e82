"""Achievements: what earns each one, judged from events, each awarded once per user.

Every event about a user is judged the same way, under a per-user lock held to the end
of the consumer's transaction: record the fact the event brings (a generation, the
profile), read the user's standing from the committed state (the assets are counted in
the catalog, so a deleted asset no longer counts), then award, in one statement, every
achievement whose conditions the standing meets and the user lacks. The unique key
(user, code) makes a second award of the same achievement a no-op, and only awards that
statement inserted are announced, so redelivered events, events of one user judged on
several replicas at once, and catch-up awards (a user who had ten assets before a rule
existed earns it with the next event) all give exactly one award and one event.

Rules, as seeded in the catalogue:

- first_asset, ten_assets, fifty_assets, hundred_assets: 1, 10, 50, 100 assets of one's
  own (texture variants are made by the pipeline, one per material, so they do not count).
- first_generation: one completed generation pipeline.
- profile_complete: the profile has been completed.
- early_adopter: among the first 1,000 people to sign up (the gateway numbers users in
  sign-up order and says so when a profile is completed; the achievement is earned then).
  A count rather than a date: it needs no configuration, means the same in every
  deployment, and cannot be widened later by moving a date.
- power_user: 25 assets and 10 completed generations, so it needs sustained use of both
  the catalog and the generator, not a burst of uploads.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.assets.models import outbox
from assetforge.assets.repository.achievements import AchievementRepository
from assetforge.common.bus.context import Principal
from assetforge.common.bus.outbox import add_event
from assetforge.common.contracts.achievements import (
    AchievementAwarded,
    AchievementCatalogue,
    UserAchievements,
    achievement_event_subject,
)
from assetforge.common.contracts.assets import AssetCreated
from assetforge.common.contracts.generation import PipelineCompleted
from assetforge.common.contracts.identity import ProfileCompleted, UserDeleted
from assetforge.common.db.repository import Executor
from assetforge.common.errors import Unauthorized


async def catalogue(db: Executor) -> AchievementCatalogue:
    return AchievementCatalogue(achievements=await AchievementRepository(db).catalogue())


async def mine(db: Executor, viewer: Principal | None) -> UserAchievements:
    if viewer is None:
        raise Unauthorized("achievements belong to a signed-in user")
    earned = await AchievementRepository(db).earned(viewer.user_id)
    return UserAchievements(achievements=earned, total_points=sum(e.achievement.points for e in earned))


async def asset_created(session: AsyncSession, event: AssetCreated) -> None:
    if event.owner_id is None:
        return  # an asset nobody owns earns nobody anything
    await AchievementRepository(session).lock_user(event.owner_id)
    await _judge(session, event.owner_id)


async def pipeline_completed(session: AsyncSession, event: PipelineCompleted) -> None:
    repository = AchievementRepository(session)
    await repository.lock_user(event.owner_id)
    await repository.add_generation(event.owner_id)
    await _judge(session, event.owner_id)


async def profile_completed(session: AsyncSession, event: ProfileCompleted) -> None:
    repository = AchievementRepository(session)
    await repository.lock_user(event.user_id)
    await repository.record_profile(event.user_id, event.signup_number)
    await _judge(session, event.user_id)


async def user_deleted(session: AsyncSession, event: UserDeleted) -> None:
    """A deleted user's achievements go with them (the catalog keeps their assets)."""
    repository = AchievementRepository(session)
    await repository.lock_user(event.user_id)
    await repository.forget_user(event.user_id)


async def _judge(session: AsyncSession, user_id: str) -> None:
    """Award what is due (the caller holds the user's lock) and announce each award."""
    repository = AchievementRepository(session)
    for award in await repository.award_due(user_id, await repository.standing(user_id)):
        event = AchievementAwarded(
            user_id=user_id, code=award.code, name=award.name, points=award.points, earned_at=award.earned_at
        )
        await add_event(session, outbox, achievement_event_subject(user_id, "awarded"), event)
