"""Sealing users' own provider keys at rest: AES-256-GCM (the ``cryptography`` package)
under ``PROVIDER_KEYS_SECRET``, a fresh 96-bit nonce per seal, and the owner and the
provider as associated data, so a sealed key copied to another owner's row, or to another
provider's, fails to open instead of being used for them.

Secrets rotate by listing the new one first: it seals, and every listed secret is tried
when opening, so keys sealed before the change still open until they are stored again.

Nothing here logs, and no error it raises carries a key: a key that does not open is
``None``, and the caller says which owner and provider it was.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import msgspec
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from assetforge.common.errors import ServiceUnavailable
from assetforge.generation.settings import UserKeySettings

NONCE_BYTES = 12
# The format of the associated data; another one would be a new version.
_CONTEXT = "assetforge.provider-key.v1"
CANNOT_STORE = (
    "your own provider keys cannot be stored: the generation service has no PROVIDER_KEYS_SECRET "
    "(its operator must set one)"
)


@dataclass(frozen=True, slots=True)
class Sealed:
    nonce: bytes
    ciphertext: bytes

    def __repr__(self) -> str:
        return f"Sealed(<{len(self.ciphertext)} bytes>)"


def _associated(owner_id: str, provider: str) -> bytes:
    # JSON, so no owner id can be read as another owner id and provider pair.
    return msgspec.json.encode([_CONTEXT, owner_id, provider])


class KeyRing:
    def __init__(self, settings: UserKeySettings) -> None:
        self._ciphers = [AESGCM(secret) for secret in settings.secrets]
        self.development = settings.development

    def __repr__(self) -> str:
        return f"KeyRing(<{len(self._ciphers)} secrets>)"

    @property
    def usable(self) -> bool:
        return bool(self._ciphers)

    def seal(self, owner_id: str, provider: str, key: str) -> Sealed:
        if not self._ciphers:
            raise ServiceUnavailable(CANNOT_STORE)
        nonce = os.urandom(NONCE_BYTES)
        return Sealed(nonce, self._ciphers[0].encrypt(nonce, key.encode(), _associated(owner_id, provider)))

    def open(self, owner_id: str, provider: str, sealed: Sealed) -> str | None:
        """The key, or None when no secret opens it (changed or removed secrets)."""
        associated = _associated(owner_id, provider)
        for cipher in self._ciphers:
            try:
                return cipher.decrypt(sealed.nonce, sealed.ciphertext, associated).decode()
            except (InvalidTag, ValueError, UnicodeDecodeError):
                continue
        return None
