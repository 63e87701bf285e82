"""The achievement catalogue and who earned what.

An achievement's rule is data: the conditions in its row, all of which must hold (a
null condition is no condition, and every row has at least one). A user's standing is
what the conditions are checked against: their assets are counted in the catalog when
an event arrives; completed generations and the profile are facts other services
announce, kept in ``achievement_progress`` as they arrive.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from assetforge.assets.models.base import Base


class AchievementRecord(Base):
    """One achievement: how it is shown, and what earns it."""

    __tablename__ = "achievements"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(500))
    icon: Mapped[str] = mapped_column(String(64))
    points: Mapped[int] = mapped_column(Integer)
    # The catalogue's order on screen.
    position: Mapped[int] = mapped_column(Integer)
    # At least this many assets of the user's own (texture variants not counted).
    assets_required: Mapped[int | None] = mapped_column(Integer)
    # At least this many generation pipelines completed.
    generations_required: Mapped[int | None] = mapped_column(Integer)
    # The profile has been completed.
    profile_required: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # The user is among the first this-many to sign up.
    signup_number_max: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint(
            "assets_required IS NOT NULL OR generations_required IS NOT NULL"
            " OR profile_required OR signup_number_max IS NOT NULL",
            name="has_a_condition",
        ),
    )


class UserAchievementRecord(Base):
    """An achievement a user earned; the key makes each one earned at most once."""

    __tablename__ = "user_achievements"

    # The gateway's user id; users live in another service, so no foreign key to them.
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    code: Mapped[str] = mapped_column(
        String(32), ForeignKey("assets.achievements.code", ondelete="CASCADE"), primary_key=True
    )
    earned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Percent of the goal reached: 100 for an earned achievement.
    progress: Mapped[int] = mapped_column(Integer, server_default=text("100"))


class AchievementProgressRecord(Base):
    """What other services told us about a user that achievements depend on."""

    __tablename__ = "achievement_progress"

    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    generations: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    profile_completed: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    signup_number: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
