"""msgspec JSON encoding for the bus, and validation errors turned into field errors."""

from __future__ import annotations

import re
from typing import Any

import msgspec

from assetforge.common.contracts.errors import FieldError
from assetforge.common.errors import ValidationFailed
from assetforge.common.jsonvalue import holds_nul

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
    """A request as its Struct, or ValidationFailed: a sender's mistake is never a 500.

    No text on the bus may hold a NUL (U+0000): every service stores what it receives in
    PostgreSQL, whose text and JSONB refuse it. JSON can carry one only escaped, so the
    check is a search of the raw bytes, exact only when that finds something.
    """
    try:
        message = msgspec.json.decode(data or b"{}", type=message_type)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        raise validation_failure(error) from error
    except UnicodeDecodeError as error:
        raise ValidationFailed.of("body", "is not valid UTF-8") from error
    except RecursionError as error:
        raise ValidationFailed.of("body", "nests too deeply") from error
    if b"\\u0000" in data and holds_nul(msgspec.json.decode(data)):
        raise ValidationFailed.of("body", "must not contain NUL (U+0000) characters")
    return message
