"""Signing out."""

from __future__ import annotations

from litestar import Controller, post

from assetforge.common.errors import BadRequest
from assetforge.gateway.guards import requires_user
from assetforge.gateway.openapi import ERRORS, SECURED
from assetforge.gateway.service import identity as rules
from assetforge.gateway.state import AnyRequest, caller, gateway


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]  # noqa: RUF012 - Litestar reads this class attribute
    guards = [requires_user]  # noqa: RUF012
    security = SECURED

    @post(
        "/logout",
        summary="Refuse the presented token from now until it expires",
        status_code=204,
        responses=ERRORS,
    )
    async def logout(self, request: AnyRequest) -> None:
        state, me = gateway(request), caller(request)
        if me.api_key_id is not None or me.expires_at is None:
            raise BadRequest("API keys are not signed out; revoke the key instead")
        async with state.database.unit_of_work() as session:
            await rules.sign_out(session, me.principal.user_id, me.credential_hash, int(me.expires_at))
        await state.identity_events.announce(digest=me.credential_hash)
