"""Every SQL statement of the media service."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta
from typing import Any
from typing import cast as cast_type

from sqlalchemy import ColumnElement, Table, and_, bindparam, case, delete, func, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert

from assetforge.common.db.repository import Repository
from assetforge.media.models import GENERATED_NAME_PREDICATE, CdnState, MediaRecord

_FILES = cast_type("Table", MediaRecord.__table__)
_C = _FILES.c
# The advisory-lock class of stored objects (the first of the two-key form, which shares
# no keys with the one-key locks migrations take).
_OBJECT_LOCK = 0x6D656469  # "medi"


@dataclass(frozen=True, slots=True)
class FileRow:
    """A record, in the column order of ``_ROW``."""

    id: uuid.UUID
    owner_id: str | None
    kind: str
    mime_type: str
    size: int
    sha256: str
    bucket: str
    object_name: str
    file_name: str | None
    entity_type: str | None
    entity_id: str | None
    metadata: dict[str, Any]
    cdn_state: str
    cdn_url: str | None
    cdn_attempts: int
    cdn_error: str | None
    expires_at: datetime | None
    created_at: datetime
    updated_at: datetime


_ROW = tuple(_C[f.name] for f in fields(FileRow))


@dataclass(frozen=True, slots=True)
class NewRecord:
    id: uuid.UUID
    owner_id: str | None
    kind: str
    mime_type: str
    size: int
    sha256: str
    bucket: str
    object_name: str
    file_name: str | None
    entity_type: str | None
    entity_id: str | None
    metadata: dict[str, Any]
    cdn_state: str


@dataclass(frozen=True, slots=True)
class FileFilter:
    """Whose files (None: everyone's, for admins) and which."""

    owner_id: str | None
    entity_type: str | None = None
    entity_id: str | None = None
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class PagePosition:
    """Keyset position: the page starts after this (created_at, id)."""

    created_at: datetime
    id: uuid.UUID


@dataclass(frozen=True, slots=True)
class StorageCounts:
    files: int
    mirrored: int
    pending: int
    failed: int


@dataclass(frozen=True, slots=True)
class AttemptNoted:
    attempts: int
    state: str


@dataclass(frozen=True, slots=True)
class ExpiredImage:
    id: uuid.UUID
    bucket: str
    object_name: str


def _live_file() -> ColumnElement[bool]:
    return and_(_C.deleted_at.is_(None), _C.expires_at.is_(None))


def _values(record: NewRecord) -> dict[str, Any]:
    return asdict(record)


class FileRepository(Repository):
    async def lock_object(self, bucket: str, name: str) -> None:
        """Serialise, until this transaction ends, every change to who uses one object:
        a delete that finds no other record and removes the object must not interleave
        with a new record of the same bytes (or of the same generated name)."""
        await self._executor.execute(
            select(func.pg_advisory_xact_lock(_OBJECT_LOCK, func.hashtext(f"{bucket}/{name}")))
        )

    async def insert(self, record: NewRecord, *, ttl_s: int | None = None) -> FileRow:
        values = _values(record)
        if ttl_s is not None:
            values["expires_at"] = func.now() + timedelta(seconds=ttl_s)
        statement = insert(_FILES).values(values).returning(*_ROW)
        return FileRow(*(await self._executor.execute(statement)).one())

    async def upsert_generated(self, record: NewRecord) -> FileRow:
        """Insert, or replace what the live record of the same generated name says (its
        id, owner and creation time stay): the name is the file, the bytes changed."""
        new = insert(_FILES).values(_values(record))
        replaced = {
            name: new.excluded[name]
            for name in ("owner_id", "kind", "mime_type", "size", "sha256", "file_name", "metadata", "cdn_state")
        }
        statement = new.on_conflict_do_update(
            index_elements=[_C.object_name],
            # The partial index's own predicate, as text: with the bucket as a bound
            # parameter PostgreSQL cannot match the index once it plans the statement
            # generically (asyncpg's prepared statements, after five runs).
            index_where=text(GENERATED_NAME_PREDICATE),
            set_={**replaced, "cdn_url": None, "cdn_attempts": 0, "cdn_error": None, "updated_at": func.now()},
        ).returning(*_ROW)
        return FileRow(*(await self._executor.execute(statement)).one())

    async def get_file(self, file_id: uuid.UUID) -> FileRow | None:
        """A live file's record (deleted ones and temporary images are not files)."""
        row = (await self._executor.execute(select(*_ROW).where(_C.id == file_id, _live_file()))).first()
        return FileRow(*row) if row else None

    async def list_page(self, where: FileFilter, after: PagePosition | None, limit: int) -> list[FileRow]:
        """Newest first; ``limit`` rows (callers ask for one extra to see a next page)."""
        conditions = [_live_file()]
        if where.owner_id is not None:
            conditions.append(_C.owner_id == where.owner_id)
        if where.entity_type is not None:
            conditions.append(_C.entity_type == where.entity_type)
        if where.entity_id is not None:
            conditions.append(_C.entity_id == where.entity_id)
        if where.kind is not None:
            conditions.append(_C.kind == where.kind)
        if after is not None:
            position = tuple_(
                bindparam("after_created_at", after.created_at, type_=_C.created_at.type),
                bindparam("after_id", after.id, type_=_C.id.type),
            )
            conditions.append(tuple_(_C.created_at, _C.id) < position)
        query = select(*_ROW).where(*conditions).order_by(_C.created_at.desc(), _C.id.desc()).limit(limit)
        return [FileRow(*row) for row in await self._executor.execute(query)]

    async def mark_deleted(self, file_id: uuid.UUID) -> bool:
        """Whether this call deleted it (False: it was already gone)."""
        statement = (
            update(_FILES)
            .where(_C.id == file_id, _live_file())
            .values(deleted_at=func.now(), updated_at=func.now())
            .returning(_C.id)
        )
        return (await self._executor.execute(statement)).first() is not None

    async def live_references(self, bucket: str, name: str) -> int:
        query = select(func.count()).where(_C.bucket == bucket, _C.object_name == name, _C.deleted_at.is_(None))
        return int((await self._executor.execute(query)).scalar_one())

    async def mirrored_copy(self, bucket: str, name: str) -> str | None:
        """The CDN URL of another record of the same object that is mirrored already."""
        query = (
            select(_C.cdn_url)
            .where(
                _C.bucket == bucket, _C.object_name == name, _C.cdn_state == CdnState.MIRRORED, _C.cdn_url.is_not(None)
            )
            .limit(1)
        )
        return cast_type("str | None", (await self._executor.execute(query)).scalar())

    async def set_mirrored(self, file_id: uuid.UUID, sha256: str, cdn_url: str, *, uploaded: bool) -> bool:
        """Whether the record (still holding those bytes) now points at its CDN copy."""
        attempts = _C.cdn_attempts + 1 if uploaded else _C.cdn_attempts
        return await self._set_cdn(file_id, sha256, cdn_state=CdnState.MIRRORED, cdn_url=cdn_url, cdn_attempts=attempts)

    async def set_failed(self, file_id: uuid.UUID, sha256: str, error: str) -> bool:
        return await self._set_cdn(
            file_id, sha256, cdn_state=CdnState.FAILED, cdn_error=error[:1000], cdn_attempts=_C.cdn_attempts + 1
        )

    async def note_attempt(self, file_id: uuid.UUID, sha256: str, error: str, max_attempts: int) -> AttemptNoted | None:
        """Count a failed try; the one that reaches ``max_attempts`` marks the record failed.
        None: no live record with those bytes is waiting for the CDN any more."""
        attempts = _C.cdn_attempts + 1
        statement = (
            update(_FILES)
            .where(_C.id == file_id, _C.sha256 == sha256, _C.deleted_at.is_(None), _C.cdn_state == CdnState.PENDING)
            .values(
                cdn_attempts=attempts,
                cdn_error=error[:1000],
                cdn_state=case((attempts >= max_attempts, CdnState.FAILED.value), else_=_C.cdn_state),
                updated_at=func.now(),
            )
            .returning(_C.cdn_attempts, _C.cdn_state)
        )
        row = (await self._executor.execute(statement)).first()
        return AttemptNoted(*row) if row else None

    async def _set_cdn(self, file_id: uuid.UUID, sha256: str, **values: Any) -> bool:
        statement = (
            update(_FILES)
            .where(_C.id == file_id, _C.sha256 == sha256, _C.deleted_at.is_(None))
            .values(**values, updated_at=func.now())
            .returning(_C.id)
        )
        return (await self._executor.execute(statement)).first() is not None

    async def storage_counts(self) -> StorageCounts:
        def state(name: CdnState) -> ColumnElement[int]:
            return func.count().filter(_C.cdn_state == name.value)

        query = select(func.count(), state(CdnState.MIRRORED), state(CdnState.PENDING), state(CdnState.FAILED)).where(
            _live_file()
        )
        files, mirrored, pending, failed = (await self._executor.execute(query)).one()
        return StorageCounts(files=files, mirrored=mirrored, pending=pending, failed=failed)

    async def claim_expired(self, limit: int) -> list[ExpiredImage]:
        """Expired temporary images, locked for this transaction; replicas sweeping at the
        same time skip each other's rows."""
        query = (
            select(_C.id, _C.bucket, _C.object_name)
            .where(_C.expires_at <= func.now())
            .order_by(_C.expires_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [ExpiredImage(*row) for row in await self._executor.execute(query)]

    async def delete_records(self, ids: list[uuid.UUID]) -> None:
        await self._executor.execute(delete(_FILES).where(_C.id.in_(ids)))
