"""Every SQL statement about users' own provider keys (``generation.provider_keys``): a
separate aggregate from the jobs in repository.py. Rows hold only sealed keys."""

from __future__ import annotations

from collections.abc import Collection
from typing import cast

from sqlalchemy import Table, delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.db.repository import Executor
from assetforge.generation.keyring import Sealed
from assetforge.generation.models import ProviderKey

K = cast("Table", ProviderKey.__table__)


async def store(session: AsyncSession, owner_id: str, provider: str, sealed: Sealed) -> None:
    """Store or replace the owner's key for ``provider``."""
    row = {"owner_id": owner_id, "provider": provider, "nonce": sealed.nonce, "ciphertext": sealed.ciphertext}
    statement = insert(K).values(**row)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[K.c.owner_id, K.c.provider],
            set_={
                "nonce": statement.excluded.nonce,
                "ciphertext": statement.excluded.ciphertext,
                "updated_at": func.now(),
            },
        )
    )


async def remove(session: AsyncSession, owner_id: str, providers: Collection[str] | None = None) -> None:
    """Remove the owner's keys for ``providers`` (every one when None)."""
    statement = delete(K).where(K.c.owner_id == owner_id)
    if providers is not None:
        statement = statement.where(K.c.provider.in_(list(providers)))
    await session.execute(statement)


async def stored_providers(db: Executor, owner_id: str) -> set[str]:
    rows = await db.execute(select(K.c.provider).where(K.c.owner_id == owner_id))
    return {row.provider for row in rows}


async def sealed_keys(db: Executor, owner_id: str) -> dict[str, Sealed]:
    rows = await db.execute(select(K.c.provider, K.c.nonce, K.c.ciphertext).where(K.c.owner_id == owner_id))
    return {row.provider: Sealed(bytes(row.nonce), bytes(row.ciphertext)) for row in rows}
