"""The gateway's HTTP messages (its own domain: users, keys, the activity log)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

Role = Literal["admin", "member"]
# PostgreSQL text cannot hold NUL (U+0000): no string the API stores or searches may carry one.
NO_NUL = r"^[^\u0000]*$"
DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=NO_NUL)]
# Spelled out so that Python (which validates) and JSON Schema's ECMA-262 (which documents)
# read the pattern alike: their `\s` differ, and Python's `$` also matches before a final newline.
_EMAIL_PART = r"[^@\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+"
Email = Annotated[str, msgspec.Meta(max_length=320, pattern=rf"^{_EMAIL_PART}@{_EMAIL_PART}\.{_EMAIL_PART}(?![\s\S])")]
Discord = Annotated[str, msgspec.Meta(min_length=2, max_length=64, pattern=NO_NUL)]
KeyName = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=NO_NUL)]


class User(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    privy_user_id: str
    email: str | None
    wallet_address: str | None
    display_name: str | None
    avatar_url: str | None
    role: Role
    profile_completed: bool
    settings: dict[str, Any]
    created_at: datetime
    last_login_at: datetime | None


class UserReply(msgspec.Struct, frozen=True):
    user: User


class CompleteProfile(msgspec.Struct, frozen=True, rename="camel", forbid_unknown_fields=True):
    display_name: DisplayName
    email: Email
    discord_username: Discord | None = None


class UpdateSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    # Shallow-merged into the stored settings; a key set to null is removed. Free-form JSON,
    # but with no NUL at any depth (refused with 422: no schema can say so).
    # Litestar documents no size for a dict: `maxProperties` is stated through `extra`.
    settings: Annotated[
        dict[str, Any], msgspec.Meta(max_length=100, extra_json_schema={"extra": {"maxProperties": 100}})
    ]


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


class ChangeRole(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    role: Role


class UserPage(msgspec.Struct, frozen=True):
    users: list[User]
    total: int
    limit: int
    offset: int


class ActivityEntry(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    user_id: str | None
    action: str
    entity_type: str | None
    entity_id: str | None
    details: dict[str, Any]
    created_at: datetime


class ActivityPage(msgspec.Struct, frozen=True):
    entries: list[ActivityEntry]
    page: int
    limit: int
    total: int
