from __future__ import annotations

from collections.abc import Mapping

from assetforge.common.settings import BackendSettings, load_backend_settings

SERVICE = "generation"
DEFAULT_HTTP_PORT = 3012

Settings = BackendSettings


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    return load_backend_settings(SERVICE, DEFAULT_HTTP_PORT, environ)
