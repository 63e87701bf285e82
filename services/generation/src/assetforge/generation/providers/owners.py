"""The providers one job runs with: the deployment's, except for each provider its owner
stored a key for, whose capabilities then use a real client with that key (Meshy: image
to 3D, retexture and rigging; the AI Gateway: chat and images; ElevenLabs: audio). With
``GENERATION_PROVIDER=offline`` every job stays offline, users' keys or not, and none
are read.

Clients are built as the deployment's are (registry.py: same addresses, same timeouts)
and kept for reuse, one set per provider and key (known by the key's SHA-256, never the
key), at most ``capacity`` of them, least recently used dropped first. A job holds the
clients it was given (:meth:`OwnerProviders.lease`) until it ends, so a dropped client is
closed only once no job uses it; every client is closed at shutdown.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from assetforge.common.contracts.provider_keys import AI_GATEWAY, ELEVENLABS, MESHY
from assetforge.generation.providers.registry import (
    Providers,
    ai_gateway_clients,
    elevenlabs_audio,
    http_settings,
    meshy_clients,
)
from assetforge.generation.settings import ProviderSettings

# ``await keys(owner_id)``: the keys the owner stored, opened, by provider.
KeySource = Callable[[str], Awaitable[dict[str, str]]]
DEFAULT_CAPACITY = 256


@dataclass(eq=False)
class Clients:
    """The clients of one provider made with one key, and what they replace."""

    replaces: dict[str, Any]
    users: int = 0
    dropped: bool = False
    closed: bool = field(default=False, repr=False)

    def __repr__(self) -> str:
        return f"Clients({sorted(self.replaces)}, users={self.users})"

    async def aclose(self) -> None:
        if self.closed:
            return
        self.closed = True
        for client in {id(c): c for c in self.replaces.values()}.values():
            closer: Any = getattr(client, "aclose", None)
            if closer is not None:
                with contextlib.suppress(Exception):
                    await closer()


def build_clients(provider: str, key: str, settings: ProviderSettings) -> Clients:
    http = http_settings(settings)
    if provider == MESHY:
        image_to_3d, retexture, rigging = meshy_clients(key, settings, http)
        return Clients({"image_to_3d": image_to_3d, "retexture": retexture, "rigging": rigging})
    if provider == AI_GATEWAY:
        chat, images = ai_gateway_clients(key, settings, http)
        return Clients({"chat": chat, "images": images})
    if provider == ELEVENLABS:
        return Clients({"audio": elevenlabs_audio(key, settings, http)})
    raise ValueError(f"no client for provider {provider!r}")


class ClientCache:
    """Clients by (provider, SHA-256 of the key), least recently used dropped past ``capacity``."""

    def __init__(self, build: Callable[[str, str], Clients], capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._build = build
        self._capacity = capacity
        self._entries: OrderedDict[tuple[str, bytes], Clients] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    async def acquire(self, provider: str, key: str) -> Clients:
        name = (provider, hashlib.sha256(key.encode()).digest())
        found = self._entries.get(name)
        if found is None:
            found = self._entries[name] = self._build(provider, key)
        else:
            self._entries.move_to_end(name)
        found.users += 1
        idle: list[Clients] = []
        while len(self._entries) > self._capacity:
            _, dropped = self._entries.popitem(last=False)
            dropped.dropped = True
            if dropped.users == 0:
                idle.append(dropped)
        for clients in idle:
            await clients.aclose()
        return found

    async def release(self, clients: Clients) -> None:
        clients.users -= 1
        if clients.dropped and clients.users == 0:
            await clients.aclose()

    async def aclose(self) -> None:
        entries = list(self._entries.values())
        self._entries.clear()
        for clients in entries:
            await clients.aclose()


class OwnerProviders:
    def __init__(
        self, deployment: Providers, settings: ProviderSettings, keys: KeySource, capacity: int = DEFAULT_CAPACITY
    ) -> None:
        self.deployment = deployment
        self._offline = settings.choice == "offline"
        self._keys = keys
        self._cache = ClientCache(lambda provider, key: build_clients(provider, key, settings), capacity)

    @contextlib.asynccontextmanager
    async def lease(self, owner_id: str) -> AsyncIterator[Providers]:
        """The providers of ``owner_id``'s job, held until the block ends."""
        if self._offline:
            yield self.deployment
            return
        held: list[Clients] = []
        try:
            for provider, key in sorted((await self._keys(owner_id)).items()):
                held.append(await self._cache.acquire(provider, key))
            providers = self.deployment
            for clients in held:
                providers = dataclasses.replace(providers, **clients.replaces)
            yield providers
        finally:
            for clients in held:
                await self._cache.release(clients)

    async def aclose(self) -> None:
        """The users' clients; the deployment's are closed by their owner."""
        await self._cache.aclose()
