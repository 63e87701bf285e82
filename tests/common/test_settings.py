"""Settings are read once, typed, and every problem is named in one error."""

from __future__ import annotations

import pytest

from assetforge.assets.settings import load_settings as load_assets
from assetforge.common.entries import service_entries
from assetforge.common.settings import Env, Environment, SettingsError
from assetforge.common.stack_settings import load_stack_settings
from assetforge.common.variables import Recording, Variable
from assetforge.gateway.settings import load_settings as load_gateway
from assetforge.generation.settings import load_settings as load_generation
from assetforge.media.settings import load_settings as load_media


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


# What the readers record for check-env ----------------------------------------------------


def test_every_read_is_recorded_with_its_declaration() -> None:
    env = Env({"KEY": "  k  ", "COUNT": "many"})
    assert env.text("KEY", purpose="a key", level="recommended", secret=True) == "k"
    env.integer("COUNT", 2, minimum=1, purpose="how many")
    env.text("ABSENT", "fallback")
    assert env.variables["KEY"] == Variable("KEY", "recommended", "a key", secret=True, is_set=True)
    assert env.variables["COUNT"].problem == "must be an integer, got 'many'"
    assert env.variables["ABSENT"] == Variable("ABSENT", default="fallback")
    assert env.variables["NODE_ENV"].level == "required"


def test_reading_twice_keeps_the_stronger_level_and_the_first_purpose() -> None:
    env = Env({"NODE_ENV": "production"})
    env.integer("PORT", 3004, purpose="HTTP port")
    env.raw("PORT", level="required", purpose="ignored")
    assert env.variables["PORT"] == Variable("PORT", "required", "HTTP port", default="3004")


def test_problems_about_a_value_are_told_apart_from_a_loaders_own() -> None:
    env = Env({"COUNT": "x", "TOKEN": "tok-s3cret"})
    env.integer("COUNT", 1)
    env.integer("TOKEN", 1, secret=True)
    env.problems.append("COUNT and TOKEN do not go together")
    assert env.other_problems == ["COUNT and TOKEN do not go together"]
    assert len(env.problems) == 3
    # A secret's value is not repeated even in the error a service refuses to start with.
    assert "s3cret" not in " ".join(env.problems)


def test_a_recording_environment_sees_the_env_a_loader_builds() -> None:
    recording = Recording({"DATABASE_URL": "postgresql://db/af", "MESHY_API_KEY": "m"})
    settings = load_generation(recording)
    (env,) = recording.envs
    assert env.variables["MESHY_API_KEY"].secret
    assert env.variables["MESHY_API_KEY"].is_set
    assert settings.own.providers.meshy_api_key == "m"


def test_the_back_ends_read_their_own_fields_typed_and_checked() -> None:
    base = {"DATABASE_URL": "postgresql://db/af"}
    generation = load_generation({**base, "OPENAI_API_KEY": "sk-s3cret", "ELEVENLABS_API_KEY": "e"}).own.providers
    assert (generation.ai_gateway_api_key, generation.openai_api_key) == (None, "sk-s3cret")
    assert "s3cret" not in repr(generation)
    media = load_media({**base, "CDN_URL": "https://cdn.example", "CDN_WS_URL": "wss://cdn.example/events"}).own
    assert (media.cdn_url, media.cdn_ws_url, media.imgur_client_id) == (
        "https://cdn.example",
        "wss://cdn.example/events",
        None,
    )
    with pytest.raises(SettingsError, match="CDN_WS_URL must be a ws or wss URL"):
        load_media({**base, "CDN_WS_URL": "https://cdn.example"})
    with pytest.raises(SettingsError, match="SENTRY_DSN must be a http or https URL"):
        load_assets({**base, "SENTRY_DSN": "not a dsn"})


def test_each_entry_names_the_port_its_settings_read() -> None:
    for entry in service_entries():
        environ = {"DATABASE_URL": "postgresql://db/af"}
        assert entry.load_settings(environ).http.port == entry.default_port, entry.name
        assert entry.load_settings({**environ, entry.port_variable: "4567"}).http.port == 4567, entry.name
    assert {entry.name: entry.port_variable for entry in service_entries()}["gateway"] == "PORT"


def test_make_run_gives_each_service_its_own_port() -> None:
    stack = load_stack_settings(
        service_entries(),
        {"PORT": "8000", "HTTP_PORT": "9999", "MEDIA_HTTP_PORT": "8013", "ASSETFORGE_ROOT": "/srv/af"},
    )
    assert stack.ports == {
        "gateway": ("PORT", "8000"),
        "assets": ("HTTP_PORT", "3011"),
        "generation": ("HTTP_PORT", "3012"),
        "media": ("HTTP_PORT", "8013"),
    }
    assert stack.environ["AUTH_MODE"] == "dev"
    assert stack.environ["DEV_AUTH_DIR"] == "/srv/af/.data/dev-auth"
    assert (stack.nats_url, stack.database_url, stack.nats_port) == (None, None, 4322)
    # A port is the service's to judge (it refuses a bad one, and the stack reports that);
    # the stack's own knobs it judges itself.
    assert load_stack_settings(service_entries(), {"ASSETS_HTTP_PORT": "soon"}).ports["assets"] == ("HTTP_PORT", "soon")
    with pytest.raises(SettingsError, match="DEVSTACK_NATS_PORT must be an integer"):
        load_stack_settings(service_entries(), {"DEVSTACK_NATS_PORT": "soon"})
