"""The body of ``POST /api/users/api-keys``, which does two things, told apart by its
fields: ``{name, expiresAt?}`` creates a personal ``af_`` key; ``{meshyApiKey?,
aiGatewayApiKey?, elevenLabsApiKey?}`` stores the caller's own provider keys (sealed by
the generation service, never answered back).

This schema refuses what no key can be (not text, longer than 512 characters, a NUL) with
the identity routes' 400; the generation service checks the rest of a key's shape, a 422
naming the field. ``repr`` hides the keys.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from assetforge.common.contracts.provider_keys import MAX_KEY_LENGTH, SetProviderKeys
from assetforge.common.errors import ValidationFailed
from assetforge.gateway.schemas.api_keys import CreateApiKey
from assetforge.gateway.schemas.fields import NO_NUL, KeyName

ProviderKeyText = Annotated[
    str,
    msgspec.Meta(
        max_length=MAX_KEY_LENGTH,
        pattern=NO_NUL,
        description='Your own key: 8 to 512 characters without whitespace; "" removes the stored one; '
        "null or absent leaves it",
    ),
]
_PROVIDER_FIELDS = "meshyApiKey, aiGatewayApiKey or elevenLabsApiKey"


class ApiKeysBody(msgspec.Struct, frozen=True, rename="camel", forbid_unknown_fields=True):
    """A personal key (``name``, ``expiresAt``) or your own provider keys, not both."""

    name: KeyName | UnsetType = UNSET
    expires_at: datetime | UnsetType | None = UNSET
    meshy_api_key: ProviderKeyText | UnsetType | None = UNSET
    ai_gateway_api_key: ProviderKeyText | UnsetType | None = UNSET
    eleven_labs_api_key: ProviderKeyText | UnsetType | None = UNSET

    def __repr__(self) -> str:
        return "ApiKeysBody(<hidden>)" if self._names_provider_keys() else f"ApiKeysBody(name={self.name!r})"

    def _names_provider_keys(self) -> bool:
        sent = (self.meshy_api_key, self.ai_gateway_api_key, self.eleven_labs_api_key)
        return any(value is not UNSET for value in sent)

    def provider_keys(self) -> SetProviderKeys | None:
        """The provider keys to store, when the body names any (None: a personal key)."""
        if not self._names_provider_keys():
            return None
        if self.name is not UNSET or self.expires_at is not UNSET:
            raise ValidationFailed.of(
                "name" if self.name is not UNSET else "expiresAt",
                f"names a personal API key: send it apart from {_PROVIDER_FIELDS}",
            )
        return SetProviderKeys(
            meshy_api_key=_sent(self.meshy_api_key),
            ai_gateway_api_key=_sent(self.ai_gateway_api_key),
            eleven_labs_api_key=_sent(self.eleven_labs_api_key),
        )

    def personal_key(self) -> CreateApiKey:
        if isinstance(self.name, UnsetType):
            raise ValidationFailed.of("name", f"is required (or send {_PROVIDER_FIELDS} to store your provider keys)")
        expires_at = None if isinstance(self.expires_at, UnsetType) else self.expires_at
        return CreateApiKey(name=self.name, expires_at=expires_at)


def _sent(value: str | UnsetType | None) -> str | None:
    return None if isinstance(value, UnsetType) else value
