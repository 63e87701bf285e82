"""The gateway's own bus API (its durable consumers), as AsyncAPI."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, get

from assetforge.common.docs import asyncapi_document


@get("/docs/asyncapi", media_type=MediaType.JSON, include_in_schema=False)
async def asyncapi(request: Request[Any, Any, Any]) -> dict[str, Any]:
    return asyncapi_document(request.app.state.gateway.runtime)
