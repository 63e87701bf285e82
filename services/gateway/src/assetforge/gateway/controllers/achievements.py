"""Achievements, served by the assets service over NATS: the catalogue and one's own."""

from __future__ import annotations

from litestar import Controller, MediaType, Response, get

from assetforge.common.contracts import achievements as contract
from assetforge.gateway.auth.guards import requires_user
from assetforge.gateway.deps import Bus
from assetforge.gateway.openapi import ERRORS, SECURED, json_reply


class AchievementsController(Controller):
    path = "/api/achievements"
    tags = ["achievements"]  # noqa: RUF012 - Litestar reads this class attribute

    @get(
        "/",
        summary="The achievement catalogue",
        description="Every achievement there is, in display order.",
        responses={200: json_reply(contract.AchievementCatalogue, "The catalogue"), **ERRORS},
    )
    async def catalogue(self, bus: Bus) -> Response[bytes]:
        reply = await bus.request_raw(contract.ACHIEVEMENT_LIST, contract.ListAchievements())
        return Response(reply, media_type=MediaType.JSON)

    @get(
        "/me",
        summary="The caller's achievements",
        description="Earned achievements, oldest first, and the sum of their points.",
        guards=[requires_user],
        security=SECURED,
        responses={200: json_reply(contract.UserAchievements, "The caller's achievements"), **ERRORS},
    )
    async def mine(self, bus: Bus) -> Response[bytes]:
        reply = await bus.request_raw(contract.ACHIEVEMENT_MINE, contract.MyAchievements())
        return Response(reply, media_type=MediaType.JSON)
