"""A request body as it arrives, for routes that must not read it whole."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from litestar import Request
from litestar.exceptions import InternalServerException

from assetforge.common.errors import BadRequest, PayloadTooLarge


async def body_chunks(request: Request[Any, Any, Any]) -> AsyncIterator[bytes]:
    """The body's chunks, as uvicorn hands them over (64 KiB at most, usually).

    Litestar checks the route's ``request_max_body_size`` as they pass (413). A client
    that goes away mid-body is a 400 here, not Litestar's 500: nobody will read the
    answer, but the logs and metrics should not count it as our failure."""
    try:
        async for chunk in request.stream():
            if chunk:
                yield chunk
    except InternalServerException as error:
        raise BadRequest("the request body was interrupted") from error


async def bounded_body(request: Request[Any, Any, Any], limit: int) -> bytearray:
    """The whole body, refused with 413 as soon as it passes ``limit`` bytes."""
    if (request.content_length or 0) > limit:
        raise too_large(limit)
    body = bytearray()
    async for chunk in body_chunks(request):
        body += chunk
        if len(body) > limit:
            raise too_large(limit)
    return body


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"the body may hold at most {limit // (1024 * 1024)} MB")
