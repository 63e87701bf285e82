"""Litestar's exception handlers: every error leaves the gateway as an :class:`ErrorBody`
(``{"error": CODE, "message": str, "requestId": str, "fields"?: [...]}``), the struct
the edge's own refusals and the OpenAPI document use too."""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from assetforge.common.contracts.errors import HTTP_STATUS, ErrorCode, FieldError
from assetforge.common.errors import AppError
from assetforge.common.observability.context import request_id_var
from assetforge.gateway.schemas.errors import ErrorBody

log = logging.getLogger(__name__)

_CODE_BY_STATUS = {status: code for code, status in HTTP_STATUS.items()}


def error_response(
    code: ErrorCode,
    message: str,
    *,
    status: int | None = None,
    fields: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[ErrorBody]:
    body = ErrorBody(error=code, message=message, request_id=request_id_var.get() or "", fields=fields or None)
    return Response(body, status_code=status or HTTP_STATUS[code], media_type=MediaType.JSON, headers=headers)


def _public_name(request: Request[Any, Any, Any], key: str) -> str:
    """The name the client used (``projectId``), not the handler's argument (``project_id``)."""
    if key == "data":  # Litestar's name for the request body
        return "body"
    try:
        parameter = request.route_handler.parsed_fn_signature.parameters.get(key)
    except Exception:  # noqa: BLE001 - no route resolved; the key is all we have
        return key
    alias = getattr(parameter.kwarg_definition, "name", None) if parameter else None
    return alias or key


def _message(item: dict[str, Any]) -> str:
    message = str(item.get("message", "invalid"))
    # A missing value comes as its own name, quoted (a KeyError's text).
    return "required" if item.get("key") and message == repr(str(item["key"])) else message


def _validation_fields(request: Request[Any, Any, Any], extra: Any) -> list[FieldError]:
    items = extra if isinstance(extra, list) else []
    return [
        FieldError(
            field=_public_name(request, str(item["key"])) if item.get("key") else "body",
            message=_message(item),
        )
        for item in items
        if isinstance(item, dict)
    ]


# The `opt` key through which a route (or its controller) says what a request that breaks
# its schema is: the identity routes answer 400; the catalog's, as the original frontend
# expects, 422 VALIDATION_ERROR ("a 422 only for a known field with a bad value").
INVALID_REQUEST = "invalid_request"


def handle_validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[ErrorBody]:
    fields = _validation_fields(request, exc.extra)
    names = ", ".join(f.field for f in fields) or "request"
    code = request.route_handler.opt.get(INVALID_REQUEST, ErrorCode.BAD_REQUEST)
    return error_response(code, f"invalid {names}", fields=fields)


def handle_http(_: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorBody]:
    code = _CODE_BY_STATUS.get(exc.status_code)
    if code is None:
        code = ErrorCode.BAD_REQUEST if exc.status_code < 500 else ErrorCode.INTERNAL_SERVER_ERROR
    message = exc.detail if exc.status_code < 500 else "internal error"
    return error_response(code, message, status=exc.status_code, headers=exc.headers)


def handle_app_error(_: Request[Any, Any, Any], exc: AppError) -> Response[ErrorBody]:
    return error_response(exc.code, exc.message, fields=exc.fields)


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(ErrorCode.INTERNAL_SERVER_ERROR, "internal error", status=HTTP_500_INTERNAL_SERVER_ERROR)


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    ValidationException: handle_validation,
    HTTPException: handle_http,
    AppError: handle_app_error,
    Exception: handle_unexpected,
}
