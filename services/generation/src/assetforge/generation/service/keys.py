"""Idempotency-Key: a repeated request answers the job the first one made (per user, for
24 hours); a different body under the same key is a conflict."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.bus.codec import encoder
from assetforge.common.errors import Conflict
from assetforge.generation import repository as jobs
from assetforge.generation.jobs import Job

# How long an Idempotency-Key answers the job it made.
KEY_LIFETIME = timedelta(hours=24)


def request_digest(request: msgspec.Struct) -> str:
    return hashlib.sha256(encoder.encode(request)).hexdigest()


async def earlier(session: AsyncSession, owner_id: str, key: str, digest: str) -> Job | None:
    """The job ``owner_id`` made under ``key``, if it still answers for it."""
    found = await jobs.find_by_key(session, owner_id, key)
    if found is None:
        return None
    job, request_hash, created_at = found
    if created_at < datetime.now(UTC) - KEY_LIFETIME:
        await jobs.forget_key(session, owner_id, key)
        return None
    if request_hash != digest:
        raise Conflict("this Idempotency-Key was already used for a different request")
    return job
