"""Keyset cursors of newest-first pages: the (created_at, id) a page starts after, as
opaque text. Every service's lists hand these out and take them back."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import UTC, datetime

from assetforge.common.errors import ValidationFailed

# Rows are stamped by the database's clock: a cursor naming a time outside these was forged.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
_REFUSED = "not a cursor returned by this API"


def encode_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    raw = f"{created_at.isoformat()}|{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The position a cursor of ours names; anything else is a 422 naming ``cursor``
    (a forged one may carry any time, or none with a zone: neither reaches the query)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _, ident = raw.partition("|")
        created_at = datetime.fromisoformat(stamp)
        position = (created_at.astimezone(UTC), uuid.UUID(ident)) if created_at.tzinfo else None
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError) as error:
        raise ValidationFailed.of("cursor", _REFUSED) from error
    if position is None or not EARLIEST <= position[0] <= LATEST:
        raise ValidationFailed.of("cursor", _REFUSED)
    return position
