"""Admission as ArgoCD v3.4.4 would do it: AppProject permissions (ported cases) and the preview's checks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from offline.__main__ import SYSTEM_NAMESPACES, main
from offline.admission import Cluster, destination_permitted, problems, recording_problems, source_permitted
from offline.applications import Unsupported, applications, expand
from offline.engine import Recording

CASES = yaml.safe_load((Path(__file__).parent / "argocd_cases" / "app_project_permissions.yaml").read_text())
REPO = "https://github.com/acme/gitops.git"
GPU_SERVER = "https://gpu.example.azmk8s.io:443"


@pytest.mark.parametrize("case", CASES["sources"], ids=lambda c: f"{c['test']}::{c['repos']}->{c['source']}")
def test_source_permitted_as_argocd(case: dict[str, Any]) -> None:
    assert source_permitted({"sourceRepos": case["repos"]}, case["source"]) is case["permitted"]


@pytest.mark.parametrize("case", CASES["destinations"], ids=lambda c: f"{c['test']}::{c['name']}")
def test_destination_permitted_as_argocd(case: dict[str, Any]) -> None:
    if "unsupported" in case:
        pytest.skip(f"unsupported: {case['unsupported']}")
    spec = {"destinations": case["project"], "permitOnlyProjectScopedClusters": case.get("scoped", False)}
    cluster = Cluster(case["app"].get("name", ""), case["app"].get("server", ""))
    scoped = [Cluster(c.get("name", ""), c.get("server", ""), "p") for c in case.get("clusters") or []]
    assert destination_permitted("p", spec, cluster, case["app"]["namespace"], scoped) is case["permitted"]


def cluster_secret(name: str, server: str, **labels: str) -> dict[str, Any]:
    return {
        "metadata": {
            "name": f"cluster-{name}",
            "namespace": "argocd",
            "labels": {"argocd.argoproj.io/secret-type": "cluster", **labels},
        },
        "stringData": {"name": name, "server": server, "config": "{}"},
    }


SECRETS = [
    cluster_secret("hub", "https://kubernetes.default.svc", gpu="false"),
    cluster_secret("gpu", GPU_SERVER, gpu="true"),
]


def project(name: str, namespaces: str = "*-dev", repos: tuple[str, ...] = (REPO,)) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": {
            "sourceRepos": list(repos),
            "destinations": [{"name": cluster, "namespace": namespaces} for cluster in ("hub", "gpu")],
        },
    }


def services_application_set(generators_order: str = "clusters-first") -> dict[str, Any]:
    """Slipway's services ApplicationSet shape: matrix[clusters, list], `project` in the list elements."""
    clusters = {"clusters": {"selector": {"matchLabels": {"gpu": "false"}}}}
    services = {"list": {"elements": [{"service": "payments-api", "project": "team-payments"}]}}
    children = [clusters, services] if generators_order == "clusters-first" else [services, clusters]
    return {
        "metadata": {"name": "services-dev", "namespace": "argocd"},
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [{"matrix": {"generators": children}}],
            "template": {
                "metadata": {"name": "{{.service}}-dev-{{.name}}"},
                "spec": {
                    "project": "{{.project}}",
                    "source": {"repoURL": REPO, "targetRevision": "main", "path": "services/{{.service}}"},
                    "destination": {"server": "{{.server}}", "namespace": "{{.service}}-dev"},
                },
            },
        },
    }


def admit(generated: list[dict[str, Any]], projects: list[dict[str, Any]]) -> list[str]:
    return problems(generated, projects, SECRETS, system_namespaces=SYSTEM_NAMESPACES, platform_project="platform")


def test_the_cluster_generators_empty_project_wins_the_matrix_and_is_refused() -> None:
    """The #18 defect: a cluster Secret without `project` gives `project: ""`, which beats the list's."""
    (app,) = expand(services_application_set(), SECRETS)
    assert app["spec"]["project"] == ""
    assert app["metadata"]["namespace"] == "argocd"
    assert app["metadata"]["finalizers"] == ["resources-finalizer.argocd.argoproj.io"]
    assert admit([app], [project("team-payments")]) == [
        "Application payments-api-dev-hub: spec.project is empty; an Application must name an AppProject"
    ]


