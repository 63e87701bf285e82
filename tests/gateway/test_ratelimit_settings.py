"""The rate limit's settings: defaults, the environment, and every problem reported."""

from __future__ import annotations

from assetforge.common.settings import Env
from assetforge.gateway.settings import get_rate_limit_settings


def test_settings_defaults() -> None:
    env = Env({})
    config = get_rate_limit_settings(env)
    assert env.problems == []
    assert (config.max, config.window_ms, config.disabled, config.trusted_proxies) == (100, 60_000, False, ())
    assert (config.generation_max, config.audio_max) == (10, 20)


def test_settings_from_the_environment() -> None:
    env = Env(
        {
            "RATE_LIMIT_MAX": "250",
            "RATE_LIMIT_WINDOW_MS": "30000",
            "DISABLE_RATE_LIMITING": "true",
            "TRUSTED_PROXIES": "10.0.0.0/8, 2001:db8::/32,192.0.2.7",
        }
    )
    config = get_rate_limit_settings(env)
    assert env.problems == []
    assert (config.max, config.window_ms, config.disabled) == (250, 30_000, True)
    assert [str(n) for n in config.trusted_proxies] == ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7/32"]


def test_settings_report_every_problem() -> None:
    env = Env({"RATE_LIMIT_MAX": "0", "RATE_LIMIT_WINDOW_MS": "soon", "TRUSTED_PROXIES": "10.0.0.0/8, proxy.local"})
    get_rate_limit_settings(env)
    assert len(env.problems) == 3
    assert any("proxy.local" in problem for problem in env.problems)
