"""Bus endpoints of projects: decode, one service call, encode; the edge owns the transaction."""

from __future__ import annotations

from assetforge.assets.service import projects as service
from assetforge.common.bus.context import RequestContext
from assetforge.common.bus.rpc import RpcRouter
from assetforge.common.contracts import projects as contract
from assetforge.common.db import Database


def register(router: RpcRouter, database: Database) -> None:
    async def create(command: contract.CreateProject, context: RequestContext) -> contract.ProjectReply:
        async with database.unit_of_work() as session:
            return await service.create_project(session, command, context.principal)

    async def list_projects(query: contract.ListProjects, context: RequestContext) -> contract.ProjectList:
        async with database.read_only() as connection:
            return await service.list_projects(connection, query, context.principal)

    async def get(query: contract.ProjectRef, context: RequestContext) -> contract.ProjectReply:
        async with database.read_only() as connection:
            return await service.get_project(connection, query.id, context.principal)

    async def update(command: contract.UpdateProject, context: RequestContext) -> contract.ProjectReply:
        async with database.unit_of_work() as session:
            return await service.update_project(session, command, context.principal)

    async def delete(command: contract.ProjectRef, context: RequestContext) -> contract.ProjectDeleted:
        async with database.unit_of_work() as session:
            return await service.delete_project(session, command.id, context.principal)

    async def archive(command: contract.ProjectRef, context: RequestContext) -> contract.ProjectReply:
        async with database.unit_of_work() as session:
            return await service.set_archived(session, command.id, context.principal, archived=True)

    async def restore(command: contract.ProjectRef, context: RequestContext) -> contract.ProjectReply:
        async with database.unit_of_work() as session:
            return await service.set_archived(session, command.id, context.principal, archived=False)

    # Two statements each (the project, then its assets): read on one autocommit
    # connection, where a project deleted in between shows as an empty answer at worst.
    async def assets(query: contract.ListProjectAssets, context: RequestContext) -> contract.ProjectAssets:
        async with database.read_only() as connection:
            return await service.project_assets(connection, query, context.principal)

    async def stats(query: contract.ProjectRef, context: RequestContext) -> contract.ProjectStats:
        async with database.read_only() as connection:
            return await service.project_stats(connection, query.id, context.principal)

    router.add(
        contract.PROJECT_CREATE,
        contract.CreateProject,
        contract.ProjectReply,
        create,
        "Create a project for the principal; emits evt.assets.project.<id>.created",
    )
    router.add(
        contract.PROJECT_LIST,
        contract.ListProjects,
        contract.ProjectList,
        list_projects,
        "The principal's projects, newest first; archived ones only when asked",
    )
    router.add(
        contract.PROJECT_GET,
        contract.ProjectRef,
        contract.ProjectReply,
        get,
        "One project; its owner's or an admin's only",
    )
    router.add(
        contract.PROJECT_UPDATE,
        contract.UpdateProject,
        contract.ProjectReply,
        update,
        "Change a project (owner or admin); emits evt.assets.project.<id>.updated",
    )
    router.add(
        contract.PROJECT_DELETE,
        contract.ProjectRef,
        contract.ProjectDeleted,
        delete,
        "Delete a project (owner or admin); its assets are kept, unassigned; emits .deleted",
    )
    router.add(
        contract.PROJECT_ARCHIVE,
        contract.ProjectRef,
        contract.ProjectReply,
        archive,
        "Archive a project (owner or admin); emits evt.assets.project.<id>.archived",
    )
    router.add(
        contract.PROJECT_RESTORE,
        contract.ProjectRef,
        contract.ProjectReply,
        restore,
        "Restore an archived project (owner or admin); emits evt.assets.project.<id>.restored",
    )
    router.add(
        contract.PROJECT_ASSETS,
        contract.ListProjectAssets,
        contract.ProjectAssets,
        assets,
        "A project's assets the principal may see, newest first",
    )
    router.add(
        contract.PROJECT_STATS,
        contract.ProjectRef,
        contract.ProjectStats,
        stats,
        "Asset counts, types, sizes and the latest change of a project",
    )
