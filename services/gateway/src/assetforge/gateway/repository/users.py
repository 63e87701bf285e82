"""Users: created on first sight of their Privy DID, signed in, edited, listed, deleted;
and the gateway's events about them, queued in its outbox."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from typing import cast as cast_type

import msgspec
from sqlalchemy import ColumnElement, String, Table, cast, func, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.bus.outbox import add_event
from assetforge.common.db.repository import Repository, contains_pattern, page
from assetforge.common.ids import uuid7
from assetforge.gateway import schemas
from assetforge.gateway.models import UserRecord, outbox

USERS = cast_type("Table", UserRecord.__table__)
# In the field order of schemas.User, so rows build it positionally.
USER_COLUMNS = (
    cast(USERS.c.id, String).label("id"),
    *(USERS.c[name] for name in schemas.User.__struct_fields__[1:]),
)
_LIVE = USERS.c.deleted_at.is_(None)


@dataclass(frozen=True, slots=True)
class Seen:
    """The user a DID names, as a sign-in finds them."""

    user: schemas.User
    last_session_id: str | None
    created: bool
    deleted: bool


class UserRepository(Repository):
    async def get_or_create(self, privy_user_id: str, role: str) -> Seen:
        """The user with this DID, created on first sight (a deleted one is found, not
        created again)."""
        extra = (USERS.c.last_session_id, USERS.c.deleted_at.is_not(None))
        created = (
            await self._executor.execute(
                pg_insert(USERS)
                .values(id=uuid7(), privy_user_id=privy_user_id, role=role)
                .on_conflict_do_nothing(index_elements=["privy_user_id"])
                .returning(*USER_COLUMNS, *extra)
            )
        ).first()
        row = (
            created
            or (
                await self._executor.execute(
                    select(*USER_COLUMNS, *extra).where(USERS.c.privy_user_id == privy_user_id)
                )
            ).one()
        )
        return Seen(schemas.User(*row[:-2]), row[-2], created is not None, bool(row[-1]))

    async def get(self, user_id: uuid.UUID) -> schemas.User | None:
        """The user, unless deleted."""
        row = (await self._executor.execute(select(*USER_COLUMNS).where(USERS.c.id == user_id, _LIVE))).first()
        return schemas.User(*row) if row else None

    async def signup_number(self, user: schemas.User) -> int:
        """The user's place in sign-up order, 1 for the first (deleted users keep theirs)."""
        position = tuple_(USERS.c.created_at, USERS.c.id) <= tuple_(user.created_at, uuid.UUID(user.id))
        counted = select(func.count()).select_from(USERS).where(position)
        return int((await self._executor.execute(counted)).scalar_one())

    async def delete(self, user_id: uuid.UUID) -> datetime | None:
        """Mark the user deleted and empty the row of personal data: when, or None when
        there is no such live user. The DID stays, so that sign-in can refuse it."""
        row = (
            await self._executor.execute(
                update(USERS)
                .where(USERS.c.id == user_id, _LIVE)
                .values(
                    deleted_at=func.now(),
                    updated_at=func.now(),
                    email=None,
                    wallet_address=None,
                    display_name=None,
                    avatar_url=None,
                    discord_username=None,
                    role="member",
                    profile_completed=False,
                    settings={},
                    last_session_id=None,
                )
                .returning(USERS.c.deleted_at)
            )
        ).first()
        return row.deleted_at if row else None

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
                .where(USERS.c.id == user_id, _LIVE)
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
        conditions: list[ColumnElement[bool]] = [_LIVE]
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


async def add_user_event(session: AsyncSession, subject: str, event: msgspec.Struct) -> None:
    """Queue an event about a user in the gateway's outbox: it commits with the change."""
    await add_event(session, outbox, subject, event)
