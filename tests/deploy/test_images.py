"""What every pod runs: which image and module, as which user, with what time to drain."""

from __future__ import annotations

import inspect

from assetforge.common.serve import serve
from tests.deploy.manifests import (
    KUSTOMIZATIONS,
    PRODUCTION,
    containers,
    dockerfile_user,
    every_container,
    module_service,
    named,
    pod_spec,
    render,
    workloads,
)


def test_containers_run_existing_service_modules_through_the_image_entrypoint() -> None:
    for kustomization, workload, container in every_container():
        where = f"{kustomization}: {workload['metadata']['name']}/{container['name']}"
        assert "command" not in container, f"{where}: keep the image's `python -m` entrypoint; use args"
        service = module_service(container["args"][0])
        assert container["name"] == service, where
        if workload["kind"] == "Deployment":
            assert workload["metadata"]["name"] == service, where
            assert container["args"] == [f"assetforge.{service}"], f"{where}: a Deployment serves"


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
