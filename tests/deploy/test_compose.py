"""deploy/compose.yaml against the Dockerfile and the services' own code."""

from __future__ import annotations

import functools
import inspect
import re

import pytest
import yaml

from assetforge.common.cli import load_migration_settings
from assetforge.common.serve import serve
from assetforge.common.settings import Environment
from tests.deploy.manifests import (
    DEPLOY,
    DOCKERFILE,
    PROBES,
    ROOT,
    SERVICES,
    Manifest,
    default_port,
    get_routes,
    known_variables,
    load_settings,
    module_service,
)

# What compose.yaml insists on (${NAME:?...}); every other variable keeps its default.
COMPOSE_VARIABLES = {
    "POSTGRES_PASSWORD": "example-password",
    "PRIVY_APP_ID": "example-app",
    "PRIVY_APP_SECRET": "example-secret",
}


@functools.cache
def compose() -> Manifest:
    document: Manifest = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return document


def project_services() -> dict[str, Manifest]:
    """The compose services built from deploy/Dockerfile."""
    return {name: service for name, service in compose()["services"].items() if "build" in service}


def interpolate(value: str) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?error}: the forms compose.yaml uses."""

    def substitute(match: re.Match[str]) -> str:
        name, operator, argument = match.group(1), match.group(2), match.group(3) or ""
        if name in COMPOSE_VARIABLES:
            return COMPOSE_VARIABLES[name]
        assert operator != "?", f"compose.yaml requires {name}: add it to COMPOSE_VARIABLES"
        return argument

    return re.sub(r"\$\{(\w+)(?::?([-?])([^}]*))?\}", substitute, value)


def compose_environment(service: Manifest) -> dict[str, str]:
    return {name: interpolate(str(value)) for name, value in service.get("environment", {}).items()}


def test_compose_builds_the_services_from_the_dockerfile() -> None:
    services = project_services()
    assert services
    for name, service in services.items():
        build = service["build"]
        assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE, name
        assert (DEPLOY / build["context"]).resolve() == ROOT, name


def test_compose_serves_every_service_and_migrates_every_schema_first() -> None:
    served, migrations = [], []
    for name, service in project_services().items():
        if "entrypoint" in service:
            script = " ".join(service["command"])
            migrations = [module_service(module) for module in re.findall(r"python -m (\S+) migrate", script)]
            assert service["restart"] == "no", name
            continue
        (module,) = service["command"]
        assert module_service(module) == name
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
        served.append(name)
    assert sorted(served) == list(SERVICES)
    assert sorted(migrations) == list(SERVICES)


def test_compose_dependencies_and_nats_are_well_formed() -> None:
    services = compose()["services"]
    conditions = {"service_started", "service_healthy", "service_completed_successfully"}
    for name, service in services.items():
        for dependency, rule in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            assert rule["condition"] in conditions, name
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} has no healthcheck"
    nats = services["nats"]["command"]
    assert "-js" in nats
    assert nats[nats.index("-sd") + 1] == "/data"


@pytest.mark.parametrize("service", SERVICES)
def test_compose_health_checks_and_settings_match_the_service_code(service: str) -> None:
    definition = project_services()[service]
    environment = compose_environment(definition)
    assert environment.keys() <= known_variables()
    settings = load_settings(service, environment)
    assert settings.runtime.environment is Environment.PRODUCTION
    assert settings.http.port == default_port(service)
    test = " ".join(definition["healthcheck"]["test"])
    match = re.search(r"http://127\.0\.0\.1:(\d+)(/[^'\"\s]*)", test)
    assert match, test
    assert int(match.group(1)) == settings.http.port
    assert match.group(2) == PROBES[service].ready
    assert match.group(2) in get_routes(service)
    stop_grace = re.fullmatch(r"(\d+)s", definition["stop_grace_period"])
    assert stop_grace
    assert int(stop_grace.group(1)) > inspect.signature(serve).parameters["graceful_timeout"].default


def test_the_compose_migration_step_has_what_every_settings_loader_needs() -> None:
    (migrate,) = [service for service in project_services().values() if "entrypoint" in service]
    environment = compose_environment(migrate)
    assert environment.keys() <= known_variables()
    for service in SERVICES:
        load_migration_settings(service, environment)
