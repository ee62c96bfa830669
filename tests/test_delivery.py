"""The delivery layer: cluster registration, AppProjects, service ApplicationSets, analysis."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from conftest import run_stack_document, slipway, stack_document
from schema_check import custom_resource_errors

from contracts.gitops import CLUSTER_GENERATOR_PARAMS, clusters_matrix
from offline.applications import ApplicationSetError, Unsupported, applications, cluster_secrets, expand
from offline.engine import Recording

APPSET = "kubernetes:argoproj.io/v1alpha1:ApplicationSet"
PROJECT = "kubernetes:argoproj.io/v1alpha1:AppProject"


def generated(recording: Recording, prefix: str = "") -> dict[str, dict[str, Any]]:
    return {a["metadata"]["name"]: a for a in applications(recording) if a["metadata"]["name"].startswith(prefix)}


def service_apps(recording: Recording) -> dict[str, dict[str, Any]]:
    return {name: app for name, app in generated(recording).items() if app["spec"]["project"] != "platform"}


def test_cluster_secrets_label_what_applicationsets_select(recorded: Callable[[str], Recording]) -> None:
    secrets = {s["stringData"]["name"]: s for s in cluster_secrets(recorded("prod"))}
    assert set(secrets) == {"hub", "gpu"}
    hub, gpu = secrets["hub"]["metadata"]["labels"], secrets["gpu"]["metadata"]["labels"]
    assert hub["argocd.argoproj.io/secret-type"] == gpu["argocd.argoproj.io/secret-type"] == "cluster"
    assert (hub["gpu"], gpu["gpu"]) == ("false", "true")
    assert (hub["cluster_name"], gpu["cluster_name"]) == ("hub", "gpu")
    for labels in (hub, gpu):
        assert {labels[f"environment_{env}"] for env in ("dev", "staging", "prod")} == {"true"}
        assert (
            labels["enable_argo_rollouts"] == labels["enable_gatekeeper"] == labels["enable_sealed_secrets"] == "true"
        )
    assert gpu["enable_gpu_operator"] == "true" and "enable_gpu_operator" not in hub
    # gitops-bridge's single `environment`: the production environment the cluster serves
    assert hub["environment"] == gpu["environment"] == "prod"
    assert secrets["hub"]["stringData"]["server"] == "https://kubernetes.default.svc"
    assert secrets["gpu"]["stringData"]["server"].endswith(".azmk8s.io:443")


def test_cluster_secrets_carry_metadata_and_no_static_credential(recorded: Callable[[str], Recording]) -> None:
    recording = recorded("prod")
    secrets = [r for r in recording.of_type("kubernetes:core/v1:Secret") if r.name.startswith("clusters-")]
    argocd_client = recording.outputs["argocdClientId"].value
    for secret in secrets:
        annotations = secret.plain()["metadata"]["annotations"]
        assert annotations["slipway.io/acr-login-server"] == "slipwayprodacr.azurecr.io"
        assert annotations["slipway.io/ghcr-prefix"] == "ghcr.io/acme-platform"
        assert annotations["slipway.io/oidc-issuer"].startswith("https://westeurope.oic.prod-aks.azure.com/")
        assert {key: value for key, value in annotations.items() if key.startswith("addons_repo_")} == {
            "addons_repo_url": "https://github.com/acme-platform/slipway.git",
            "addons_repo_revision": "main",
            "addons_repo_basepath": "",
            "addons_repo_path": "charts/objects",
        }
        config = json.loads(secret.plain()["stringData"]["config"])
        text = json.dumps(config)
        for credential in ("bearerToken", "password", "keyData", "certData", "username"):
            assert credential not in text
        assert config["tlsClientConfig"]["insecure"] is False
    (gpu,) = [s for s in secrets if s.name == "clusters-gpu"]
    exec_config = json.loads(gpu.plain()["stringData"]["config"])["execProviderConfig"]
    assert exec_config["command"] == "argocd-k8s-auth" and exec_config["args"] == ["azure"]
    assert exec_config["env"]["AZURE_CLIENT_ID"] == argocd_client
    assert exec_config["env"]["AAD_LOGIN_METHOD"] == "workloadidentity"


@pytest.mark.parametrize("stack", ["dev", "prod", "local"])
def test_generated_applications_validate_against_the_application_crd(
    recorded: Callable[[str], Recording], stack: str
) -> None:
    apps = applications(recorded(stack))
    assert apps
    for app in apps:
        assert custom_resource_errors(app) == [], app["metadata"]["name"]


def test_every_service_reaches_every_environment_on_the_right_clusters(recorded: Callable[[str], Recording]) -> None:
    apps = service_apps(recorded("prod"))
    expected = {
        f"{service}-{env}-{cluster}"
        for env in ("dev", "staging", "prod")
        for service, cluster in (("payments-api", "hub"), ("web-frontend", "hub"), ("inference", "gpu"))
    }
    assert set(apps) == expected
    for name, app in apps.items():
        service, env = name.rsplit("-", 2)[0], name.rsplit("-", 2)[1]
        assert app["spec"]["destination"]["namespace"] == f"{service}-{env}"
        assert app["spec"]["source"]["helm"]["valueFiles"] == ["values.yaml", f"values-{env}.yaml"]
        assert app["spec"]["source"]["path"] == f"services/{service}"


def test_gpu_services_only_on_gpu_clusters(recorded: Callable[[str], Recording]) -> None:
    for stack in ("dev", "prod"):
        apps = service_apps(recorded(stack))
        assert all(name.endswith("-gpu") == name.startswith("inference-") for name in apps)


def test_prod_has_no_automated_sync_and_the_rest_do(recorded: Callable[[str], Recording]) -> None:
    apps = service_apps(recorded("prod"))
    for name, app in apps.items():
        production = "-prod-" in name
        policy = app["spec"]["syncPolicy"]
        assert ("automated" in policy) is not production, name
        if not production:
            assert policy["automated"] == {"prune": True, "selfHeal": True}
        labels = policy["managedNamespaceMetadata"]["labels"]
        assert labels["pod-security.kubernetes.io/enforce"] == ("restricted" if production else "baseline")
        assert policy["retry"]["backoff"]["factor"] == 2
        assert app["spec"]["revisionHistoryLimit"] == 20


def test_autoscaling_services_ignore_replica_drift(recorded: Callable[[str], Recording]) -> None:
    apps = service_apps(recorded("dev"))
    assert apps["payments-api-dev-hub"]["spec"]["ignoreDifferences"][0]["jsonPointers"] == ["/spec/replicas"]
    assert "ignoreDifferences" not in apps["web-frontend-dev-hub"]["spec"]


def test_appprojects_destinations_match_environments(recorded: Callable[[str], Recording]) -> None:
    recording = recorded("prod")
    projects = {r.plain()["metadata"]["name"]: r.plain()["spec"] for r in recording.of_type(PROJECT)}
    teams = ("team-payments", "team-web", "team-ml")
    assert set(projects) == {"platform", *teams, *(f"production-{t}" for t in teams)}
    for base in teams:
        for name, envs in ((base, ("dev", "staging")), (f"production-{base}", ("prod",))):
            spec = projects[name]
            document = {"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject", "metadata": {"name": name}}
            assert custom_resource_errors({**document, "spec": spec}) == []
            # only the team's own services' namespaces of these environments, on the clusters that run them
            expected = {(cluster, f"{service}-{env}") for env in envs for service, cluster in TEAM_SERVICES[base]}
            assert {(d["name"], d["namespace"]) for d in spec["destinations"]} == expected
            assert spec["clusterResourceWhitelist"] == [
                {"group": "", "kind": "Namespace", "name": ns} for ns in sorted({ns for _, ns in expected})
            ]
            assert spec["sourceRepos"] == ["https://github.com/acme-platform/gitops.git"]
        roles = {role["name"]: role for role in projects[base]["roles"]}
        assert roles["ci"]["groups"] == ["9c4f5d6e-7a8b-4c93-9d0e-2f3a4b5c6d7e"]
        assert roles["ci"]["policies"] == [
            f"p, proj:{base}:ci, applications, {action}, {base}/*, allow" for action in ("get", "sync")
        ]
        assert "syncWindows" not in projects[base]
        production = {role["name"]: role for role in projects[f"production-{base}"]["roles"]}
        assert set(production) == {"developer", "release"}
        (window,) = projects[f"production-{base}"]["syncWindows"]
        assert window["kind"] == "allow" and window["manualSync"] is False and window["applications"] == ["*"]


def test_every_service_application_names_a_project_that_exists(recorded: Callable[[str], Recording]) -> None:
    recording = recorded("prod")
    projects = {r.plain()["metadata"]["name"] for r in recording.of_type(PROJECT)}
    assert {app["spec"]["project"] for app in service_apps(recording).values()} <= projects


TEAM_SERVICES = {
    "team-payments": [("payments-api", "hub")],
    "team-web": [("web-frontend", "hub")],
    "team-ml": [("inference", "gpu")],
}


def test_services_applicationsets_pass_the_project_under_a_key_the_clusters_generator_does_not_emit(
    recorded: Callable[[str], Recording],
) -> None:
    """In goTemplate mode the clusters generator's `project: ""` wins over a list element's `project`."""
    for stack in ("dev", "prod", "local"):
        appsets = [r.plain() for r in recorded(stack).of_type(APPSET) if r.name.startswith("services-")]
        assert appsets
        for appset in appsets:
            spec = appset["spec"]
            assert spec["goTemplate"] is True
            assert spec["template"]["spec"]["project"] == "{{.serviceProject}}"
            for generator in spec["generators"]:
                first, second = generator["matrix"]["generators"]
                assert "clusters" in first
                for element in second["list"]["elements"]:
                    assert not CLUSTER_GENERATOR_PARAMS & set(element), element
                    projects = {"services", "team-payments", "team-web", "team-ml"}
                    production = appset["metadata"]["labels"]["slipway.io/production"] == "true"
                    expected = {f"production-{p}" for p in projects} if production else projects
                    assert element["serviceProject"] in expected
    with pytest.raises(ValueError, match=r"\['project'\] would be overridden"):
        clusters_matrix({"gpu": "true"}, [{"service": "a", "project": "team-a"}])


def test_dev_stack_has_no_production_environment(recorded: Callable[[str], Recording]) -> None:
    projects = [r.plain()["spec"] for r in recorded("dev").of_type(PROJECT)]
    assert all(not p.get("syncWindows") for p in projects)
    assert all("automated" in a["spec"]["syncPolicy"] for a in service_apps(recorded("dev")).values())


def test_shared_project_layout() -> None:
    document = stack_document("dev")
    slipway(document, "delivery")["projects"] = "shared"
    del slipway(document, "platform")["argocd"]["rbac"]["teams"]
    recording = run_stack_document("dev", document)
    names = {r.plain()["metadata"]["name"] for r in recording.of_type(PROJECT)}
    assert names == {"platform", "services"}
    assert {a["spec"]["project"] for a in service_apps(recording).values()} == {"services"}


def test_objects_grow_with_services_not_with_services_times_environments() -> None:
    def count(services: int) -> tuple[int, int]:
        document = stack_document("prod")
        slipway(document, "github")["enabled"] = False  # only Kubernetes objects are counted
        template = slipway(document, "delivery")["services"]
        slipway(document, "delivery")["services"] = [
            {**template[i % 3], "name": f"{template[i % 3]['name']}-{i}", "repository": f"repo-{i}"}
            for i in range(services)
        ]
        recording = run_stack_document("prod", document)
        kubernetes = [r for r in recording.resources if r.type.startswith("kubernetes:")]
        return len(kubernetes), len(service_apps(recording))

    few, many = count(3), count(23)
    assert many[0] - few[0] <= 3  # at most a project per team; never one per service
    assert many[1] - few[1] == 20 * 3  # ArgoCD fans out: every service in every environment


def test_canary_analysis_templates_validate_after_expansion(recorded: Callable[[str], Recording]) -> None:
    apps = generated(recorded("prod"), "canary-analysis-")
    assert set(apps) == {"canary-analysis-hub", "canary-analysis-gpu"}
    source = apps["canary-analysis-hub"]["spec"]["sources"][0]
    assert (source["repoURL"], source["targetRevision"], source["path"]) == (
        "https://github.com/acme-platform/slipway.git",
        "main",
        "charts/objects",
    )
    objects = source["helm"]["valuesObject"]["objects"]
    assert {o["metadata"]["name"] for o in objects} == {
        "success-rate",
        "latency-p95",
        "error-rate",
        "cpu-usage",
        "memory-usage",
    }
    conditions = {o["metadata"]["name"]: o["spec"]["metrics"][0]["successCondition"] for o in objects}
    guard = "len(result) == 0 || isNaN(result[0]) || result[0]"
    assert conditions == {
        "success-rate": f"{guard} >= 0.99",
        "latency-p95": f"{guard} <= 0.5",
        "error-rate": f"{guard} <= 0.01",
        "cpu-usage": f"{guard} <= 1.5",
        "memory-usage": f"{guard} <= 1.2",
    }
    for item in objects:
        assert custom_resource_errors(item) == []
        prometheus = item["spec"]["metrics"][0]["provider"]["prometheus"]
        assert prometheus["address"] == "http://metrics-prometheus.monitoring.svc:9090"  # the in-cluster default
        assert 'namespace="{{args.namespace}}"' in prometheus["query"]
        assert "{{args.service}}" in prometheus["query"]


def test_expansion_refuses_what_it_does_not_model() -> None:
    strict = {
        "goTemplate": True,
        "goTemplateOptions": ["missingkey=error"],
        "template": {"metadata": {"name": "{{.nope}}"}},
    }
    with pytest.raises(ApplicationSetError, match='map has no entry for key "nope"'):
        expand({"spec": {**strict, "generators": [{"list": {"elements": [{"a": "b"}]}}]}}, [])
    with pytest.raises(Unsupported, match="the git generator"):
        expand({"spec": {"goTemplate": True, "generators": [{"git": {}}], "template": {}}}, [])
