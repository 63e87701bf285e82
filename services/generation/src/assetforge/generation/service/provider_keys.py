"""Users' own provider keys: storing, replacing and removing them, saying which providers
have one, and opening them for the caller's jobs (``OwnerKeys``).

A key is checked (8 to 512 characters, no whitespace or control characters), sealed
(keyring.py) and stored; it is never returned, never logged and never put in an error
message: a refusal names the field, not its value. Storing needs PROVIDER_KEYS_SECRET in
production (503 without it); removing never does.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.bus.context import Principal
from assetforge.common.contracts.provider_keys import (
    FIELDS,
    MAX_KEY_LENGTH,
    MIN_KEY_LENGTH,
    KeysConfigured,
    KeysSaved,
    KeysStatus,
    SetProviderKeys,
)
from assetforge.common.db import Database
from assetforge.common.db.repository import Executor
from assetforge.common.errors import Unauthorized, ValidationFailed
from assetforge.generation import repository_keys as keys
from assetforge.generation.keyring import KeyRing

log = logging.getLogger(__name__)
# Owners and providers already warned about, up to this many (then the set starts over).
_MAX_TOLD = 10_000
_SHAPE = f"must be {MIN_KEY_LENGTH} to {MAX_KEY_LENGTH} characters with no whitespace or control characters"


def _caller(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthorized("sign in first")
    return principal


def _checked(provider: str, key: str) -> str:
    if not MIN_KEY_LENGTH <= len(key) <= MAX_KEY_LENGTH or any(c.isspace() or not c.isprintable() for c in key):
        raise ValidationFailed.of(FIELDS[provider], _SHAPE + ' (or "" to remove the stored key)')
    return key


async def set_keys(
    session: AsyncSession, keyring: KeyRing, command: SetProviderKeys, principal: Principal | None
) -> KeysSaved:
    """Store the keys sent, remove those sent as ``""``, leave the rest; the state after."""
    owner = _caller(principal).user_id
    sent = {provider: key for provider, key in command.by_provider().items() if key is not None}
    to_store = {provider: _checked(provider, key) for provider, key in sent.items() if key != ""}
    removed = [provider for provider, key in sent.items() if key == ""]
    sealed = {provider: keyring.seal(owner, provider, key) for provider, key in to_store.items()}
    for provider, box in sealed.items():
        await keys.store(session, owner, provider, box)
    if removed:
        await keys.remove(session, owner, removed)
    return KeysSaved(success=True, keys_configured=KeysConfigured.of(await keys.stored_providers(session, owner)))


async def status(db: Executor, principal: Principal | None) -> KeysStatus:
    owner = _caller(principal).user_id
    return KeysStatus(keys_configured=KeysConfigured.of(await keys.stored_providers(db, owner)))


async def delete_keys(session: AsyncSession, principal: Principal | None) -> KeysSaved:
    await keys.remove(session, _caller(principal).user_id)
    return KeysSaved(success=True, keys_configured=KeysConfigured.of(set()))


class OwnerKeys:
    """The keys a job's owner stored, opened: ``await owner_keys(owner_id)`` →
    ``{provider: key}``. Read from the primary, so a key stored a moment before a job
    runs is seen. A key no secret opens is left out (the job uses the deployment's
    provider), and said once per owner and provider, without the key."""

    def __init__(self, database: Database, keyring: KeyRing) -> None:
        self._database = database
        self._keyring = keyring
        self._told: set[tuple[str, str]] = set()

    async def __call__(self, owner_id: str) -> dict[str, str]:
        async with self._database.unit_of_work() as session:
            sealed = await keys.sealed_keys(session, owner_id)
        opened: dict[str, str] = {}
        for provider, box in sealed.items():
            key = self._keyring.open(owner_id, provider, box)
            if key is not None:
                opened[provider] = key
            elif (owner_id, provider) not in self._told:
                if len(self._told) >= _MAX_TOLD:
                    self._told.clear()
                self._told.add((owner_id, provider))
                log.warning(
                    "the %s key stored by user %s does not open with PROVIDER_KEYS_SECRET (unset or changed?): "
                    "their jobs use the deployment's %s provider until they store it again",
                    provider,
                    owner_id,
                    provider,
                )
        return opened
