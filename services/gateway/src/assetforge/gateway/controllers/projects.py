"""Projects, served by the assets service over NATS: the caller's own (an admin's: any)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Response, delete, get, patch, post
from litestar.params import JSONBody, PathParameter, QueryParameter

from assetforge.common.contracts import projects as contract
from assetforge.gateway.auth.guards import requires_user
from assetforge.gateway.controllers.catalog import CatalogController, Cursor, Limit, OwnerId, json_body, refuse_nul
from assetforge.gateway.deps import AnyRequest, Bus, catalog_of
from assetforge.gateway.openapi import ERRORS, ERRORS_WITH_NOT_FOUND, SECURED, json_reply

ProjectId = Annotated[UUID, PathParameter()]


class ProjectsController(CatalogController):
    path = "/api/projects"
    tags = ["projects"]  # noqa: RUF012 - Litestar reads this class attribute
    guards = [requires_user]  # noqa: RUF012
    security = SECURED

    @post(
        "/",
        summary="Create a project",
        responses={201: json_reply(contract.ProjectReply, "The project"), **ERRORS},
    )
    async def create(self, bus: Bus, data: JSONBody[contract.CreateProject]) -> Response[bytes]:
        refuse_nul(settings=data.settings, metadata=data.metadata)
        return json_body(await bus.request_raw(contract.PROJECT_CREATE, data), 201)

    @get(
        "/",
        summary="The caller's projects",
        description="Newest first; archived ones only with `includeArchived=true`. Pass `nextCursor` back as "
        "`cursor`. An admin may list another user's with `ownerId`.",
        responses={200: json_reply(contract.ProjectList, "A page of projects"), **ERRORS},
    )
    async def list_projects(
        self,
        bus: Bus,
        limit: Limit = contract.DEFAULT_PAGE_SIZE,
        cursor: Cursor = None,
        include_archived: Annotated[bool, QueryParameter(name="includeArchived")] = False,
        owner_id: OwnerId = None,
    ) -> Response[bytes]:
        query = contract.ListProjects(limit=limit, cursor=cursor, include_archived=include_archived, owner_id=owner_id)
        return json_body(await bus.request_raw(contract.PROJECT_LIST, query))

    @get(
        "/{project_id:uuid}",
        summary="Get one project",
        description="Its owner's or an admin's only (404 otherwise).",
        responses={200: json_reply(contract.ProjectReply, "The project"), **ERRORS_WITH_NOT_FOUND},
    )
    async def get_project(self, bus: Bus, project_id: ProjectId) -> Response[bytes]:
        return json_body(await bus.request_raw(contract.PROJECT_GET, contract.ProjectRef(id=str(project_id))))

    @patch(
        "/{project_id:uuid}",
        summary="Change a project",
        description="Only the fields sent change; `settings` and `metadata` are replaced whole. Owner or admin.",
        responses={200: json_reply(contract.ProjectReply, "The project"), **ERRORS_WITH_NOT_FOUND},
    )
    async def update(self, bus: Bus, project_id: ProjectId, data: JSONBody[contract.ProjectChanges]) -> Response[bytes]:
        refuse_nul(settings=data.settings, metadata=data.metadata)
        command = contract.UpdateProject(id=str(project_id), changes=data)
        return json_body(await bus.request_raw(contract.PROJECT_UPDATE, command))

    @delete(
        "/{project_id:uuid}",
        summary="Delete a project",
        description="Owner or admin. Its assets are kept, with no project.",
        status_code=200,
        responses={200: json_reply(contract.ProjectDeleted, "Deleted"), **ERRORS_WITH_NOT_FOUND},
    )
    async def delete_project(self, request: AnyRequest, bus: Bus, project_id: ProjectId) -> Response[bytes]:
        reply = await bus.request_raw(contract.PROJECT_DELETE, contract.ProjectRef(id=str(project_id)))
        catalog_of(request).clear()  # its assets are unassigned
        return json_body(reply)

    @post(
        "/{project_id:uuid}/archive",
        summary="Archive a project",
        description="Owner or admin; archiving an archived project changes nothing.",
        status_code=200,
        responses={200: json_reply(contract.ProjectReply, "The project"), **ERRORS_WITH_NOT_FOUND},
    )
    async def archive(self, bus: Bus, project_id: ProjectId) -> Response[bytes]:
        return json_body(await bus.request_raw(contract.PROJECT_ARCHIVE, contract.ProjectRef(id=str(project_id))))

    @post(
        "/{project_id:uuid}/restore",
        summary="Restore an archived project",
        description="Owner or admin; restoring an active project changes nothing.",
        status_code=200,
        responses={200: json_reply(contract.ProjectReply, "The project"), **ERRORS_WITH_NOT_FOUND},
    )
    async def restore(self, bus: Bus, project_id: ProjectId) -> Response[bytes]:
        return json_body(await bus.request_raw(contract.PROJECT_RESTORE, contract.ProjectRef(id=str(project_id))))

    @get(
        "/{project_id:uuid}/assets",
        summary="A project's assets",
        description="The ones the caller may see, newest first. Pass `nextCursor` back as `cursor`.",
        responses={200: json_reply(contract.ProjectAssets, "A page of assets"), **ERRORS_WITH_NOT_FOUND},
    )
    async def assets(
        self, bus: Bus, project_id: ProjectId, limit: Limit = contract.DEFAULT_PAGE_SIZE, cursor: Cursor = None
    ) -> Response[bytes]:
        query = contract.ListProjectAssets(id=str(project_id), limit=limit, cursor=cursor)
        return json_body(await bus.request_raw(contract.PROJECT_ASSETS, query))

    @get(
        "/{project_id:uuid}/stats",
        summary="A project's figures",
        description="Asset count and count by type, the bytes of their files the catalog knows (0 when none "
        "is known), and the latest change to the project or its assets.",
        responses={200: json_reply(contract.ProjectStats, "The figures"), **ERRORS_WITH_NOT_FOUND},
    )
    async def stats(self, bus: Bus, project_id: ProjectId) -> Response[bytes]:
        return json_body(await bus.request_raw(contract.PROJECT_STATS, contract.ProjectRef(id=str(project_id))))
