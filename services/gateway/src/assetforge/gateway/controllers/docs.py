"""The gateway's own bus API (its durable consumers and identity notices), as AsyncAPI."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, get
from litestar.datastructures import State

from assetforge.gateway.auth.guards import metrics_port_only
from assetforge.gateway.controllers.health import UNLIMITED
from assetforge.gateway.deps import gateway


@get("/docs/asyncapi", media_type=MediaType.JSON, include_in_schema=False, guards=[metrics_port_only], opt=UNLIMITED)
async def asyncapi(state: State) -> dict[str, Any]:
    return gateway(state).asyncapi()
