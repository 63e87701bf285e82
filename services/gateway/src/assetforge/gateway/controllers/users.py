"""The signed-in user: profile, settings, personal API keys, and their own provider keys
(kept by the generation service; ``/api-keys`` serves both, told apart by the body)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Response, delete, get, post
from litestar.params import JSONBody, PathParameter

from assetforge.common.contracts import provider_keys as keys
from assetforge.gateway import schemas
from assetforge.gateway.auth.guards import requires_user
from assetforge.gateway.controllers.catalog import json_body
from assetforge.gateway.deps import Bus, GatewaySettings, Me, Session
from assetforge.gateway.openapi import ERRORS, ERRORS_WITH_NOT_FOUND, SECURED, json_reply
from assetforge.gateway.service import api_keys, users

_SAVED = json_reply(keys.KeysSaved, "Which providers now have a key of yours stored (never the keys)")


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

    @post(
        "/api-keys",
        summary="Create a personal API key (shown once), or store your own provider keys",
        description="`{name, expiresAt?}` creates a personal `af_` key (201, the key shown this once). "
        "`{meshyApiKey?, aiGatewayApiKey?, elevenLabsApiKey?}` stores your own keys for those providers "
        "(200): sealed at rest, never answered back; your generation jobs then call each provider with "
        'your key instead of the deployment\'s. Per field: null or absent leaves it, `""` removes it.',
        status_code=201,
        responses={
            201: json_reply(schemas.ApiKeyCreated, "The new personal key"),
            200: _SAVED,
            **ERRORS,
        },
    )
    async def create_api_key(
        self, session: Session, me: Me, bus: Bus, gateway_settings: GatewaySettings, data: JSONBody[schemas.ApiKeysBody]
    ) -> Response[Any]:
        provider_keys = data.provider_keys()
        if provider_keys is not None:
            return json_body(await bus.request_raw(keys.KEYS_SET, provider_keys))
        live = gateway_settings.auth.live_keys
        created = await api_keys.create_api_key(session, me.principal.user_id, data.personal_key(), live=live)
        return Response(created, status_code=201)

    @get(
        "/api-keys/status",
        summary="Which providers you stored your own key for",
        responses={200: json_reply(keys.KeysStatus, "`keysConfigured`: one flag per provider"), **ERRORS},
    )
    async def provider_keys_status(self, bus: Bus) -> Response[bytes]:
        return json_body(await bus.request_raw(keys.KEYS_STATUS, keys.ReadKeysStatus()))

    @delete(
        "/api-keys",
        summary="Remove your own provider keys",
        description="Every one of them; your jobs use the deployment's providers again. Personal `af_` keys "
        "are revoked one by one (`DELETE /api/users/api-keys/{keyId}`).",
        status_code=200,
        responses={200: _SAVED, **ERRORS},
    )
    async def delete_provider_keys(self, bus: Bus) -> Response[bytes]:
        return json_body(await bus.request_raw(keys.KEYS_DELETE, keys.DeleteProviderKeys()))

    @get("/api-keys", summary="The user's API keys (never the keys themselves)", responses=ERRORS)
    async def list_api_keys(self, session: Session, me: Me) -> schemas.ApiKeyList:
        return await api_keys.list_api_keys(session, me.principal.user_id)

    @delete("/api-keys/{key_id:uuid}", summary="Revoke an API key", status_code=204, responses=ERRORS_WITH_NOT_FOUND)
    async def revoke_api_key(self, session: Session, me: Me, key_id: Annotated[UUID, PathParameter()]) -> None:
        await api_keys.revoke_api_key(session, me.principal.user_id, key_id)
