"""The signed-in user: profile, settings and personal API keys."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.params import JSONBody, PathParameter

from assetforge.gateway import schemas
from assetforge.gateway.guards import requires_user
from assetforge.gateway.openapi import ERRORS, ERRORS_WITH_NOT_FOUND, SECURED
from assetforge.gateway.service import identity as rules
from assetforge.gateway.state import AnyRequest, caller, gateway


class UsersController(Controller):
    path = "/api/users"
    tags = ["users"]  # noqa: RUF012 - Litestar reads this class attribute
    guards = [requires_user]  # noqa: RUF012
    security = SECURED

    @get("/me", summary="The signed-in user", responses=ERRORS)
    async def me(self, request: AnyRequest) -> schemas.UserReply:
        return schemas.UserReply(user=caller(request).user)

    @post("/complete-profile", summary="Complete the profile", status_code=200, responses=ERRORS)
    async def complete_profile(self, request: AnyRequest, data: JSONBody[schemas.CompleteProfile]) -> schemas.UserReply:
        state, me = gateway(request), caller(request)
        async with state.database.unit_of_work() as session:
            user = await rules.complete_profile(session, me.principal.user_id, data)
        await state.identity_events.announce(user_id=user.id)
        return schemas.UserReply(user=user)

    @post("/settings", summary="Merge settings (shallow; null removes a key)", status_code=200, responses=ERRORS)
    async def update_settings(self, request: AnyRequest, data: JSONBody[schemas.UpdateSettings]) -> schemas.UserReply:
        state, me = gateway(request), caller(request)
        async with state.database.unit_of_work() as session:
            user = await rules.update_settings(session, me.principal.user_id, data.settings)
        await state.identity_events.announce(user_id=user.id)
        return schemas.UserReply(user=user)

    @post("/api-keys", summary="Create a personal API key (shown once)", status_code=201, responses=ERRORS)
    async def create_api_key(self, request: AnyRequest, data: JSONBody[schemas.CreateApiKey]) -> schemas.ApiKeyCreated:
        state, me = gateway(request), caller(request)
        async with state.database.unit_of_work() as session:
            return await rules.create_api_key(session, me.principal.user_id, data, live=state.settings.auth.live_keys)

    @get("/api-keys", summary="The user's API keys (never the keys themselves)", responses=ERRORS)
    async def list_api_keys(self, request: AnyRequest) -> schemas.ApiKeyList:
        async with gateway(request).database.unit_of_work() as session:
            return await rules.list_api_keys(session, caller(request).principal.user_id)

    @delete("/api-keys/{key_id:uuid}", summary="Revoke an API key", status_code=204, responses=ERRORS_WITH_NOT_FOUND)
    async def revoke_api_key(self, request: AnyRequest, key_id: Annotated[UUID, PathParameter()]) -> None:
        state, me = gateway(request), caller(request)
        async with state.database.unit_of_work() as session:
            digest = await rules.revoke_api_key(session, me.principal.user_id, key_id)
        await state.identity_events.announce(digest=digest)
