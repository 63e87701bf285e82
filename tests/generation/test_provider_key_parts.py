"""The parts behind users' own provider keys, without a stack: the seal (AES-256-GCM, bound
to its owner and provider, secrets that rotate), PROVIDER_KEYS_SECRET as read, the refusal
to store without a secret, and the providers a job of an owner runs with (their clients
cached, shared, dropped and closed)."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from typing import Any, cast

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.bus.context import Principal
from assetforge.common.contracts.provider_keys import SetProviderKeys
from assetforge.common.errors import ServiceUnavailable
from assetforge.common.settings import Env, SettingsError
from assetforge.generation.keyring import KeyRing
from assetforge.generation.providers.elevenlabs import ElevenLabsAudio
from assetforge.generation.providers.meshy import MeshyImageTo3D, MeshyRetexture, MeshyRigging
from assetforge.generation.providers.owners import ClientCache, Clients, OwnerProviders
from assetforge.generation.providers.registry import build_providers
from assetforge.generation.service import provider_keys as service
from assetforge.generation.settings import (
    DEVELOPMENT_KEYS_SECRET,
    UserKeySettings,
    get_user_key_settings,
    load_settings,
)
from tests.support import service_env

KEY = "own-provider-key-0123456789"


def _secret() -> tuple[bytes, str]:
    raw = os.urandom(32)
    return raw, base64.b64encode(raw).decode()


def test_a_sealed_key_opens_only_for_its_owner_and_provider() -> None:
    raw, _ = _secret()
    ring = KeyRing(UserKeySettings((raw,)))
    sealed = ring.seal("user-1", "elevenlabs", KEY)
    assert KEY.encode() not in sealed.ciphertext
    assert len(sealed.nonce) == 12
    assert ring.open("user-1", "elevenlabs", sealed) == KEY
    assert ring.open("user-2", "elevenlabs", sealed) is None
    assert ring.open("user-1", "meshy", sealed) is None
    assert ring.seal("user-1", "elevenlabs", KEY).nonce != sealed.nonce
    assert KEY not in repr(sealed)
    assert raw.hex() not in repr(ring)


def test_secrets_rotate_the_first_seals_and_every_one_opens() -> None:
    old, new = os.urandom(32), os.urandom(32)
    sealed_before = KeyRing(UserKeySettings((old,))).seal("user-1", "meshy", KEY)
    rotated = KeyRing(UserKeySettings((new, old)))
    assert rotated.open("user-1", "meshy", sealed_before) == KEY
    sealed_after = rotated.seal("user-1", "meshy", KEY)
    assert KeyRing(UserKeySettings((new,))).open("user-1", "meshy", sealed_after) == KEY
    assert KeyRing(UserKeySettings((old,))).open("user-1", "meshy", sealed_after) is None


def test_the_secret_is_read_as_base64_of_32_bytes_and_never_shown() -> None:
    raw, text = _secret()
    other, _ = _secret()
    env = service_env("nats://127.0.0.1:9", "postgresql://nobody@127.0.0.1:9/none")
    assert load_settings({**env, "PROVIDER_KEYS_SECRET": text}).own.user_keys == UserKeySettings((raw,))
    url_safe = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    listed = f"{url_safe}, {base64.b64encode(other).decode()}"
    assert load_settings({**env, "PROVIDER_KEYS_SECRET": listed}).own.user_keys.secrets == (raw, other)
    for bad in ("not base64!", base64.b64encode(b"too short").decode(), f"{text},"):
        with pytest.raises(SettingsError) as refused:
            load_settings({**env, "PROVIDER_KEYS_SECRET": bad})
        assert "PROVIDER_KEYS_SECRET must be base64 of 32 bytes" in str(refused.value)
        assert bad not in str(refused.value)
    assert "secrets" not in repr(load_settings({**env, "PROVIDER_KEYS_SECRET": text}).own.user_keys)


def test_unset_outside_production_is_the_fixed_development_key_and_in_production_none() -> None:
    development = get_user_key_settings(Env({"NODE_ENV": "development"}))
    assert development == UserKeySettings((DEVELOPMENT_KEYS_SECRET,), development=True)
    production = get_user_key_settings(Env({"NODE_ENV": "production"}))
    assert production == UserKeySettings(())
    assert not KeyRing(production).usable


async def test_without_a_secret_no_key_is_stored_and_the_refusal_says_why() -> None:
    ring = KeyRing(UserKeySettings(()))
    with pytest.raises(ServiceUnavailable) as refused:
        # The seal is refused before anything is written: no session is needed.
        await service.set_keys(
            cast("AsyncSession", None), ring, SetProviderKeys(eleven_labs_api_key=KEY), Principal("user-1", "member")
        )
    assert "PROVIDER_KEYS_SECRET" in refused.value.message
    assert KEY not in refused.value.message


def test_a_request_does_not_show_the_keys_it_carries() -> None:
    command = SetProviderKeys(meshy_api_key=KEY, eleven_labs_api_key="")
    assert KEY not in repr(command)
    assert "meshyApiKey" in repr(command)


def _settings(**extra: str) -> Any:
    env = service_env("nats://127.0.0.1:9", "postgresql://nobody@127.0.0.1:9/none", GENERATION_PROVIDER="auto")
    return load_settings({**env, "MESHY_BASE_URL": "http://meshy.invalid/openapi", **extra}).own.providers


async def test_an_owners_keys_replace_only_their_providers_capabilities() -> None:
    settings = _settings()
    deployment = build_providers(settings)
    asked: list[str] = []

    async def keys(owner_id: str) -> dict[str, str]:
        asked.append(owner_id)
        return {"meshy": KEY, "ai_gateway": KEY, "elevenlabs": KEY} if owner_id == "keyed" else {}

    owners = OwnerProviders(deployment, settings, keys)
    try:
        async with owners.lease("plain") as plain:
            assert plain is deployment
        async with owners.lease("keyed") as keyed:
            assert isinstance(keyed.image_to_3d, MeshyImageTo3D)
            assert isinstance(keyed.retexture, MeshyRetexture)
            assert isinstance(keyed.rigging, MeshyRigging)
            assert isinstance(keyed.audio, ElevenLabsAudio)
            assert keyed.chat.provider == keyed.images.provider == "ai-gateway"
            assert deployment.audio.provider == "offline"
            async with owners.lease("keyed") as again:
                assert again.audio is keyed.audio, "one client per provider and key"
    finally:
        await owners.aclose()
        await deployment.aclose()
    assert asked == ["plain", "keyed", "keyed"]


async def test_offline_stays_offline_and_reads_no_keys() -> None:
    settings = _settings(GENERATION_PROVIDER="offline")
    deployment = build_providers(settings)

    async def keys(_owner_id: str) -> dict[str, str]:
        raise AssertionError("no key is read when every provider is offline")

    owners = OwnerProviders(deployment, settings, keys)
    async with owners.lease("keyed") as providers:
        assert providers is deployment
    await owners.aclose()


@dataclass
class _Client:
    closed: bool = False

    async def aclose(self) -> None:
        self.closed = True


async def test_the_cache_drops_the_least_recently_used_and_closes_it_once_no_job_holds_it() -> None:
    made: dict[str, _Client] = {}

    def build(_provider: str, key: str) -> Clients:
        made[key] = _Client()
        return Clients({"audio": made[key]})

    cache = ClientCache(build, capacity=2)
    first = await cache.acquire("elevenlabs", "key-a")
    await cache.release(first)
    held = await cache.acquire("elevenlabs", "key-b")
    assert await cache.acquire("elevenlabs", "key-a") is first  # key-a is now the newest
    await cache.release(first)
    await cache.acquire("elevenlabs", "key-c")  # drops key-b, still held by a job
    assert len(cache) == 2
    assert not made["key-b"].closed
    await cache.release(held)
    assert made["key-b"].closed
    await cache.acquire("elevenlabs", "key-d")  # drops key-a, idle: closed at once
    assert made["key-a"].closed
    await cache.aclose()
    assert made["key-c"].closed
    assert made["key-d"].closed
    assert len(cache) == 0
