"""Projects: who sees one (its owner, and admins), how pages are cut, what each change
emits, and what deleting one does to its assets (they stay, with no project)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Protocol, TypeVar

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.assets.models import outbox
from assetforge.assets.repository.projects import NewProject, Position, ProjectRepository, ProjectUpdate
from assetforge.assets.repository.relationships import RelationshipRepository
from assetforge.assets.service import assets as catalog
from assetforge.common import cursors
from assetforge.common.bus.context import Principal
from assetforge.common.bus.outbox import add_event
from assetforge.common.contracts.assets import ListAssets
from assetforge.common.contracts.projects import (
    PROJECT_ENTITY,
    CreateProject,
    ListProjectAssets,
    ListProjects,
    Project,
    ProjectAssets,
    ProjectDeleted,
    ProjectEvent,
    ProjectList,
    ProjectReply,
    ProjectStats,
    UpdateProject,
    project_event_subject,
)
from assetforge.common.db.repository import Executor
from assetforge.common.errors import NotFound, Unauthorized, ValidationFailed
from assetforge.common.ids import uuid7

# Sizes are summed as NUMERIC; a reply carries at most what JSON clients read exactly.
_MAX_SIZE = 2**53 - 1


def encode_cursor(position: Position) -> str:
    return cursors.encode_cursor(position.created_at, position.id)


def decode_cursor(cursor: str) -> Position:
    """The position a cursor of ours names; anything else is a 422 naming ``cursor``."""
    return Position(*cursors.decode_cursor(cursor))


def parse_uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise ValidationFailed.of(field, "must be a UUID") from error


class _Row(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


Row = TypeVar("Row", bound=_Row)


def cut_page(rows: list[Row], limit: int) -> tuple[list[Row], str | None]:
    """A page of ``limit`` rows from ``limit + 1`` fetched, and the cursor to the next one
    (None when the extra row was not there)."""
    page = rows[:limit]
    if len(rows) <= limit:
        return page, None
    return page, encode_cursor(Position(page[-1].created_at, uuid.UUID(page[-1].id)))


_CHANGEABLE = ("name", "description", "settings", "metadata")


def signed_in(caller: Principal | None) -> Principal:
    if caller is None:
        raise Unauthorized("sign in first")
    return caller


async def _visible(db: Executor, project_id: str, caller: Principal, *, for_update: bool = False) -> Project:
    found = await ProjectRepository(db).get(
        parse_uuid(project_id, "id"), caller.user_id, admin=caller.is_admin, for_update=for_update
    )
    # Someone else's project answers exactly like a missing one, so ids cannot be probed.
    if found is None:
        raise NotFound("project not found")
    return found


async def _emit(session: AsyncSession, project: Project, event: str, unassigned: int | None = None) -> None:
    occurred_at = datetime.now(UTC) if event == "deleted" else project.updated_at
    payload = ProjectEvent(
        project_id=project.id,
        owner_id=project.owner_id,
        name=project.name,
        is_archived=project.is_archived,
        occurred_at=occurred_at,
        unassigned_assets=unassigned,
    )
    await add_event(session, outbox, project_event_subject(project.id, event), payload)


async def create_project(session: AsyncSession, command: CreateProject, caller: Principal | None) -> ProjectReply:
    owner = signed_in(caller)
    new = NewProject(
        id=uuid7(),
        owner_id=owner.user_id,
        name=command.name,
        description=command.description,
        settings=command.settings,
        metadata=command.metadata,
    )
    project = await ProjectRepository(session).insert(new)
    await _emit(session, project, "created")
    return ProjectReply(project=project)


async def list_projects(db: Executor, query: ListProjects, caller: Principal | None) -> ProjectList:
    """The caller's own projects; an admin may list another owner's with ``ownerId`` (a
    member naming anyone else gets an empty list, as for any filter matching nothing)."""
    viewer = signed_in(caller)
    owner_id = viewer.user_id
    if query.owner_id is not None and query.owner_id != owner_id:
        if not viewer.is_admin:
            return ProjectList(projects=[], next_cursor=None)
        owner_id = query.owner_id
    after = decode_cursor(query.cursor) if query.cursor else None
    rows = await ProjectRepository(db).list_page(
        owner_id, include_archived=query.include_archived, after=after, limit=query.limit + 1
    )
    page, next_cursor = cut_page(rows, query.limit)
    return ProjectList(projects=page, next_cursor=next_cursor)


async def get_project(db: Executor, project_id: str, caller: Principal | None) -> ProjectReply:
    return ProjectReply(project=await _visible(db, project_id, signed_in(caller)))


async def update_project(session: AsyncSession, command: UpdateProject, caller: Principal | None) -> ProjectReply:
    current = await _visible(session, command.id, signed_in(caller), for_update=True)
    sent = {name: value for name in _CHANGEABLE if (value := getattr(command.changes, name)) is not msgspec.UNSET}
    if not sent:
        return ProjectReply(project=current)
    changes = ProjectUpdate(changed=frozenset(sent), **sent)
    project = await ProjectRepository(session).update(uuid.UUID(current.id), changes)
    await _emit(session, project, "updated")
    return ProjectReply(project=project)


async def set_archived(
    session: AsyncSession, project_id: str, caller: Principal | None, *, archived: bool
) -> ProjectReply:
    """Archive or restore; asking for the state the project is already in changes nothing."""
    current = await _visible(session, project_id, signed_in(caller), for_update=True)
    if current.is_archived == archived:
        return ProjectReply(project=current)
    project = await ProjectRepository(session).set_archived(uuid.UUID(current.id), archived=archived)
    await _emit(session, project, "archived" if archived else "restored")
    return ProjectReply(project=project)


async def delete_project(session: AsyncSession, project_id: str, caller: Principal | None) -> ProjectDeleted:
    """Delete the project in one transaction: its assets are kept, with no project, and
    links to it go (the entity they name is gone)."""
    project = await _visible(session, project_id, signed_in(caller), for_update=True)
    unassigned = await ProjectRepository(session).delete(uuid.UUID(project.id))
    await RelationshipRepository(session).delete_touching(PROJECT_ENTITY, project.id)
    await _emit(session, project, "deleted", unassigned)
    return ProjectDeleted(id=project.id, unassigned_assets=unassigned)


async def project_assets(db: Executor, query: ListProjectAssets, caller: Principal | None) -> ProjectAssets:
    """The project's assets as the catalog lists them (the same visibility, order and
    cursor), once the caller may see the project."""
    viewer = signed_in(caller)
    project = await _visible(db, query.id, viewer)
    listing = ListAssets(limit=query.limit, cursor=query.cursor, project_id=project.id)
    page = await catalog.list_assets(db, listing, viewer)
    return ProjectAssets(assets=page.assets, next_cursor=page.next_cursor)


async def project_stats(db: Executor, project_id: str, caller: Principal | None) -> ProjectStats:
    viewer = signed_in(caller)
    project = await _visible(db, project_id, viewer)
    figures = await ProjectRepository(db).asset_figures(uuid.UUID(project.id), viewer.user_id, admin=viewer.is_admin)
    latest = project.updated_at
    if figures.last_modified_at is not None and figures.last_modified_at > latest:
        latest = figures.last_modified_at
    return ProjectStats(
        asset_count=figures.count,
        assets_by_type=figures.by_type,
        total_size_bytes=min(figures.total_size_bytes, _MAX_SIZE),
        last_modified_at=latest,
    )
