"""check-env reports state without ever printing a secret, and fails production gaps."""

from __future__ import annotations

import os
import subprocess
import sys

from assetforge.common.envcheck import VARIABLES, check_env
from assetforge.common.stack import MAKE_RUN_PROVIDES

COMPLETE = {
    "NODE_ENV": "production",
    "PORT": "3004",
    "DATABASE_URL": "postgresql://app:s3cret-db@db/af",
    "NATS_URL": "nats://nats:4222",
    "PRIVY_APP_ID": "app-id",
    "PRIVY_APP_SECRET": "privy-s3cret",
    "MESHY_API_KEY": "meshy-s3cret",
}


def test_a_complete_production_environment_passes_without_revealing_secrets() -> None:
    report, status = check_env(COMPLETE)
    assert status == 0
    for secret in ("s3cret-db", "privy-s3cret", "meshy-s3cret"):
        assert secret not in report
    assert "MESHY_API_KEY" in report


def test_production_missing_a_required_variable_fails_and_names_it() -> None:
    report, status = check_env({k: v for k, v in COMPLETE.items() if k != "PRIVY_APP_ID"})
    assert status == 1
    assert "production is missing required configuration: PRIVY_APP_ID" in report


def test_the_verification_key_stands_in_for_the_app_secret() -> None:
    environ = {k: v for k, v in COMPLETE.items() if k != "PRIVY_APP_SECRET"}
    pem = "-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----"
    report, status = check_env({**environ, "PRIVY_VERIFICATION_KEY": pem})
    assert status == 0
    assert "covered by PRIVY_VERIFICATION_KEY" in report


def test_invalid_values_are_reported_as_invalid() -> None:
    report, status = check_env({**COMPLETE, "NATS_URL": "localhost:4222", "PORT": "99999"})
    assert status == 1
    lines = {line.split()[0]: line for line in report.splitlines() if line.startswith("  ")}
    assert "invalid" in lines["NATS_URL"]
    assert "invalid" in lines["PORT"]


def test_credentials_in_a_url_are_hidden() -> None:
    report, _ = check_env({**COMPLETE, "NATS_URL": "nats://user:hunter2@nats:4222"})
    assert "hunter2" not in report


def _states(report: str) -> dict[str, str]:
    return {line.split()[0]: line.split()[1] for line in report.splitlines() if line.startswith("  ")}


def test_development_reports_gaps_without_failing() -> None:
    _, status = check_env({"NODE_ENV": "development"})
    assert status == 0


def test_beside_make_run_what_it_provides_is_not_reported_missing() -> None:
    report, status = check_env({})
    assert status == 0
    states = _states(report)
    provided = {v.name for v in VARIABLES if v.name in MAKE_RUN_PROVIDES}
    assert {"NODE_ENV", "DATABASE_URL", "NATS_URL", "AUTH_MODE"} <= provided
    assert {name for name, state in states.items() if state == "provided"} == provided
    assert "provided  by make run (its embedded PostgreSQL)" in report
    # Only the gaps make run leaves count: the gateway's PORT and Privy's two.
    assert states["PRIVY_APP_ID"] == "missing"
    assert report.endswith("not production: 3 required variable(s) would block a production start")


def test_what_the_shell_sets_is_reported_as_set_even_beside_make_run() -> None:
    report, _ = check_env({"NODE_ENV": "development", "DATABASE_URL": "postgresql://me:pw@db/af"})
    assert _states(report)["DATABASE_URL"] == "set"
    assert _states(report)["NATS_URL"] == "provided"


def test_production_still_fails_for_what_make_run_would_provide() -> None:
    report, status = check_env({k: v for k, v in COMPLETE.items() if k not in {"DATABASE_URL", "NATS_URL"}})
    assert status == 1
    assert "production is missing required configuration: DATABASE_URL, NATS_URL" in report
    assert _states(report)["DATABASE_URL"] == "missing"
    assert "make run" not in report


def test_the_command_line_exits_non_zero_for_a_production_gap() -> None:
    env = {"PATH": os.environ["PATH"], "NODE_ENV": "production"}
    result = subprocess.run(
        [sys.executable, "-m", "assetforge.common.cli", "check-env"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "DATABASE_URL" in result.stdout


def test_the_command_line_beside_make_run_reports_what_it_provides_and_passes() -> None:
    env = {"PATH": os.environ["PATH"], "NODE_ENV": "development"}
    result = subprocess.run(
        [sys.executable, "-m", "assetforge.common.cli", "check-env"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert _states(result.stdout)["DATABASE_URL"] == "provided"
