"""Signing out."""

from __future__ import annotations

from litestar import Controller, post

from assetforge.gateway.auth.guards import requires_user
from assetforge.gateway.deps import Me, Session
from assetforge.gateway.openapi import ERRORS, SECURED
from assetforge.gateway.service import sign_out


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
    async def logout(self, session: Session, me: Me) -> None:
        await sign_out.sign_out(session, me.principal.user_id, me.session_key)
