"""OpenAPI pieces shared by the controllers: the error body and documented replies."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from assetforge.common.contracts.errors import ErrorCode, FieldError


class ErrorBody(msgspec.Struct, rename="camel", omit_defaults=True):
    error: ErrorCode
    message: str
    request_id: str
    fields: list[FieldError] | None = None


def json_reply(data: type[Any], description: str) -> ResponseSpec:
    return ResponseSpec(data_container=data, description=description, generate_examples=False)


def _error(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=ErrorBody, description=description, generate_examples=False)


BEARER = "BearerToken"
# A route that needs a Privy access token or a personal API key.
SECURED: list[dict[str, list[str]]] = [{BEARER: []}]

ERRORS: dict[int, ResponseSpec] = {
    400: _error("A malformed parameter or body; `fields` names it"),
    401: _error("Missing, malformed, expired or revoked credentials"),
    403: _error("Signed in, but not allowed (role, or a cross-origin write)"),
    413: _error("The body is larger than MAX_REQUEST_BODY_MB"),
    429: _error("Rate limit exceeded; `retryAfter` and Retry-After say when to come back"),
    422: _error("The request is well formed but not valid"),
    500: _error("Unexpected error (no internals are returned)"),
    503: _error("A service or the message bus is unavailable"),
    504: _error("A service did not answer in time"),
}


def openapi_config(version: str) -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Asset-Forge API",
        version=version,
        description="The HTTP API of Asset-Forge, the back end of a game-asset studio.",
        path="/swagger",
        render_plugins=[SwaggerRenderPlugin(path="/")],
        components=Components(
            security_schemes={
                BEARER: SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="JWT",
                    description="A Privy access token (ES256 JWT) or a personal API key (af_live_… / af_test_…)",
                )
            }
        ),
    )
