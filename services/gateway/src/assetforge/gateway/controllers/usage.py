"""What the signed-in user has spent on generation today (kept by the generation service)."""

from __future__ import annotations

from litestar import Response, get

from assetforge.common.contracts import usage as contract
from assetforge.gateway.auth.guards import requires_user
from assetforge.gateway.controllers.catalog import CatalogController, json_body
from assetforge.gateway.deps import Bus
from assetforge.gateway.openapi import ERRORS, SECURED, json_reply


class UsageController(CatalogController):
    path = "/api/users/me/usage"
    tags = ["users"]  # noqa: RUF012 - Litestar reads this class attribute

    @get(
        "/",
        summary="Your generation usage today",
        description="Expected provider credits of the work you submitted since midnight UTC, and what is left "
        "of GENERATION_DAILY_CREDITS (`dailyCredits` and `remaining` are null without a budget). Work "
        "over the budget is refused with 402 QUOTA_EXCEEDED before any provider is called.",
        guards=[requires_user],
        security=SECURED,
        responses={200: json_reply(contract.Usage, "Today's usage"), **ERRORS},
    )
    async def usage(self, bus: Bus) -> Response[bytes]:
        return json_body(await bus.request_raw(contract.USAGE_GET, contract.ReadUsage()))
