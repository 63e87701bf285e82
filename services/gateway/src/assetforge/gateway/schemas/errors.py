"""The one shape every error leaves the gateway in, whoever refuses the request."""

from __future__ import annotations

import msgspec

from assetforge.common.contracts.errors import ErrorCode, FieldError


class ErrorBody(msgspec.Struct, rename="camel", omit_defaults=True):
    error: ErrorCode
    message: str
    request_id: str
    fields: list[FieldError] | None = None
    # Only with RATE_LIMIT_EXCEEDED: seconds until the client may try again.
    retry_after: int | None = None
