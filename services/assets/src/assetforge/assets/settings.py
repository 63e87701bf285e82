from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from assetforge.common.backend import BackendSettings, load_backend_settings
from assetforge.common.settings import HTTP_SCHEMES, Env

SERVICE = "assets"
DEFAULT_HTTP_PORT = 3011


@dataclass(frozen=True, slots=True)
class SearchSettings:
    """The vector store behind asset search. Read (and so checked by ``check-env``)
    before the catalog queries it."""

    qdrant_url: str | None
    qdrant_api_key: str | None = field(repr=False)


def get_search_settings(env: Env) -> SearchSettings:
    url = env.text("QDRANT_URL", level="recommended", purpose="vector search")
    return SearchSettings(
        qdrant_url=env.url("QDRANT_URL", url, HTTP_SCHEMES),
        qdrant_api_key=env.text("QDRANT_API_KEY", level="recommended", secret=True, purpose="vector search key"),
    )


Settings = BackendSettings[SearchSettings]


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    return load_backend_settings(SERVICE, DEFAULT_HTTP_PORT, get_search_settings, environ)
