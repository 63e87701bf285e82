"""Personal API keys: stored by prefix and hash, listed, revoked."""

from __future__ import annotations

import uuid
from typing import Any
from typing import cast as cast_type

from sqlalchemy import String, Table, cast, func, insert, or_, select, update

from assetforge.common.db.repository import Repository
from assetforge.common.ids import uuid7
from assetforge.gateway import schemas
from assetforge.gateway.models import ApiKeyRecord
from assetforge.gateway.repository.users import USERS

KEYS = cast_type("Table", ApiKeyRecord.__table__)
KEY_COLUMNS = (
    cast(KEYS.c.id, String).label("key_id"),
    *(KEYS.c[name] for name in schemas.ApiKey.__struct_fields__[1:]),
)


class ApiKeyRepository(Repository):
    async def add(self, key: schemas.NewApiKey) -> str:
        key_id = uuid7()
        await self._executor.execute(
            insert(KEYS).values(
                id=key_id,
                user_id=uuid.UUID(key.user_id),
                name=key.name,
                prefix=key.prefix,
                key_hash=key.digest,
                expires_at=key.expires_at,
            )
        )
        return str(key_id)

    async def candidates(self, prefix: str) -> list[Any]:
        """Unrevoked, unexpired keys with this prefix, with their owner's id."""
        rows = await self._executor.execute(
            select(KEYS.c.id, KEYS.c.key_hash, KEYS.c.expires_at, USERS.c.id.label("user_id"))
            .join(USERS, USERS.c.id == KEYS.c.user_id)
            .where(
                KEYS.c.prefix == prefix,
                KEYS.c.revoked_at.is_(None),
                or_(KEYS.c.expires_at.is_(None), KEYS.c.expires_at > func.now()),
            )
        )
        return list(rows)

    async def for_user(self, user_id: uuid.UUID) -> list[schemas.ApiKey]:
        rows = await self._executor.execute(
            select(*KEY_COLUMNS).where(KEYS.c.user_id == user_id).order_by(KEYS.c.created_at.desc())
        )
        return [schemas.ApiKey(*row) for row in rows]

    async def revoke(self, user_id: uuid.UUID, key_id: uuid.UUID) -> bytes | None:
        """Revoke one of the user's keys; its hash, or None when there is no such live key."""
        row = (
            await self._executor.execute(
                update(KEYS)
                .where(KEYS.c.id == key_id, KEYS.c.user_id == user_id, KEYS.c.revoked_at.is_(None))
                .values(revoked_at=func.now())
                .returning(KEYS.c.key_hash)
            )
        ).first()
        return bytes(row.key_hash) if row else None

    async def revoke_all(self, user_id: uuid.UUID) -> list[bytes]:
        """Revoke every live key of the user; the hashes of those revoked."""
        rows = await self._executor.execute(
            update(KEYS)
            .where(KEYS.c.user_id == user_id, KEYS.c.revoked_at.is_(None))
            .values(revoked_at=func.now())
            .returning(KEYS.c.key_hash)
        )
        return [bytes(row.key_hash) for row in rows]

    async def mark_used(self, key_id: uuid.UUID) -> None:
        await self._executor.execute(update(KEYS).where(KEYS.c.id == key_id).values(last_used_at=func.now()))
