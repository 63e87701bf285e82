"""msgspec JSON encoding for the bus, and validation errors turned into field errors."""

from __future__ import annotations

import re
from typing import Any

import msgspec

from assetforge.common.contracts.errors import FieldError
from assetforge.common.errors import ValidationFailed

encoder = msgspec.json.Encoder()

_PATH = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")


def validation_failure(error: msgspec.ValidationError | msgspec.DecodeError) -> ValidationFailed:
    """Name the offending field, e.g. ``limit``, from msgspec's ``- at `$.limit``` suffix."""
    text = str(error)
    match = _PATH.search(text)
    field = match.group("path") if match else ""
    message = _PATH.sub("", text)
    return ValidationFailed(message, [FieldError(field=field or "body", message=message)])


def decode(data: bytes, message_type: type[Any]) -> Any:
    try:
        return msgspec.json.decode(data or b"{}", type=message_type)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        raise validation_failure(error) from error
