"""The manifests against the code they deploy: ports, probe routes, the metrics port, migrations."""

from __future__ import annotations

import pytest

from tests.deploy.manifests import (
    KUSTOMIZATIONS,
    PROBES,
    SERVICES,
    container_environment,
    containers,
    default_port,
    get_routes,
    load_settings,
    module_service,
    named,
    pod_spec,
    render,
)


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
