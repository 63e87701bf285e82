"""The signed-in user: profile, settings and personal API keys."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.params import JSONBody, PathParameter

from assetforge.gateway import schemas
from assetforge.gateway.auth.guards import requires_user
from assetforge.gateway.deps import GatewaySettings, Me, Session
from assetforge.gateway.openapi import ERRORS, ERRORS_WITH_NOT_FOUND, SECURED
from assetforge.gateway.service import api_keys, users


class UsersController(Controller):
    path = "/api/users"
    tags = ["users"]  # noqa: RUF012 - Litestar reads this class attribute
    guards = [requires_user]  # noqa: RUF012
    security = SECURED

    @get("/me", summary="The signed-in user", responses=ERRORS)
    async def me(self, me: Me) -> schemas.UserReply:
        return schemas.UserReply(user=me.user)

    @post("/complete-profile", summary="Complete the profile", status_code=200, responses=ERRORS)
    async def complete_profile(
        self, session: Session, me: Me, data: JSONBody[schemas.CompleteProfile]
    ) -> schemas.UserReply:
        return schemas.UserReply(user=await users.complete_profile(session, me.principal.user_id, data))

    @post("/settings", summary="Merge settings (shallow; null removes a key)", status_code=200, responses=ERRORS)
    async def update_settings(
        self, session: Session, me: Me, data: JSONBody[schemas.UpdateSettings]
    ) -> schemas.UserReply:
        return schemas.UserReply(user=await users.update_settings(session, me.principal.user_id, data.settings))

    @post("/api-keys", summary="Create a personal API key (shown once)", status_code=201, responses=ERRORS)
    async def create_api_key(
        self, session: Session, me: Me, gateway_settings: GatewaySettings, data: JSONBody[schemas.CreateApiKey]
    ) -> schemas.ApiKeyCreated:
        return await api_keys.create_api_key(session, me.principal.user_id, data, live=gateway_settings.auth.live_keys)

    @get("/api-keys", summary="The user's API keys (never the keys themselves)", responses=ERRORS)
    async def list_api_keys(self, session: Session, me: Me) -> schemas.ApiKeyList:
        return await api_keys.list_api_keys(session, me.principal.user_id)

    @delete("/api-keys/{key_id:uuid}", summary="Revoke an API key", status_code=204, responses=ERRORS_WITH_NOT_FOUND)
    async def revoke_api_key(self, session: Session, me: Me, key_id: Annotated[UUID, PathParameter()]) -> None:
        await api_keys.revoke_api_key(session, me.principal.user_id, key_id)
