"""Achievements on the bus: the catalogue, what a user earned, and the award event.

Achievements are earned from events, never by request: assets created (counted in the
catalog), generation pipelines completed and profiles completed (counted as they
arrive). The replies have the HTTP API's shapes, so the gateway passes their bytes on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

ACHIEVEMENT_LIST = "assets.v1.achievement.list"
ACHIEVEMENT_MINE = "assets.v1.achievement.mine"
ACHIEVEMENT_AWARDED_FILTER = "evt.assets.achievement.*.awarded"

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]


def achievement_event_subject(user_id: str, event: str) -> str:
    """Award events are keyed by the user who earned them (one user's awards in order)."""
    return f"evt.assets.achievement.{user_id}.{event}"


class Achievement(msgspec.Struct, frozen=True, rename="camel"):
    """One achievement of the catalogue."""

    code: Code
    name: str
    description: str
    icon: str
    points: int


class AchievementCatalogue(msgspec.Struct, frozen=True, rename="camel"):
    achievements: list[Achievement]


class ListAchievements(msgspec.Struct, frozen=True, rename="camel"):
    """The whole catalogue (a handful of rows, so no paging)."""


class MyAchievements(msgspec.Struct, frozen=True, rename="camel"):
    """What the principal (from the request's headers) has earned."""


class EarnedAchievement(msgspec.Struct, frozen=True, rename="camel"):
    achievement: Achievement
    earned_at: datetime
    # Percent of the goal reached when the entry was written: 100 for an earned one.
    progress: int


class UserAchievements(msgspec.Struct, frozen=True, rename="camel"):
    """Earned achievements, oldest first, and the sum of their points."""

    achievements: list[EarnedAchievement]
    total_points: int


class AchievementAwarded(msgspec.Struct, frozen=True, rename="camel"):
    """Event: a user earned an achievement (published once per user and code)."""

    user_id: str
    code: str
    name: str
    points: int
    earned_at: datetime
