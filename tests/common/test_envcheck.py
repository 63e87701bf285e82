"""check-env reports state without ever printing a secret, and fails production gaps."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from assetforge.assets.settings import load_settings as load_assets
from assetforge.common.envcheck import VARIABLES, catalogue, check_env
from assetforge.common.settings import Env
from assetforge.common.stack_settings import MAKE_RUN_PROVIDES

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


# The report comes from the loaders themselves ---------------------------------------------


def _lines(report: str) -> dict[str, list[str]]:
    """Each variable's report lines, by name (a variable should have exactly one)."""
    lines: dict[str, list[str]] = {}
    for line in report.splitlines():
        if line.startswith("  ") and not line.startswith("  - "):
            lines.setdefault(line.split()[0], []).append(line)
    return lines


def _only_here(environ: Mapping[str, str] | None) -> object:
    """A loader no other list knows of: what it reads is in the report because it read it."""
    env = Env(environ)
    env.text("ONLY_HERE_URL", level="recommended", purpose="read by this loader alone")
    env.required_text("ONLY_HERE_TOKEN", secret=True, purpose="a required secret")
    count = env.integer("ONLY_HERE_COUNT", 3, minimum=1, secret=True)
    if (env.text("ONLY_HERE_NOTE") or "").startswith("bad"):
        env.problems.append(
            f"ONLY_HERE_NOTE refused ({env.text('ONLY_HERE_NOTE')}, token {env.raw('ONLY_HERE_TOKEN')})"
        )
    env.check()
    return count


def _also_here(environ: Mapping[str, str] | None) -> object:
    env = Env(environ)
    env.text("ONLY_HERE_URL", level="required", purpose="another reader's words")
    env.check()
    return env


def test_a_variable_only_a_loader_reads_is_reported_with_its_declaration() -> None:
    report, status = check_env({}, {"probe": _only_here})
    assert status == 0
    line = _lines(report)["ONLY_HERE_URL"][0]
    assert line.split()[1] == "missing"
    assert "read by this loader alone" in line
    assert "[probe]" in line
    assert "recommended:" in report
    assert "ONLY_HERE_COUNT" in report
    assert "default 3" not in _lines(report)["ONLY_HERE_COUNT"][0]  # a secret's default is not shown either


def test_a_back_end_field_is_reported_from_its_service_loader() -> None:
    # QDRANT_URL exists only in the assets service's settings; the report learns of it there.
    settings = load_assets({"DATABASE_URL": "postgresql://db/af", "QDRANT_URL": "https://qdrant.example"})
    assert settings.own.qdrant_url == "https://qdrant.example"
    report, _ = check_env({"QDRANT_URL": "https://qdrant.example", "QDRANT_API_KEY": "qdrant-s3cret"})
    lines = _lines(report)
    assert lines["QDRANT_URL"][0].split()[1:3] == ["set", "https://qdrant.example"]
    assert lines["QDRANT_URL"][0].endswith("[assets]")
    assert "hidden" in lines["QDRANT_API_KEY"][0]
    assert "qdrant-s3cret" not in report
    invalid, _ = check_env({"QDRANT_URL": "ftp://qdrant.example"})
    assert _lines(invalid)["QDRANT_URL"][0].split()[1] == "invalid"


def test_no_secret_is_ever_shown_whether_set_invalid_or_quoted_in_a_problem() -> None:
    secrets = {variable.name: f"{variable.name.lower()}-s3cret" for variable in catalogue() if variable.secret}
    assert {"DATABASE_URL", "PRIVY_APP_SECRET", "MESHY_API_KEY", "CDN_API_KEY", "QDRANT_API_KEY"} <= secrets.keys()
    report, _ = check_env({**COMPLETE, **secrets})
    assert "s3cret" not in report
    # Invalid secrets, and a loader's own message that quotes one, are blanked too.
    environ = {"ONLY_HERE_TOKEN": "tok-s3cret", "ONLY_HERE_COUNT": "many-s3crets", "ONLY_HERE_NOTE": "bad note"}
    report, _ = check_env(environ, {"probe": _only_here})
    assert "s3cret" not in report
    assert "invalid   must be an integer, got a hidden value" in report
    assert "ONLY_HERE_NOTE refused (bad note, token hidden)" in report


def test_production_fails_on_a_required_variable_a_loader_declares_and_names_it() -> None:
    report, status = check_env({"NODE_ENV": "production"}, {"probe": _only_here})
    assert status == 1
    assert "production is missing required configuration: NODE_ENV" not in report
    assert report.endswith("production is missing required configuration: ONLY_HERE_TOKEN")
    # PORT is required only in production, where the gateway asks for it.
    report, status = check_env({k: v for k, v in COMPLETE.items() if k != "PORT"})
    assert status == 1
    assert "production is missing required configuration: PORT" in report


def test_what_a_loader_refuses_that_is_no_one_value_still_shows_and_fails_production() -> None:
    report, status = check_env({**COMPLETE, "AUTH_MODE": "dev"})
    assert status == 1
    assert "  - AUTH_MODE=dev is refused when NODE_ENV=production  [gateway]" in report
    assert report.endswith("production services would refuse to start: 1 problem(s) listed above")
    report, _ = check_env({k: v for k, v in COMPLETE.items() if k != "PRIVY_APP_SECRET"})
    assert "PRIVY_APP_SECRET (or PRIVY_VERIFICATION_KEY) is required" in report


def test_a_variable_read_by_several_services_appears_once_with_them() -> None:
    report, _ = check_env({})
    lines = _lines(report)
    assert all(len(found) == 1 for found in lines.values()), lines
    assert lines["DATABASE_URL"][0].endswith("[all]")
    assert lines["HTTP_PORT"][0].endswith("[assets, generation, media]")
    assert lines["PORT"][0].endswith("[gateway]")
    # Two loaders that declare one variable differently: one line, the stronger level.
    loaders = {"probe": _only_here, "other": _also_here, "bystander": Env}
    report, status = check_env({"NODE_ENV": "production"}, loaders)
    url = _lines(report)["ONLY_HERE_URL"]
    assert len(url) == 1
    assert url[0].endswith("[probe, other]")
    assert "production is missing required configuration: ONLY_HERE_URL, ONLY_HERE_TOKEN" in report
    assert status == 1


def test_make_run_also_provides_each_back_end_its_port_and_the_dev_keys() -> None:
    states = _states(check_env({})[0])
    assert states["HTTP_PORT"] == "provided"
    assert states["DEV_AUTH_DIR"] == "provided"
    assert states["PORT"] == "missing"


def test_every_variable_the_readme_documents_is_in_the_report() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    documented = {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row)}
    assert {"HTTP_HOST", "METRICS_PORT", "AUTH_FAILURE_LIMIT", "READINESS_TIMEOUT_S"} <= documented
    assert documented <= _lines(check_env({})[0]).keys()
