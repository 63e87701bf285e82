"""Administration: users, their roles and deletion, the activity log."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, put
from litestar.params import JSONBody, PathParameter, QueryParameter

from assetforge.gateway import schemas
from assetforge.gateway.auth.guards import requires_admin
from assetforge.gateway.deps import Me, Session
from assetforge.gateway.openapi import ERRORS, ERRORS_WITH_NOT_FOUND, SECURED
from assetforge.gateway.schemas import NO_NUL
from assetforge.gateway.service import activity, users

Limit = Annotated[int, QueryParameter(ge=1, le=200)]
RoleFilter = Annotated[schemas.Role | None, QueryParameter()]
Search = Annotated[str | None, QueryParameter(max_length=200, pattern=NO_NUL)]
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000)]


class AdminController(Controller):
    path = "/api/admin"
    tags = ["admin"]  # noqa: RUF012 - Litestar reads this class attribute
    guards = [requires_admin]  # noqa: RUF012
    security = SECURED

    @get("/users", summary="Users, newest first; filter by role, search name, email or DID", responses=ERRORS)
    async def list_users(
        self,
        session: Session,
        role: RoleFilter = None,
        search: Search = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> schemas.UserPage:
        return await users.list_users(session, role, search, limit, offset)

    @delete(
        "/users/{user_id:uuid}",
        summary="Delete a user (not oneself)",
        description="Signs them out everywhere, revokes their API keys and empties their account of "
        "personal data; the account cannot sign in again.",
        status_code=200,
        responses=ERRORS_WITH_NOT_FOUND,
    )
    async def delete_user(
        self, session: Session, me: Me, user_id: Annotated[UUID, PathParameter()]
    ) -> schemas.UserRemoved:
        await users.delete_user(session, me.principal.user_id, user_id)
        return schemas.UserRemoved(success=True, user_id=str(user_id))

    @put("/users/{user_id:uuid}/role", summary="Grant a role (not to oneself)", responses=ERRORS_WITH_NOT_FOUND)
    async def change_role(
        self,
        session: Session,
        me: Me,
        user_id: Annotated[UUID, PathParameter()],
        data: JSONBody[schemas.ChangeRole],
    ) -> schemas.UserReply:
        return schemas.UserReply(user=await users.change_role(session, me.principal.user_id, user_id, data.role))

    @get("/activity-log", summary="Activity, newest first", responses=ERRORS)
    async def activity_log(
        self,
        session: Session,
        page: Annotated[int, QueryParameter(ge=1, le=100_000)] = 1,
        limit: Limit = 50,
        user_id: Annotated[str | None, QueryParameter(name="userId", max_length=128, pattern=NO_NUL)] = None,
        action: Annotated[str | None, QueryParameter(max_length=64, pattern=NO_NUL)] = None,
    ) -> schemas.ActivityPage:
        return await activity.activity_page(session, user_id, action, page, limit)


@get(
    "/api/users",
    summary="Users, newest first (administrators only)",
    description="The same listing as `/api/admin/users`, where the original frontend's dashboard reads it.",
    guards=[requires_admin],
    security=SECURED,
    tags=["admin"],
    responses=ERRORS,
)
async def list_all_users(
    session: Session, role: RoleFilter = None, search: Search = None, limit: Limit = 50, offset: Offset = 0
) -> schemas.UserPage:
    return await users.list_users(session, role, search, limit, offset)
