"""Which provider each capability uses: the real client where its key is set, the
offline one elsewhere (or everywhere with ``GENERATION_PROVIDER=offline``). The builders
of each real client are shared with owners.py, which makes the same clients with a
user's own key, so both reach the same addresses with the same timeouts."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from assetforge.common.contracts.pipelines import CapabilityProviders
from assetforge.generation.offline.audio_provider import OfflineAudio
from assetforge.generation.offline.provider import offline_providers
from assetforge.generation.providers.audio import AudioProvider
from assetforge.generation.providers.base import (
    ChatProvider,
    ImageProvider,
    ImageTo3DProvider,
    RetextureProvider,
    RiggingProvider,
)
from assetforge.generation.providers.elevenlabs import ElevenLabsAudio
from assetforge.generation.providers.http import HttpSettings
from assetforge.generation.providers.meshy import MeshyImageTo3D, MeshyRetexture, MeshyRigging
from assetforge.generation.providers.openai import openai_providers
from assetforge.generation.settings import ProviderSettings


@dataclass(frozen=True, slots=True)
class Providers:
    chat: ChatProvider
    images: ImageProvider
    image_to_3d: ImageTo3DProvider
    retexture: RetextureProvider
    rigging: RiggingProvider
    audio: AudioProvider

    def describe(self) -> CapabilityProviders:
        return CapabilityProviders(
            chat=self.chat.provider,
            image=self.images.provider,
            image_to_3d=self.image_to_3d.provider,
            retexture=self.retexture.provider,
            rigging=self.rigging.provider,
            audio=self.audio.provider,
        )

    async def aclose(self) -> None:
        for provider in (self.chat, self.images, self.image_to_3d, self.retexture, self.rigging, self.audio):
            closer: Any = getattr(provider, "aclose", None)
            if closer is not None:
                with contextlib.suppress(Exception):
                    await closer()


def http_settings(settings: ProviderSettings) -> HttpSettings:
    return HttpSettings(read_s=settings.request_timeout_s)


def elevenlabs_audio(key: str, settings: ProviderSettings, http: HttpSettings) -> ElevenLabsAudio:
    return ElevenLabsAudio(
        key, base_url=settings.elevenlabs_base_url, settings=http, output_format=settings.elevenlabs_output_format
    )


def ai_gateway_clients(key: str, settings: ProviderSettings, http: HttpSettings) -> tuple[ChatProvider, ImageProvider]:
    """Chat and images through the AI Gateway with ``key``."""
    found = openai_providers(
        ai_gateway_api_key=key, openai_api_key=None, settings=http, ai_gateway_url=settings.ai_gateway_base_url
    )
    if found is None:  # only without a key
        raise ValueError("an AI Gateway client needs a key")
    return found


def meshy_clients(
    key: str, settings: ProviderSettings, http: HttpSettings
) -> tuple[MeshyImageTo3D, MeshyRetexture, MeshyRigging]:
    url = settings.meshy_base_url
    return (
        MeshyImageTo3D(key, base_url=url, settings=http),
        MeshyRetexture(key, base_url=url, settings=http),
        MeshyRigging(key, base_url=url, settings=http),
    )


def _audio(settings: ProviderSettings, http: HttpSettings) -> AudioProvider:
    if settings.choice == "offline" or not settings.elevenlabs_api_key:
        return OfflineAudio(settings.offline_latency_ms)
    return elevenlabs_audio(settings.elevenlabs_api_key, settings, http)


def build_providers(settings: ProviderSettings) -> Providers:
    """The deployment's providers (its own keys); users' keys are in owners.py."""
    offline = offline_providers(settings.offline_latency_ms)
    http = http_settings(settings)
    audio = _audio(settings, http)
    if settings.choice == "offline":
        return Providers(offline.chat, offline.images, offline.image_to_3d, offline.retexture, offline.rigging, audio)
    chat: ChatProvider = offline.chat
    images: ImageProvider = offline.images
    openai = openai_providers(
        ai_gateway_api_key=settings.ai_gateway_api_key,
        openai_api_key=settings.openai_api_key,
        settings=http,
        ai_gateway_url=settings.ai_gateway_base_url,
        openai_url=settings.openai_base_url,
    )
    if openai is not None:
        chat, images = openai
    key = settings.meshy_api_key
    if not key:
        return Providers(chat, images, offline.image_to_3d, offline.retexture, offline.rigging, audio)
    return Providers(chat, images, *meshy_clients(key, settings, http), audio)
