"""Personal API keys: creating one, and listing them (never the keys themselves)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import msgspec

from assetforge.gateway.schemas.fields import KeyName


class CreateApiKey(msgspec.Struct, frozen=True, rename="camel", forbid_unknown_fields=True):
    name: KeyName
    expires_at: datetime | None = None


class ApiKeyCreated(msgspec.Struct, frozen=True, rename="camel"):
    # The only time the key is shown: it is stored as a hash.
    key: str
    key_id: str
    prefix: str


class ApiKey(msgspec.Struct, frozen=True, rename="camel"):
    key_id: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class ApiKeyList(msgspec.Struct, frozen=True):
    keys: list[ApiKey]


@dataclass(frozen=True, slots=True)
class NewApiKey:
    """A key to store: only its prefix (to find it) and its hash (to check it)."""

    user_id: str
    name: str
    prefix: str
    digest: bytes
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class FoundKey:
    """A live key that matched a presented one."""

    user_id: str
    key_id: str
    expires_at: datetime | None
