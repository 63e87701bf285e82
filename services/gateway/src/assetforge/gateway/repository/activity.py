"""The activity log: what users did, and facts from other services."""

from __future__ import annotations

from typing import Any
from typing import cast as cast_type

import msgspec
from sqlalchemy import ColumnElement, String, Table, cast, insert, select

from assetforge.common.db.repository import Repository
from assetforge.common.ids import uuid7
from assetforge.gateway import schemas
from assetforge.gateway.models import ActivityEntry

ACTIVITY = cast_type("Table", ActivityEntry.__table__)
ACTIVITY_COLUMNS = (
    cast(ACTIVITY.c.id, String).label("id"),
    *(ACTIVITY.c[name] for name in schemas.ActivityEntry.__struct_fields__[1:]),
)
# An activity entry records what happened, not the data it happened to: details past this
# size (as JSON) are replaced by a note of their size.
ACTIVITY_DETAILS_MAX_BYTES = 4096


def _bounded(details: dict[str, Any]) -> dict[str, Any]:
    size = len(msgspec.json.encode(details))
    return details if size <= ACTIVITY_DETAILS_MAX_BYTES else {"truncated": True, "bytes": size}


class ActivityRepository(Repository):
    async def add(
        self,
        *,
        user_id: str | None,
        action: str,
        entity_type: str | None = None,
        entity_id: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        await self._executor.execute(
            insert(ActivityEntry).values(
                id=uuid7(),
                user_id=user_id,
                action=action,
                entity_type=entity_type,
                entity_id=entity_id,
                details=_bounded(details or {}),
            )
        )

    async def page(
        self, user_id: str | None, action: str | None, limit: int, offset: int
    ) -> list[schemas.ActivityEntry]:
        """Up to ``limit`` entries from ``offset``, newest first (no total: counting a long
        log costs more than the page; ask for one extra row to learn whether more follow)."""
        conditions: list[ColumnElement[bool]] = []
        if user_id:
            conditions.append(ACTIVITY.c.user_id == user_id)
        if action:
            conditions.append(ACTIVITY.c.action == action)
        query = (
            select(*ACTIVITY_COLUMNS)
            .where(*conditions)
            .order_by(ACTIVITY.c.created_at.desc(), ACTIVITY.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [schemas.ActivityEntry(*row) for row in await self._executor.execute(query)]
