"""The image proxy: a remote image for the studio, served from the API's origin (no CORS
trouble), fetched from public addresses only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, get
from litestar.datastructures import ResponseHeader, State
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example, Operation, Parameter, Schema
from litestar.params import QueryParameter
from litestar.response import Stream
from litestar.response.base import ASGIResponse

from assetforge.gateway.openapi import ERRORS
from assetforge.gateway.proxy.addresses import MAX_URL_LENGTH, URL_PATTERN
from assetforge.gateway.proxy.fetch import CACHE_CONTROL, ImageProxy
from assetforge.gateway.schemas import ErrorBody


def _error(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=ErrorBody, description=description, generate_examples=False)


_RESPONSES = {
    **ERRORS,
    400: _error("`url` is missing or malformed: not absolute http(s), credentials, a control character, too long"),
    403: _error("`url` (or a redirect) points to a non-public address: loopback, private, link-local, ..."),
    422: _error("`url` names a host that does not resolve"),
    502: _error("The upstream answered an error, too many redirects, no supported image, or one over the size cap"),
    504: _error("The image did not arrive within IMAGE_PROXY_TIMEOUT_S"),
}


class _ImageStream(Stream):
    """A stream answered with its own type (the image's): Litestar 2 would let the route's
    documented ``image/*`` override it."""

    def to_asgi_response(self, *args: Any, **kwargs: Any) -> ASGIResponse:
        return super().to_asgi_response(*args, **{**kwargs, "media_type": self.media_type})


@dataclass
class _UrlRequired(Operation):
    """Documents ``url`` as required, which it is: Litestar refuses a missing parameter
    without naming it, so the handler takes it as optional and the proxy refuses its
    absence itself, naming ``url`` like any other refusal of it."""

    def __post_init__(self) -> None:
        for parameter in self.parameters or []:
            if isinstance(parameter, Parameter) and parameter.name == "url":
                parameter.required = True
                if isinstance(parameter.schema, Schema):
                    parameter.schema.default = None


def image_proxy(state: State) -> ImageProxy:
    proxy: ImageProxy = state.image_proxy
    return proxy


class ImageProxyController(Controller):
    path = "/api/proxy"
    tags = ["proxy"]  # noqa: RUF012 - Litestar reads this class attribute

    @get(
        "/image",
        summary="A remote image, fetched for the browser",
        media_type="image/*",
        description=(
            "Fetches a PNG, JPEG, GIF, WebP, AVIF, BMP or ICO image (never SVG) from a public address, "
            "following at most IMAGE_PROXY_MAX_REDIRECTS redirects, and streams it with a year's caching."
        ),
        response_description="The image, its type read from its first bytes",
        response_headers=[
            ResponseHeader(name="Cache-Control", value=CACHE_CONTROL, documentation_only=True, required=True),
            ResponseHeader(
                name="X-Proxied-From",
                value="https://cdn.studio.example/renders/sword.png",
                description="The URL fetched",
                documentation_only=True,
                required=True,
            ),
        ],
        responses=_RESPONSES,
        operation_class=_UrlRequired,
    )
    async def image(
        self,
        state: State,
        url: Annotated[
            str,
            QueryParameter(
                description=(
                    "An absolute http or https URL of the image. The pattern describes host-name URLs; "
                    "IP literals are taken too, and refused unless public"
                ),
                max_length=MAX_URL_LENGTH,
                # Documented, not enforced by Litestar: the proxy's parser takes more (IP literals,
                # IDNA) and gives each refusal its reason.
                schema_extra={"pattern": URL_PATTERN},
                examples=[Example(value="https://cdn.studio.example/renders/sword.png")],
            ),
        ] = "",
    ) -> Stream:
        image = await image_proxy(state).fetch(url)
        return _ImageStream(image.chunks(), media_type=image.media_type, headers=image.headers)
