"""OpenAPI pieces shared by the controllers: the error body and documented replies."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import SwaggerRenderPlugin

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


ERRORS: dict[int, ResponseSpec] = {
    400: _error("A malformed parameter or body; `fields` names it"),
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
    )
