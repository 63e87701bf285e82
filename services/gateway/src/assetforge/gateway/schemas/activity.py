"""The activity log as administrators read it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class ActivityEntry(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    user_id: str | None
    action: str
    entity_type: str | None
    entity_id: str | None
    details: dict[str, Any]
    created_at: datetime


class ActivityPage(msgspec.Struct, frozen=True, rename="camel"):
    """A page of entries, newest first; ``hasMore``: the next page has some too."""

    logs: list[ActivityEntry]
    has_more: bool
