from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from assetforge.common.backend import BackendSettings, load_backend_settings
from assetforge.common.settings import HTTP_SCHEMES, Env

SERVICE = "media"
DEFAULT_HTTP_PORT = 3013


@dataclass(frozen=True, slots=True)
class PublishingSettings:
    """Where published files and temporary images go. Read (and so checked by
    ``check-env``) before the code that publishes uses them."""

    cdn_url: str | None
    cdn_api_key: str | None = field(repr=False)
    cdn_ws_url: str | None
    image_server_url: str | None
    imgur_client_id: str | None = field(repr=False)


def get_publishing_settings(env: Env) -> PublishingSettings:
    cdn = env.text("CDN_URL", level="recommended", purpose="CDN for published files")
    events = env.text("CDN_WS_URL", level="recommended", purpose="CDN events")
    images = env.text("IMAGE_SERVER_URL", level="recommended", purpose="public URL for temp images")
    return PublishingSettings(
        cdn_url=env.url("CDN_URL", cdn, HTTP_SCHEMES),
        cdn_api_key=env.text("CDN_API_KEY", level="recommended", secret=True, purpose="CDN upload key"),
        cdn_ws_url=env.url("CDN_WS_URL", events, ("ws", "wss")),
        image_server_url=env.url("IMAGE_SERVER_URL", images, HTTP_SCHEMES),
        imgur_client_id=env.text("IMGUR_CLIENT_ID", level="recommended", secret=True, purpose="image hosting fallback"),
    )


Settings = BackendSettings[PublishingSettings]


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    return load_backend_settings(SERVICE, DEFAULT_HTTP_PORT, get_publishing_settings, environ)
