"""Users: created on first sight of their Privy DID, signed in, edited, listed."""

from __future__ import annotations

import uuid
from typing import Any
from typing import cast as cast_type

from sqlalchemy import ColumnElement, String, Table, cast, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from assetforge.common.db.repository import Repository, contains_pattern, page
from assetforge.common.ids import uuid7
from assetforge.gateway import schemas
from assetforge.gateway.models import UserRecord

USERS = cast_type("Table", UserRecord.__table__)
# In the field order of schemas.User, so rows build it positionally.
USER_COLUMNS = (
    cast(USERS.c.id, String).label("id"),
    *(USERS.c[name] for name in schemas.User.__struct_fields__[1:]),
)


class UserRepository(Repository):
    async def get_or_create(self, privy_user_id: str, role: str) -> tuple[schemas.User, str | None, bool]:
        """The user with this DID, created on first sight; also their last session id and
        whether they were just created."""
        created = (
            await self._executor.execute(
                pg_insert(USERS)
                .values(id=uuid7(), privy_user_id=privy_user_id, role=role)
                .on_conflict_do_nothing(index_elements=["privy_user_id"])
                .returning(*USER_COLUMNS, USERS.c.last_session_id)
            )
        ).first()
        row = (
            created
            or (
                await self._executor.execute(
                    select(*USER_COLUMNS, USERS.c.last_session_id).where(USERS.c.privy_user_id == privy_user_id)
                )
            ).one()
        )
        return schemas.User(*row[:-1]), row[-1], created is not None

    async def get(self, user_id: uuid.UUID) -> schemas.User | None:
        row = (await self._executor.execute(select(*USER_COLUMNS).where(USERS.c.id == user_id))).first()
        return schemas.User(*row) if row else None

    async def complete_profile(self, user_id: uuid.UUID, profile: schemas.CompleteProfile) -> schemas.User | None:
        return await self._update(
            user_id,
            display_name=profile.display_name,
            email=profile.email,
            discord_username=profile.discord_username,
            profile_completed=True,
        )

    async def set_settings(self, user_id: uuid.UUID, settings: dict[str, Any]) -> schemas.User | None:
        return await self._update(user_id, settings=settings)

    async def set_role(self, user_id: uuid.UUID, role: schemas.Role) -> schemas.User | None:
        return await self._update(user_id, role=role)

    async def _update(self, user_id: uuid.UUID, **values: Any) -> schemas.User | None:
        row = (
            await self._executor.execute(
                update(USERS)
                .where(USERS.c.id == user_id)
                .values(updated_at=func.now(), **values)
                .returning(*USER_COLUMNS)
            )
        ).first()
        return schemas.User(*row) if row else None

    async def record_login(self, user_id: uuid.UUID, session_id: str | None) -> schemas.User:
        row = (
            await self._executor.execute(
                update(USERS)
                .where(USERS.c.id == user_id)
                .values(last_login_at=func.now(), last_session_id=session_id)
                .returning(*USER_COLUMNS)
            )
        ).one()
        return schemas.User(*row)

    async def touch_login(self, user_id: uuid.UUID) -> None:
        """Move last_login_at forward, at most once a minute (no write otherwise)."""
        recent = func.now() - func.make_interval(0, 0, 0, 0, 0, 1)
        await self._executor.execute(
            update(USERS)
            .where(USERS.c.id == user_id, or_(USERS.c.last_login_at.is_(None), USERS.c.last_login_at < recent))
            .values(last_login_at=func.now())
        )

    async def page(
        self, role: str | None, search: str | None, limit: int, offset: int
    ) -> tuple[list[schemas.User], int]:
        conditions: list[ColumnElement[bool]] = []
        if role:
            conditions.append(USERS.c.role == role)
        if search:
            pattern = contains_pattern(search)
            conditions.append(
                or_(
                    USERS.c.display_name.ilike(pattern, escape="\\"),
                    USERS.c.email.ilike(pattern, escape="\\"),
                    USERS.c.privy_user_id.ilike(pattern, escape="\\"),
                )
            )
        query = select(*USER_COLUMNS).order_by(USERS.c.created_at.desc())
        rows, total = await page(self._executor, query, conditions, limit, offset)
        return [schemas.User(*row) for row in rows], total
