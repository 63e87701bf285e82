"""OpenAPI pieces shared by the controllers: the error body and documented replies."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, Schema, SecurityScheme
from litestar.plugins import OpenAPISchemaPlugin
from litestar.static_files import create_static_files_router
from litestar.typing import FieldDefinition

from assetforge.gateway.ratelimit.buckets import OPT
from assetforge.gateway.schemas.errors import ErrorBody

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator


def json_reply(data: type[Any], description: str) -> ResponseSpec:
    return ResponseSpec(data_container=data, description=description, generate_examples=False)


def _error(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=ErrorBody, description=description, generate_examples=False)


BEARER = "BearerToken"
# A route that needs a Privy access token or a personal API key.
SECURED: list[dict[str, list[str]]] = [{BEARER: []}]
# A public route that shows the signed-in caller more (their own private assets, say).
OPTIONAL_AUTH: list[dict[str, list[str]]] = [{}, {BEARER: []}]

_ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "A malformed parameter or body; `fields` names it",
    401: "Missing, malformed, expired or revoked credentials",
    403: "Signed in, but not allowed (role, or a cross-origin write)",
    404: "No such resource, or one the caller may not see",
    413: "The body is larger than MAX_REQUEST_BODY_MB",
    422: "The request is well formed but not valid",
    429: "Rate limit exceeded; `retryAfter` and Retry-After say when to come back",
    500: "Unexpected error (no internals are returned)",
    503: "A service or the message bus is unavailable",
    504: "A service did not answer in time",
}


def errors(*statuses: int) -> dict[int, ResponseSpec]:
    """The error replies a route documents, each in the error format."""
    return {status: _error(_ERROR_DESCRIPTIONS[status]) for status in statuses}


# What the edge may answer on any route before it runs, probes and metrics included:
# credentials presented but not valid, a body over the limit, an unexpected failure.
EDGE_ERRORS = errors(401, 413, 500)
# What any API route may answer (Litestar has no controller-wide `responses`: each route names them).
ERRORS = errors(400, 401, 403, 413, 422, 429, 500, 503, 504)
# ... and a route that names one resource in its path.
ERRORS_WITH_NOT_FOUND = errors(400, 401, 403, 404, 413, 422, 429, 500, 503, 504)


# Swagger UI's files, vendored from npm (services/gateway/scripts/vendor_swagger_ui.py) at
# the version pinned in swagger-ui.json: the page works offline, and no third party
# serves script into our origin.
_STATIC = Path(__file__).parent / "static"
SWAGGER_UI_FILES = _STATIC / "swagger-ui"
# The version is in the asset URLs, so an upgrade is a new URL and a year's cache is safe.
_IMMUTABLE = CacheControlHeader(public=True, max_age=365 * 24 * 3600, immutable=True)
_DOCS_PATH = "/swagger"


class _Pin(msgspec.Struct):
    version: str


def swagger_ui_version() -> str:
    return msgspec.json.decode((_STATIC / "swagger-ui.json").read_bytes(), type=_Pin).version


class SwaggerUI(SwaggerRenderPlugin):
    """Swagger UI at the docs root, its assets served beside it from the gateway's own
    copy under ``<docs>/assets/<version>/`` (which the rate limiter leaves alone)."""

    def __init__(self, docs_path: str, version: str) -> None:
        self._assets = f"/assets/{version}"
        base = f"{docs_path}{self._assets}"
        super().__init__(
            path="/",
            js_url=f"{base}/swagger-ui-bundle.js",
            css_url=f"{base}/swagger-ui.css",
            standalone_preset_js_url=f"{base}/swagger-ui-standalone-preset.js",
            # Litestar's default favicon is on a CDN too.
            favicon=f"<link rel='icon' type='image/png' href='{base}/favicon-32x32.png'>",
        )

    def receive_router(self, router: Router) -> None:
        super().receive_router(router)
        router.register(
            create_static_files_router(
                path=self._assets,
                directories=[SWAGGER_UI_FILES],
                name="swagger-ui-assets",
                cache_control=_IMMUTABLE,
                include_in_schema=False,
            )
        )


def openapi_config(version: str) -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Asset-Forge API",
        version=version,
        description="The HTTP API of Asset-Forge, the back end of a game-asset studio.",
        # The docs (page, document and Swagger UI's files) are never rate limited.
        openapi_router=Router(path=_DOCS_PATH, route_handlers=[], opt={OPT: None}, include_in_schema=False),
        render_plugins=[SwaggerUI(_DOCS_PATH, swagger_ui_version())],
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


class ClosedStructs(OpenAPISchemaPlugin):
    """Litestar documents every msgspec struct as open to extra properties; one that
    refuses unknown fields (``forbid_unknown_fields=True``) is documented as closed, so
    clients (and schema-driven fuzzers) know extra fields are a 400."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return (
            not field_definition.is_union
            and field_definition.is_subclass_of(msgspec.Struct)
            and bool(field_definition.type_.__struct_config__.forbid_unknown_fields)
        )

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        # The struct itself is described by the next plugin that knows structs: Litestar's own.
        describe = next(
            plugin
            for plugin in schema_creator.plugins
            if plugin is not self and schema_creator.plugin_supports_field(plugin, field_definition)
        )
        schema = describe.to_openapi_schema(field_definition, schema_creator)
        schema.additional_properties = False
        return schema