def test_list_first_matrix_keeps_the_services_project_and_is_admitted() -> None:
    (app,) = expand(services_application_set("list-first"), SECRETS)
    assert app["spec"]["project"] == "team-payments"
    assert admit([app], [project("team-payments")]) == []


def application(app_name: str, project_name: str, namespace: str, **destination: str) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": app_name, "namespace": "argocd"},
        "spec": {
            "project": project_name,
            "source": {"repoURL": REPO, "path": "x"},
            "destination": {"namespace": namespace, **(destination or {"server": "https://kubernetes.default.svc"})},
        },
    }


def test_each_refusal_is_reported_once_with_argocds_reason() -> None:
    projects = [project("team-a"), project("platform", namespaces="*")]
    generated = [
        application("ok", "team-a", "a-dev"),
        application("ok-by-name", "team-a", "a-dev", name="gpu"),
        application("missing-project", "team-z", "a-dev"),
        application("wrong-namespace", "team-a", "a-prod"),
        application("unknown-cluster", "team-a", "a-dev", server="https://nowhere"),
        application("both", "team-a", "a-dev", server=GPU_SERVER, name="gpu"),
        application("dup", "team-a", "a-dev"),
        application("dup", "team-a", "b-dev"),
        application("platform-may", "platform", "kube-system"),
        application("into-system", "team-a", "gatekeeper-system"),
        {
            **application("other-repo", "team-a", "a-dev"),
            "spec": {
                **application("other-repo", "team-a", "a-dev")["spec"],
                "sources": [{"repoURL": REPO}, {"repoURL": "https://github.com/evil/repo.git"}],
            },
        },
    ]
    found = admit(generated, projects)
    assert found == [
        "Application missing-project: application references project team-z which does not exist",
        "Application wrong-namespace: application destination server 'https://kubernetes.default.svc' and "
        "namespace 'a-prod' do not match any of the allowed destinations in project 'team-a'",
        "Application unknown-cluster: application destination spec is invalid: error getting cluster by server "
        '"https://nowhere": cluster "https://nowhere" not found',
        "Application both: application destination spec is invalid: application destination can't have both name "
        f"and server defined: gpu {GPU_SERVER}",
        "Application dup: an Application of this name was generated before it; ArgoCD keeps that one and "
        "refuses this one",
        "Application into-system: application destination server 'https://kubernetes.default.svc' and namespace "
        "'gatekeeper-system' do not match any of the allowed destinations in project 'team-a'",
        "Application into-system: namespace 'gatekeeper-system' is a system namespace; only project 'platform' "
        "may deliver there",
        "Application other-repo: application repo https://github.com/evil/repo.git is not permitted in project "
        "'team-a'",
    ]


def test_a_source_hydrator_is_not_modelled() -> None:
    app = application("h", "team-a", "a-dev")
    app["spec"]["sourceHydrator"] = {"drySource": {"repoURL": REPO}}
    with pytest.raises(Unsupported, match="sourceHydrator"):
        admit([app], [project("team-a")])


def test_prod_applications_are_all_admitted(recorded: Callable[[str], Recording]) -> None:
    recording = recorded("prod")
    assert recording_problems(recording, system_namespaces=SYSTEM_NAMESPACES, platform_project="platform") == []


def test_preview_fails_on_refusals_and_writes_the_applications(
    recorded: Callable[[str], Recording], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = recording_problems(recorded("dev"), system_namespaces=SYSTEM_NAMESPACES, platform_project="platform")
    code = main(["preview", "--stack", "dev", "--compact", "--manifests", str(tmp_path)])
    _, err = capsys.readouterr()
    assert code == (1 if expected else 0)
    assert [line for line in err.splitlines() if line.startswith("not admitted: ")] == [
        f"not admitted: {problem}" for problem in expected
    ]
    written = {yaml.safe_load(p.read_text())["metadata"]["name"] for p in (tmp_path / "applications").glob("*.yaml")}
    assert written == {a["metadata"]["name"] for a in applications(recorded("dev"))}
