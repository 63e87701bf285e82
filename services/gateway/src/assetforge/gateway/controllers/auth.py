"""Signing out."""

from __future__ import annotations

from litestar import Controller, post

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
        summary="End the session of the presented token: every token of it is refused from now on",
        status_code=204,
        responses=ERRORS,
    )
    async def logout(self, request: AnyRequest) -> None:
        state, me = gateway(request), caller(request)
        async with state.database.unit_of_work() as session:
            ended = await rules.sign_out(session, me.principal.user_id, me.session_key)
        await state.identity_events.announce(session_key=ended)
