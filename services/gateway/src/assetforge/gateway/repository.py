"""Every SQL statement of the gateway's own schema."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from typing import cast as cast_type

import msgspec
from sqlalchemy import ColumnElement, String, Table, cast, delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.ids import uuid7
from assetforge.gateway import schemas
from assetforge.gateway.models import ActivityEntry, ApiKeyRecord, BlockedSession, UserRecord

_USERS = cast_type("Table", UserRecord.__table__)
_KEYS = cast_type("Table", ApiKeyRecord.__table__)
_ACTIVITY = cast_type("Table", ActivityEntry.__table__)
# In the field order of schemas.User, so rows build it positionally.
_USER_COLUMNS = (
    cast(_USERS.c.id, String).label("id"),
    *(_USERS.c[name] for name in schemas.User.__struct_fields__[1:]),
)
_KEY_COLUMNS = (
    cast(_KEYS.c.id, String).label("key_id"),
    *(_KEYS.c[name] for name in schemas.ApiKey.__struct_fields__[1:]),
)
_ACTIVITY_COLUMNS = (
    cast(_ACTIVITY.c.id, String).label("id"),
    *(_ACTIVITY.c[name] for name in schemas.ActivityEntry.__struct_fields__[1:]),
)


# An activity entry records what happened, not the data it happened to: details past this
# size (as JSON) are replaced by a note of their size.
ACTIVITY_DETAILS_MAX_BYTES = 4096


def _bounded(details: dict[str, Any]) -> dict[str, Any]:
    size = len(msgspec.json.encode(details))
    return details if size <= ACTIVITY_DETAILS_MAX_BYTES else {"truncated": True, "bytes": size}


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_or_create(self, privy_user_id: str, role: str) -> tuple[schemas.User, str | None, bool]:
        """The user with this DID, created on first sight; also their last session id and
        whether they were just created."""
        created = (
            await self._session.execute(
                pg_insert(_USERS)
                .values(id=uuid7(), privy_user_id=privy_user_id, role=role)
                .on_conflict_do_nothing(index_elements=["privy_user_id"])
                .returning(*_USER_COLUMNS, _USERS.c.last_session_id)
            )
        ).first()
        row = (
            created
            or (
                await self._session.execute(
                    select(*_USER_COLUMNS, _USERS.c.last_session_id).where(_USERS.c.privy_user_id == privy_user_id)
                )
            ).one()
        )
        return schemas.User(*row[:-1]), row[-1], created is not None

    async def get(self, user_id: uuid.UUID) -> schemas.User | None:
        row = (await self._session.execute(select(*_USER_COLUMNS).where(_USERS.c.id == user_id))).first()
        return schemas.User(*row) if row else None

    async def update(self, user_id: uuid.UUID, **values: Any) -> schemas.User | None:
        row = (
            await self._session.execute(
                update(_USERS)
                .where(_USERS.c.id == user_id)
                .values(updated_at=func.now(), **values)
                .returning(*_USER_COLUMNS)
            )
        ).first()
        return schemas.User(*row) if row else None

    async def record_login(self, user_id: uuid.UUID, session_id: str | None) -> schemas.User:
        row = (
            await self._session.execute(
                update(_USERS)
                .where(_USERS.c.id == user_id)
                .values(last_login_at=func.now(), last_session_id=session_id)
                .returning(*_USER_COLUMNS)
            )
        ).one()
        return schemas.User(*row)

    async def touch_login(self, user_id: uuid.UUID) -> None:
        """Move last_login_at forward, at most once a minute (no write otherwise)."""
        recent = func.now() - func.make_interval(0, 0, 0, 0, 0, 1)
        await self._session.execute(
            update(_USERS)
            .where(_USERS.c.id == user_id, or_(_USERS.c.last_login_at.is_(None), _USERS.c.last_login_at < recent))
            .values(last_login_at=func.now())
        )

    async def page(
        self, role: str | None, search: str | None, limit: int, offset: int
    ) -> tuple[list[schemas.User], int]:
        conditions: list[ColumnElement[bool]] = []
        if role:
            conditions.append(_USERS.c.role == role)
        if search:
            pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            conditions.append(
                or_(
                    _USERS.c.display_name.ilike(pattern, escape="\\"),
                    _USERS.c.email.ilike(pattern, escape="\\"),
                    _USERS.c.privy_user_id.ilike(pattern, escape="\\"),
                )
            )
        rows = await self._session.execute(
            select(*_USER_COLUMNS).where(*conditions).order_by(_USERS.c.created_at.desc()).limit(limit).offset(offset)
        )
        total = (await self._session.execute(select(func.count()).select_from(_USERS).where(*conditions))).scalar_one()
        return [schemas.User(*row) for row in rows], int(total)


class ApiKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, user_id: uuid.UUID, name: str, prefix: str, digest: bytes, expires_at: datetime | None) -> str:
        key_id = uuid7()
        await self._session.execute(
            insert(_KEYS).values(
                id=key_id, user_id=user_id, name=name, prefix=prefix, key_hash=digest, expires_at=expires_at
            )
        )
        return str(key_id)

    async def candidates(self, prefix: str) -> list[Any]:
        """Unrevoked, unexpired keys with this prefix, with their owner's id and role."""
        rows = await self._session.execute(
            select(_KEYS.c.id, _KEYS.c.key_hash, _KEYS.c.expires_at, _USERS.c.id.label("user_id"))
            .join(_USERS, _USERS.c.id == _KEYS.c.user_id)
            .where(
                _KEYS.c.prefix == prefix,
                _KEYS.c.revoked_at.is_(None),
                or_(_KEYS.c.expires_at.is_(None), _KEYS.c.expires_at > func.now()),
            )
        )
        return list(rows)

    async def for_user(self, user_id: uuid.UUID) -> list[schemas.ApiKey]:
        rows = await self._session.execute(
            select(*_KEY_COLUMNS).where(_KEYS.c.user_id == user_id).order_by(_KEYS.c.created_at.desc())
        )
        return [schemas.ApiKey(*row) for row in rows]

    async def revoke(self, user_id: uuid.UUID, key_id: uuid.UUID) -> bytes | None:
        """Revoke one of the user's keys; its hash, or None when there is no such live key."""
        row = (
            await self._session.execute(
                update(_KEYS)
                .where(_KEYS.c.id == key_id, _KEYS.c.user_id == user_id, _KEYS.c.revoked_at.is_(None))
                .values(revoked_at=func.now())
                .returning(_KEYS.c.key_hash)
            )
        ).first()
        return bytes(row.key_hash) if row else None

    async def mark_used(self, key_id: uuid.UUID) -> None:
        await self._session.execute(update(_KEYS).where(_KEYS.c.id == key_id).values(last_used_at=func.now()))


class BlocklistRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, session_key: bytes, expires_at: datetime) -> None:
        await self._session.execute(
            pg_insert(BlockedSession)
            .values(session_key=session_key, expires_at=expires_at)
            .on_conflict_do_update(index_elements=["session_key"], set_={"expires_at": expires_at})
        )

    async def contains(self, session_key: bytes) -> bool:
        found = await self._session.execute(
            select(BlockedSession.session_key).where(
                BlockedSession.session_key == session_key, BlockedSession.expires_at > func.now()
            )
        )
        return found.first() is not None

    async def purge_expired(self) -> int:
        result = await self._session.execute(delete(BlockedSession).where(BlockedSession.expires_at < func.now()))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


class ActivityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        user_id: str | None,
        action: str,
        entity_type: str | None = None,
        entity_id: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        await self._session.execute(
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
    ) -> tuple[list[schemas.ActivityEntry], int]:
        conditions: list[ColumnElement[bool]] = []
        if user_id:
            conditions.append(_ACTIVITY.c.user_id == user_id)
        if action:
            conditions.append(_ACTIVITY.c.action == action)
        rows = await self._session.execute(
            select(*_ACTIVITY_COLUMNS)
            .where(*conditions)
            .order_by(_ACTIVITY.c.created_at.desc(), _ACTIVITY.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        total = (
            await self._session.execute(select(func.count()).select_from(_ACTIVITY).where(*conditions))
        ).scalar_one()
        return [schemas.ActivityEntry(*row) for row in rows], int(total)
