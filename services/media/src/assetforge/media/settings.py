from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from assetforge.common.backend import BackendSettings, load_backend_settings
from assetforge.common.settings import HTTP_SCHEMES, Env

SERVICE = "media"
DEFAULT_HTTP_PORT = 3013
DAY_S = 24 * 3600


@dataclass(frozen=True, slots=True)
class PublishingSettings:
    """Where published files and temporary images go, and how the service keeps them."""

    cdn_url: str | None
    cdn_api_key: str | None = field(repr=False)
    cdn_ws_url: str | None
    image_server_url: str | None
    imgur_client_id: str | None = field(repr=False)
    # How long a temporary image lives unless its request says otherwise, and how often
    # expired ones (and stale staged uploads) are swept away.
    temp_image_ttl_s: int = DAY_S
    sweep_interval_s: float = 300.0
    # A staged object this old was abandoned by its writer (a client that went away).
    staging_max_age_s: int = 3600
    # The CDN mirror: the longest one upload may take, and how many tries a file gets
    # before its record is marked failed.
    cdn_upload_timeout_s: float = 300.0
    cdn_max_attempts: int = 10

    @property
    def cdn_enabled(self) -> bool:
        return bool(self.cdn_url and self.cdn_api_key)


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
        temp_image_ttl_s=env.integer(
            "TEMP_IMAGE_TTL_S", DAY_S, minimum=1, maximum=7 * DAY_S, purpose="default life of a temp image, s"
        ),
        sweep_interval_s=env.number(
            "MEDIA_SWEEP_INTERVAL_S", 300.0, minimum=0.1, purpose="how often expired temp images are removed, s"
        ),
        staging_max_age_s=env.integer(
            "STAGING_MAX_AGE_S", 3600, minimum=60, purpose="age at which an unclaimed staged upload is removed, s"
        ),
        cdn_upload_timeout_s=env.number(
            "CDN_UPLOAD_TIMEOUT_S", 300.0, minimum=1.0, purpose="longest upload of one file to the CDN, s"
        ),
        cdn_max_attempts=env.integer(
            "CDN_MAX_ATTEMPTS", 10, minimum=1, maximum=50, purpose="tries before a CDN upload is marked failed"
        ),
    )


Settings = BackendSettings[PublishingSettings]


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    return load_backend_settings(SERVICE, DEFAULT_HTTP_PORT, get_publishing_settings, environ)
