"""Every SQL statement of achievements: the catalogue, a user's standing, awards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast as cast_type

from sqlalchemy import Table, delete, false, func, literal, null, or_, select
from sqlalchemy.dialects.postgresql import insert

from assetforge.assets.models.achievements import (
    AchievementProgressRecord,
    AchievementRecord,
    UserAchievementRecord,
)
from assetforge.assets.models.catalog import AssetRecord
from assetforge.common.contracts.achievements import Achievement, EarnedAchievement
from assetforge.common.db.repository import Repository

_ACHIEVEMENTS = cast_type("Table", AchievementRecord.__table__)
_EARNED = cast_type("Table", UserAchievementRecord.__table__)
_PROGRESS = cast_type("Table", AchievementProgressRecord.__table__)
_ASSETS = cast_type("Table", AssetRecord.__table__)
# In the field order of the Achievement Struct, so a row builds one positionally.
_SHOWN = tuple(_ACHIEVEMENTS.c[name] for name in Achievement.__struct_fields__)
# The advisory-lock class of a user's achievements (the first of the two-key form; the
# one-key locks of migrations and the media service's class share no keys with it).
_USER_LOCK = 0x61636876  # "achv"
# An earned achievement's goal is reached in full.
EARNED_PROGRESS = 100


@dataclass(frozen=True, slots=True)
class Standing:
    """What a user's achievements are judged on."""

    assets: int
    generations: int
    profile_completed: bool
    signup_number: int | None


@dataclass(frozen=True, slots=True)
class Award:
    """An achievement just earned."""

    code: str
    name: str
    points: int
    earned_at: datetime


class AchievementRepository(Repository):
    async def catalogue(self) -> list[Achievement]:
        rows = await self._executor.execute(select(*_SHOWN).order_by(_ACHIEVEMENTS.c.position))
        return [Achievement(*row) for row in rows]

    async def earned(self, user_id: str) -> list[EarnedAchievement]:
        """The user's achievements, oldest first."""
        rows = await self._executor.execute(
            select(*_SHOWN, _EARNED.c.earned_at, _EARNED.c.progress)
            .join(_EARNED, _EARNED.c.code == _ACHIEVEMENTS.c.code)
            .where(_EARNED.c.user_id == user_id)
            .order_by(_EARNED.c.earned_at, _ACHIEVEMENTS.c.position)
        )
        return [EarnedAchievement(Achievement(*row[:-2]), row[-2], row[-1]) for row in rows]

    async def lock_user(self, user_id: str) -> None:
        """Hold the user's achievements until the transaction ends.

        Whoever judges a user next reads everything the previous judge committed: without
        it, an asset event and a generation event judged side by side could each miss the
        other's uncommitted half of a two-part goal (power_user), and neither award it.
        """
        await self._executor.execute(select(func.pg_advisory_xact_lock(_USER_LOCK, func.hashtext(user_id))))

    async def count_assets(self, owner_id: str) -> int:
        """The user's assets in the catalog now (texture variants are not counted)."""
        counted = select(func.count()).where(_ASSETS.c.owner_id == owner_id, _ASSETS.c.is_variant.is_(false()))
        return int((await self._executor.execute(counted)).scalar_one())

    async def add_generation(self, user_id: str) -> None:
        await self._executor.execute(
            insert(_PROGRESS)
            .values(user_id=user_id, generations=1)
            .on_conflict_do_update(
                index_elements=[_PROGRESS.c.user_id],
                set_={"generations": _PROGRESS.c.generations + 1, "updated_at": func.now()},
            )
        )

    async def record_profile(self, user_id: str, signup_number: int) -> None:
        await self._executor.execute(
            insert(_PROGRESS)
            .values(user_id=user_id, profile_completed=True, signup_number=signup_number)
            .on_conflict_do_update(
                index_elements=[_PROGRESS.c.user_id],
                set_={"profile_completed": True, "signup_number": signup_number, "updated_at": func.now()},
            )
        )

    async def standing(self, user_id: str) -> Standing:
        """The user's standing, from the committed state (call under :meth:`lock_user`)."""
        row = (
            await self._executor.execute(
                select(_PROGRESS.c.generations, _PROGRESS.c.profile_completed, _PROGRESS.c.signup_number).where(
                    _PROGRESS.c.user_id == user_id
                )
            )
        ).first()
        assets = await self.count_assets(user_id)
        if row is None:
            return Standing(assets=assets, generations=0, profile_completed=False, signup_number=None)
        return Standing(assets, row.generations, row.profile_completed, row.signup_number)

    async def award_due(self, user_id: str, standing: Standing) -> list[Award]:
        """Award every achievement whose conditions ``standing`` meets and the user lacks.

        One statement; the key (user, code) and ON CONFLICT DO NOTHING make each award
        happen once, and only the rows this statement inserted are returned.
        """
        a = _ACHIEVEMENTS.c
        conditions = [
            or_(a.assets_required.is_(null()), a.assets_required <= standing.assets),
            or_(a.generations_required.is_(null()), a.generations_required <= standing.generations),
        ]
        if not standing.profile_completed:
            conditions.append(a.profile_required.is_(false()))
        if standing.signup_number is None:
            conditions.append(a.signup_number_max.is_(null()))
        else:
            conditions.append(or_(a.signup_number_max.is_(null()), a.signup_number_max >= standing.signup_number))
        due = select(literal(user_id), a.code, literal(EARNED_PROGRESS)).where(*conditions)
        inserted = (
            insert(_EARNED)
            .from_select(["user_id", "code", "progress"], due)
            .on_conflict_do_nothing()
            .returning(_EARNED.c.code, _EARNED.c.earned_at)
            .cte("inserted")
        )
        rows = await self._executor.execute(
            select(inserted.c.code, a.name, a.points, inserted.c.earned_at)
            .join(_ACHIEVEMENTS, a.code == inserted.c.code)
            .order_by(a.position)
        )
        return [Award(*row) for row in rows]

    async def forget_user(self, user_id: str) -> None:
        """Remove what achievements keep about a user."""
        await self._executor.execute(delete(_EARNED).where(_EARNED.c.user_id == user_id))
        await self._executor.execute(delete(_PROGRESS).where(_PROGRESS.c.user_id == user_id))
