"""Errors as types, each mapped to one wire code; the gateway maps codes to HTTP."""

from __future__ import annotations

from typing import ClassVar, Self

from assetforge.common.contracts.errors import ErrorCode, ErrorReply, FieldError


class AppError(Exception):
    """An error a caller may see: its code and message are safe to return."""

    code: ClassVar[ErrorCode] = ErrorCode.INTERNAL_SERVER_ERROR

    def __init__(self, message: str, fields: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields

    @classmethod
    def of(cls, field: str, message: str) -> Self:
        """An error about one field: ``ValidationFailed.of("expiresAt", "must be in the future")``."""
        return cls(f"{field} {message}", [FieldError(field=field, message=message)])

    def to_reply(self) -> ErrorReply:
        return ErrorReply(code=self.code, message=self.message, fields=self.fields)


class BadRequest(AppError):
    code = ErrorCode.BAD_REQUEST


class Unauthorized(AppError):
    code = ErrorCode.UNAUTHORIZED


class Forbidden(AppError):
    code = ErrorCode.FORBIDDEN


class NotFound(AppError):
    code = ErrorCode.NOT_FOUND


class Conflict(AppError):
    code = ErrorCode.CONFLICT


class PayloadTooLarge(AppError):
    code = ErrorCode.PAYLOAD_TOO_LARGE


class ValidationFailed(AppError):
    code = ErrorCode.VALIDATION_ERROR


class ExternalServiceError(AppError):
    code = ErrorCode.EXTERNAL_SERVICE_ERROR


class ServiceUnavailable(AppError):
    code = ErrorCode.SERVICE_UNAVAILABLE


class GatewayTimeout(AppError):
    code = ErrorCode.GATEWAY_TIMEOUT


class QuotaExceeded(AppError):
    """The caller's daily generation budget would be passed (402)."""

    code = ErrorCode.QUOTA_EXCEEDED


class InternalError(AppError):
    code = ErrorCode.INTERNAL_SERVER_ERROR


_BY_CODE: dict[ErrorCode, type[AppError]] = {
    cls.code: cls
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
        PayloadTooLarge,
        ValidationFailed,
        ExternalServiceError,
        ServiceUnavailable,
        GatewayTimeout,
        QuotaExceeded,
        InternalError,
    )
}


def from_reply(reply: ErrorReply) -> AppError:
    """Rebuild the typed error a remote service raised."""
    cls = _BY_CODE.get(reply.code, InternalError)
    return cls(reply.message, reply.fields)
