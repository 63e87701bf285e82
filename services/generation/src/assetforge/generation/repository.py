"""Every SQL statement of the generation service."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import msgspec
from sqlalchemy import Table, and_, delete, func, insert, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.contracts.pipelines import PipelineConfig, PipelineState
from assetforge.common.db.repository import Executor
from assetforge.generation.jobs import PIPELINE, Job, StageRecord, decode_spec, decode_stages, encode_stages
from assetforge.generation.models import GenerationJob, ProviderTask

T = cast("Table", GenerationJob.__table__)
TASKS = cast("Table", ProviderTask.__table__)
FINISHED = (PipelineState.COMPLETED.value, PipelineState.FAILED.value, PipelineState.CANCELLED.value)


@dataclass(frozen=True, slots=True)
class Position:
    created_at: datetime
    id: uuid.UUID


def to_job(row: Row[Any]) -> Job:
    return Job(
        id=row.id,
        owner_id=row.owner_id,
        asset_id=row.asset_id or "",
        spec=decode_spec(row.kind, row.config),
        status=PipelineState(row.status),
        stages=decode_stages(row.stages),
        created_at=row.created_at,
        updated_at=row.updated_at,
        progress=row.progress,
        current_stage=row.current_stage,
        error=row.error,
        error_stage=row.error_stage,
        started_at=row.started_at,
        completed_at=row.completed_at,
        cancel_requested=row.cancel_requested,
        results=dict(row.results or {}),
        kind=row.kind,
    )


async def insert_job(  # noqa: PLR0917 - one row's columns
    session: AsyncSession,
    job_id: uuid.UUID,
    owner_id: str,
    asset_id: str,
    config: Any,
    stages: dict[str, StageRecord],
    idempotency_key: str | None,
    request_hash: str | None,
    kind: str = PIPELINE,
) -> Job:
    row = (
        await session.execute(
            insert(T)
            .values(
                id=job_id,
                owner_id=owner_id,
                asset_id=asset_id,
                kind=kind,
                status=PipelineState.QUEUED.value,
                config=config,
                stages=encode_stages(stages),
                idempotency_key=idempotency_key,
                request_hash=request_hash,
            )
            .returning(T)
        )
    ).one()
    return to_job(row)


async def find_by_key(db: Executor, owner_id: str, key: str) -> tuple[Job, str | None, datetime] | None:
    """The job a user made under an Idempotency-Key, its request hash and creation time."""
    row = (await db.execute(select(T).where(T.c.owner_id == owner_id, T.c.idempotency_key == key))).one_or_none()
    return None if row is None else (to_job(row), row.request_hash, row.created_at)


async def forget_key(session: AsyncSession, owner_id: str, key: str) -> None:
    await session.execute(
        update(T).where(T.c.owner_id == owner_id, T.c.idempotency_key == key).values(idempotency_key=None)
    )


async def get_job(db: Executor, job_id: uuid.UUID) -> Job | None:
    row = (await db.execute(select(T).where(T.c.id == job_id))).one_or_none()
    return None if row is None else to_job(row)


async def lock_job(session: AsyncSession, job_id: uuid.UUID) -> Job | None:
    row = (await session.execute(select(T).where(T.c.id == job_id).with_for_update())).one_or_none()
    return None if row is None else to_job(row)


async def list_jobs(  # noqa: PLR0917 - a page's filters
    db: Executor,
    owner_id: str,
    status: PipelineState | None,
    limit: int,
    after: Position | None,
    kinds: tuple[str, ...] = (PIPELINE,),
    exclude: bool = False,
) -> list[Job]:
    """A page of the owner's jobs of ``kinds`` (of every other kind, with ``exclude``)."""
    query = select(T).where(T.c.owner_id == owner_id)
    query = query.where(T.c.kind.not_in(kinds) if exclude else T.c.kind.in_(kinds))
    if status is not None:
        query = query.where(T.c.status == status.value)
    if after is not None:
        query = query.where(tuple_(T.c.created_at, T.c.id) < tuple_(after.created_at, after.id))
    rows = (await db.execute(query.order_by(T.c.created_at.desc(), T.c.id.desc()).limit(limit))).all()
    return [to_job(row) for row in rows]


