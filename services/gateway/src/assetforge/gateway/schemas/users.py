"""The signed-in user, their profile and settings, and users as administrators see them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from assetforge.gateway.schemas.fields import Discord, DisplayName, Email, Role


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


class ChangeRole(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    role: Role


class UserPage(msgspec.Struct, frozen=True):
    users: list[User]
    total: int
    limit: int
    offset: int


class UserRemoved(msgspec.Struct, frozen=True, rename="camel"):
    """An administrator deleted a user (a body, not 204: clients read one)."""

    success: bool
    user_id: str
