"""What the catalog's controllers share: the original frontend's 422 for a body or query
that breaks the schema, bodies checked exactly, free-form members without NUL, and the
assets service's reply bytes passed through."""

from __future__ import annotations

import re
from typing import Annotated, Any

import msgspec
from litestar import Controller, MediaType, Response
from litestar.params import QueryParameter

from assetforge.common.bus.codec import validation_failure
from assetforge.common.contracts.assets import MAX_PAGE_SIZE
from assetforge.common.contracts.errors import ErrorCode, FieldError
from assetforge.common.errors import ValidationFailed
from assetforge.common.jsonvalue import holds_nul
from assetforge.gateway.deps import AnyRequest
from assetforge.gateway.schemas import NO_NUL

# The edge's INVALID_REQUEST key (controllers may not import the edge): a body or query
# that breaks the schema is a 422 naming the field, as the original frontend expects.
CATALOG_OPT: dict[str, Any] = {"invalid_request": ErrorCode.VALIDATION_ERROR}

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)]
Cursor = Annotated[str | None, QueryParameter(max_length=512, pattern=NO_NUL)]
OwnerId = Annotated[
    str | None,
    QueryParameter(name="ownerId", min_length=1, max_length=128, pattern=NO_NUL, description="Admins only"),
]

_MISSING = re.compile(r"^Object missing required field `(?P<name>[^`]+)`")


async def exact_body(request: AnyRequest) -> None:
    """A route's JSON body, checked against its documented type exactly before Litestar
    converts it leniently (which takes 0 for false and "5" for 5). A problem is a 422 naming
    its path (``factions[2]``), a missing member included (``name``, not ``body``)."""
    body = request.route_handler.parsed_fn_signature.parameters.get("data")
    if body is None:
        return
    try:
        msgspec.convert(await request.json(), body.annotation, strict=True)
    except msgspec.ValidationError as error:
        found = validation_failure(error).fields or []
        field, message = (found[0].field, found[0].message) if found else ("body", str(error))
        missing = _MISSING.match(message)
        if missing:
            field = missing["name"] if field == "body" else f"{field}.{missing['name']}"
        raise ValidationFailed(f"invalid {field}", [FieldError(field=field, message=message)]) from error


def json_body(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response[bytes]:
    return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)


def refuse_nul(**members: object) -> None:
    """Free-form members: no schema can say "no NUL at any depth", so it is checked here,
    naming the member (PostgreSQL's JSONB cannot hold one). An unsent member is skipped."""
    for name, value in members.items():
        if value is not msgspec.UNSET and holds_nul(value):
            raise ValidationFailed.of(name, "must not contain NUL (U+0000) characters")


class CatalogController(Controller):
    """What every catalog controller is: the compatible 422 and bodies checked exactly."""

    opt = CATALOG_OPT
    before_request = staticmethod(exact_body)
