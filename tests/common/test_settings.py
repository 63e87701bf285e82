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


def test_development_listens_on_loopback_unless_asked() -> None:
    assert load_assets({"DATABASE_URL": "postgresql://db/af"}).http.host == "127.0.0.1"
    assert load_assets({"NODE_ENV": "test", "DATABASE_URL": "postgresql://db/af"}).http.host == "127.0.0.1"
    asked = load_assets({"DATABASE_URL": "postgresql://db/af", "HTTP_HOST": "0.0.0.0"})  # noqa: S104
    assert asked.http.host == "0.0.0.0"  # noqa: S104


def test_production_listens_on_every_interface() -> None:
    settings = load_assets({"NODE_ENV": "production", "DATABASE_URL": "postgresql://db/af", "NATS_URL": "nats://n"})
    assert settings.http.host == "0.0.0.0"  # noqa: S104


def test_http_limits_have_defaults_and_are_validated() -> None:
    http = load_assets({"DATABASE_URL": "postgresql://db/af"}).http
    assert (http.max_header_bytes, http.header_timeout_s, http.body_timeout_s) == (65536, 10.0, 30.0)
    assert http.metrics_port is None
    tuned = load_assets(
        {
            "DATABASE_URL": "postgresql://db/af",
            "HTTP_MAX_HEADER_BYTES": "16384",
            "HTTP_HEADER_TIMEOUT_S": "2.5",
            "HTTP_BODY_TIMEOUT_S": "60",
            "METRICS_PORT": "9464",
        }
    ).http
    assert (tuned.max_header_bytes, tuned.header_timeout_s, tuned.body_timeout_s) == (16384, 2.5, 60.0)
    assert tuned.metrics_port == 9464
    with pytest.raises(SettingsError) as raised:
        load_assets(
            {
                "DATABASE_URL": "postgresql://db/af",
                "HTTP_MAX_HEADER_BYTES": "100",
                "HTTP_HEADER_TIMEOUT_S": "soon",
                "HTTP_BODY_TIMEOUT_S": "0",
                "METRICS_PORT": "70000",
            }
        )
    for name in ("HTTP_MAX_HEADER_BYTES", "HTTP_HEADER_TIMEOUT_S", "HTTP_BODY_TIMEOUT_S", "METRICS_PORT"):
        assert name in str(raised.value)


def test_the_metrics_port_must_differ_from_the_public_one() -> None:
    with pytest.raises(SettingsError, match="METRICS_PORT must differ from PORT"):
        load_gateway({"DATABASE_URL": "postgresql://db/af", "PORT": "3004", "METRICS_PORT": "3004"})
