"""Administration: users and their roles, the activity log."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, put
from litestar.params import JSONBody, PathParameter, QueryParameter

from assetforge.gateway import schemas
from assetforge.gateway.auth.guards import requires_admin
from assetforge.gateway.deps import Me, Session
from assetforge.gateway.openapi import ERRORS, ERRORS_WITH_NOT_FOUND, SECURED
from assetforge.gateway.schemas import NO_NUL
from assetforge.gateway.service import activity, users

Limit = Annotated[int, QueryParameter(ge=1, le=200)]


class AdminController(Controller):
    path = "/api/admin"
    tags = ["admin"]  # noqa: RUF012 - Litestar reads this class attribute
    guards = [requires_admin]  # noqa: RUF012
    security = SECURED

    @get("/users", summary="Users, newest first; filter by role, search name, email or DID", responses=ERRORS)
    async def list_users(
        self,
        session: Session,
        role: Annotated[schemas.Role | None, QueryParameter()] = None,
        search: Annotated[str | None, QueryParameter(max_length=200, pattern=NO_NUL)] = None,
        limit: Limit = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> schemas.UserPage:
        return await users.list_users(session, role, search, limit, offset)

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
