"""The generation service's bus API for users' own provider keys: a user may store their
own Meshy, AI Gateway and ElevenLabs keys, and their jobs then call those providers with
them instead of the deployment's (docs/generation.md, "Users' own provider keys").

A key goes in and never comes out: every reply says only which providers have a key
stored (``keysConfigured``), and a request's ``repr`` hides the keys it carries, so a log
line or an error report that shows the message shows no key. The gateway serves these on
``/api/users/api-keys`` beside personal ``af_`` keys, told apart by the body.

Each field of :class:`SetProviderKeys`: absent or null leaves that provider's stored key
as it is; ``""`` removes it; anything else (8 to 512 characters, no whitespace or control
characters: checked by the service, a 422 naming the field) replaces it.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

KEYS_SET = "generation.v1.keys.set"
KEYS_STATUS = "generation.v1.keys.status"
KEYS_DELETE = "generation.v1.keys.delete"

# The providers a user may bring a key for, as stored (``generation.provider_keys``).
MESHY = "meshy"
AI_GATEWAY = "ai_gateway"
ELEVENLABS = "elevenlabs"
PROVIDERS = (MESHY, AI_GATEWAY, ELEVENLABS)
# The request field that carries each, as the HTTP API spells it.
FIELDS = {MESHY: "meshyApiKey", AI_GATEWAY: "aiGatewayApiKey", ELEVENLABS: "elevenLabsApiKey"}

MIN_KEY_LENGTH = 8
MAX_KEY_LENGTH = 512
ProviderKey = Annotated[
    str,
    msgspec.Meta(
        max_length=MAX_KEY_LENGTH,
        description='8 to 512 characters without whitespace; "" removes the stored key',
    ),
]


class SetProviderKeys(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True, forbid_unknown_fields=True):
    """Store, replace or remove the caller's own keys; null or absent: left as it is."""

    meshy_api_key: ProviderKey | None = None
    ai_gateway_api_key: ProviderKey | None = None
    eleven_labs_api_key: ProviderKey | None = None

    def __repr__(self) -> str:
        sent = [FIELDS[provider] for provider, value in self.by_provider().items() if value is not None]
        return f"SetProviderKeys(<{', '.join(sent) or 'nothing'} hidden>)"

    def by_provider(self) -> dict[str, str | None]:
        return {MESHY: self.meshy_api_key, AI_GATEWAY: self.ai_gateway_api_key, ELEVENLABS: self.eleven_labs_api_key}


class ReadKeysStatus(msgspec.Struct, frozen=True):
    pass


class DeleteProviderKeys(msgspec.Struct, frozen=True):
    """Remove every provider key the caller stored."""


class KeysConfigured(msgspec.Struct, frozen=True, rename="camel"):
    meshy: bool
    ai_gateway: bool
    eleven_labs: bool

    @classmethod
    def of(cls, stored: set[str]) -> KeysConfigured:
        return cls(meshy=MESHY in stored, ai_gateway=AI_GATEWAY in stored, eleven_labs=ELEVENLABS in stored)


class KeysStatus(msgspec.Struct, frozen=True, rename="camel"):
    """``GET /api/users/api-keys/status``: which providers the caller has a key stored for."""

    keys_configured: KeysConfigured


class KeysSaved(msgspec.Struct, frozen=True, rename="camel"):
    """The answer to a store or a removal: the state it left (never a key)."""

    success: bool
    keys_configured: KeysConfigured