async def save_job(session: AsyncSession, job: Job, *, lease_owner: str | None = None) -> bool:
    """Write the job's state; with ``lease_owner``, only while that runner holds it
    (a runner that lost its lease must not overwrite the one that took over)."""
    query = update(T).where(T.c.id == job.id)
    if lease_owner is not None:
        # A runner never changes a finished job: a cancel that landed first stays.
        query = query.where(T.c.lease_owner == lease_owner, T.c.status.not_in(FINISHED))
    result = await session.execute(
        query.values(
            status=job.status.value,
            stages=encode_stages(job.stages),
            results=job.results,
            progress=job.progress,
            current_stage=job.current_stage,
            error=job.error,
            error_stage=job.error_stage,
            started_at=job.started_at,
            completed_at=job.completed_at,
            # The statement's own time, not the transaction's: two saves in one transaction,
            # or one that waited for the row's lock, still stamp in the order they write.
            updated_at=func.clock_timestamp(),
        ).returning(T.c.updated_at)
    )
    stamped = result.scalar_one_or_none()
    if stamped is not None:
        job.updated_at = stamped
    return stamped is not None


async def claim_lease(session: AsyncSession, job_id: uuid.UUID, runner: str, ttl_s: float) -> Job | None:
    """Take the job for ``runner`` unless another runner's lease is still running."""
    row = (
        await session.execute(
            update(T)
            .where(
                T.c.id == job_id,
                or_(T.c.lease_until.is_(None), T.c.lease_until < func.now(), T.c.lease_owner == runner),
            )
            .values(lease_owner=runner, lease_until=func.now() + timedelta(seconds=ttl_s))
            .returning(T)
        )
    ).one_or_none()
    return None if row is None else to_job(row)


async def renew_lease(session: AsyncSession, job_id: uuid.UUID, runner: str, ttl_s: float) -> bool | None:
    """Extend ``runner``'s lease; whether a cancel was asked, or None if the lease is lost."""
    requested: bool | None = (
        await session.execute(
            update(T)
            .where(T.c.id == job_id, T.c.lease_owner == runner)
            .values(lease_until=func.now() + timedelta(seconds=ttl_s))
            .returning(T.c.cancel_requested)
        )
    ).scalar_one_or_none()
    return requested


async def release_lease(session: AsyncSession, job_id: uuid.UUID, runner: str) -> None:
    await session.execute(
        update(T).where(T.c.id == job_id, T.c.lease_owner == runner).values(lease_owner=None, lease_until=None)
    )


async def set_cancel_requested(session: AsyncSession, job_id: uuid.UUID, requested: bool) -> None:
    """Only the cancel and retry paths write the flag; runners only read it."""
    await session.execute(update(T).where(T.c.id == job_id).values(cancel_requested=requested))


async def delete_finished(session: AsyncSession, before: datetime, limit: int = 500) -> int:
    """Remove up to ``limit`` jobs that finished before ``before``."""
    doomed = (
        select(T.c.id)
        .where(T.c.status.in_(FINISHED), T.c.completed_at < before)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = await session.execute(delete(T).where(T.c.id.in_(doomed.scalar_subquery())))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def forget_old_keys(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(
        update(T).where(and_(T.c.idempotency_key.is_not(None), T.c.created_at < before)).values(idempotency_key=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def config_values(config: PipelineConfig | msgspec.Struct) -> Any:
    return msgspec.to_builtins(config)


async def remember_task(session: AsyncSession, provider: str, task_id: str, job_id: uuid.UUID) -> None:
    await session.execute(
        pg_insert(TASKS).values(provider=provider, task_id=task_id, job_id=job_id).on_conflict_do_nothing()
    )


async def tasks_since(db: Executor, provider: str, since: datetime) -> set[str]:
    """The tasks of ``provider`` any job recorded since ``since``."""
    rows = await db.execute(select(TASKS.c.task_id).where(TASKS.c.provider == provider, TASKS.c.created_at >= since))
    return {row.task_id for row in rows}
