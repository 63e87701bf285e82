from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from assetforge.common.backend import BackendSettings, load_backend_settings
from assetforge.common.settings import Env

SERVICE = "generation"
DEFAULT_HTTP_PORT = 3012


@dataclass(frozen=True, slots=True)
class ProviderSettings:
    """Keys of the providers the pipelines call. Read (and so checked by ``check-env``)
    before any pipeline uses them, so a deployment can be complete ahead of them."""

    ai_gateway_api_key: str | None = field(repr=False)
    openai_api_key: str | None = field(repr=False)
    meshy_api_key: str | None = field(repr=False)
    elevenlabs_api_key: str | None = field(repr=False)


def get_provider_settings(env: Env) -> ProviderSettings:
    return ProviderSettings(
        ai_gateway_api_key=env.text(
            "AI_GATEWAY_API_KEY",
            level="recommended",
            secret=True,
            alternative="OPENAI_API_KEY",
            purpose="Vercel AI Gateway key",
        ),
        openai_api_key=env.text("OPENAI_API_KEY", secret=True, purpose="OpenAI key (when no AI Gateway key)"),
        meshy_api_key=env.text("MESHY_API_KEY", level="recommended", secret=True, purpose="Meshy image-to-3D"),
        elevenlabs_api_key=env.text("ELEVENLABS_API_KEY", level="recommended", secret=True, purpose="ElevenLabs audio"),
    )


Settings = BackendSettings[ProviderSettings]


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    return load_backend_settings(SERVICE, DEFAULT_HTTP_PORT, get_provider_settings, environ)
