"""The gateway's HTTP messages (its own domain: users, keys, the activity log, errors)."""

from assetforge.gateway.schemas.activity import ActivityEntry, ActivityPage
from assetforge.gateway.schemas.api_keys import ApiKey, ApiKeyCreated, ApiKeyList, CreateApiKey, FoundKey, NewApiKey
from assetforge.gateway.schemas.errors import ErrorBody
from assetforge.gateway.schemas.fields import NO_NUL, Role
from assetforge.gateway.schemas.provider_keys import ApiKeysBody
from assetforge.gateway.schemas.users import (
    ChangeRole,
    CompleteProfile,
    UpdateSettings,
    User,
    UserPage,
    UserRemoved,
    UserReply,
)

__all__ = [
    "NO_NUL",
    "ActivityEntry",
    "ActivityPage",
    "ApiKey",
    "ApiKeyCreated",
    "ApiKeyList",
    "ApiKeysBody",
    "ChangeRole",
    "CompleteProfile",
    "CreateApiKey",
    "ErrorBody",
    "FoundKey",
    "NewApiKey",
    "Role",
    "UpdateSettings",
    "User",
    "UserPage",
    "UserRemoved",
    "UserReply",
]
