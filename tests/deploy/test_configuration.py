"""Secrets and configuration: what the containers are given, and whether the services accept it."""

from __future__ import annotations

import pytest
import yaml

from assetforge.common.settings import Environment
from tests.deploy.manifests import (
    KUBERNETES_VERSIONS,
    KUSTOMIZATIONS,
    PRODUCTION,
    SECRET_EXAMPLE,
    check_container_settings,
    container_environment,
    containers,
    every_container,
    known_variables,
    named,
    render,
    schema_problems,
    secret_examples,
    workloads,
)

PLACEHOLDER = "CHANGE-ME"


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
