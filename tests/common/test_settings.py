"""Settings are read once, typed, and every problem is named in one error."""

from __future__ import annotations

import pytest

from assetforge.assets.settings import load_settings as load_assets
from assetforge.common.settings import Environment, SettingsError
from assetforge.gateway.settings import load_settings as load_gateway


def test_a_valid_environment_gives_typed_settings() -> None:
    settings = load_gateway(
        {"DATABASE_URL": "postgresql://u:p@db/af", "NATS_URL": "nats://n:4222", "PORT": "8080", "DB_POOL_SIZE": "4"}
    )
    assert settings.http.port == 8080
    assert settings.database.pool_size == 4
    assert settings.runtime.environment is Environment.DEVELOPMENT
    assert settings.edge.max_body_mb == 100


def test_development_falls_back_to_a_local_nats() -> None:
    assert load_assets({"DATABASE_URL": "postgresql://db/af"}).nats.url == "nats://127.0.0.1:4222"


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(SettingsError) as raised:
        load_gateway({"NODE_ENV": "production", "DB_POOL_SIZE": "many", "LOG_LEVEL": "LOUD", "NATS_URL": "http://x"})
    text = str(raised.value)
    for name in ("DATABASE_URL", "DB_POOL_SIZE", "LOG_LEVEL", "NATS_URL", "PORT", "PRIVY_APP_ID", "PRIVY_APP_SECRET"):
        assert name in text
    assert len(raised.value.problems) == 7


def test_production_has_no_fallbacks() -> None:
    with pytest.raises(SettingsError, match="NATS_URL is required"):
        load_assets({"NODE_ENV": "production", "DATABASE_URL": "postgresql://db/af"})


def test_an_unknown_node_env_is_refused() -> None:
    with pytest.raises(SettingsError, match="NODE_ENV must be one of"):
        load_assets({"NODE_ENV": "staging", "DATABASE_URL": "postgresql://db/af"})


def test_dev_sign_in_is_refused_in_production() -> None:
    with pytest.raises(SettingsError, match="AUTH_MODE=dev is refused"):
        load_gateway(
            {
                "NODE_ENV": "production",
                "AUTH_MODE": "dev",
                "DATABASE_URL": "postgresql://db/af",
                "NATS_URL": "nats://n:4222",
                "PORT": "3004",
                "PRIVY_APP_ID": "app",
                "PRIVY_APP_SECRET": "s",
            }
        )


def test_frontend_origins_are_a_trimmed_list() -> None:
    settings = load_gateway(
        {"DATABASE_URL": "postgresql://db/af", "FRONTEND_URL": "https://a.example/, https://b.example"}
    )
    assert settings.cors.origins == {"https://a.example", "https://b.example"}
    assert not settings.cors.allow_localhost
