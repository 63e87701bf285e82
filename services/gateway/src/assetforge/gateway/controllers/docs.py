"""The gateway's own bus API (its durable consumers), as AsyncAPI."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, get

from assetforge.common.docs import asyncapi_document
from assetforge.gateway.guards import metrics_port_only


@get("/docs/asyncapi", media_type=MediaType.JSON, include_in_schema=False, guards=[metrics_port_only])
async def asyncapi(request: Request[Any, Any, Any]) -> dict[str, Any]:
    return asyncapi_document(request.app.state.gateway.runtime)
