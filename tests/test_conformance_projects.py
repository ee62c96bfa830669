"""Check 2's own logic (conformance/projects_check.py), and that ArgoCD's side can disagree with it.

The verdict logic runs everywhere; the cases given to ArgoCD's code need the `projectcheck` binary
and skip without it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from conformance.projects_check import judge, window_answer
from conformance.report import missing_binary, run_lines

PROJECT: dict[str, Any] = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "AppProject",
    "metadata": {"name": "team", "namespace": "argocd"},
    "spec": {
        "sourceRepos": ["https://github.com/acme/gitops.git"],
        "destinations": [{"name": "hub", "namespace": "svc-*"}],
        "clusterResourceWhitelist": [{"group": "", "kind": "Namespace", "name": "svc-dev"}],
        "namespaceResourceBlacklist": [{"group": "*", "kind": "ResourceQuota"}],
        "roles": [
            {
                "name": "developer",
                "policies": ["p, proj:team:developer, applications, get, team/*, allow"],
                "groups": ["devs"],
            }
        ],
    },
}
APPLICATION: dict[str, Any] = {
    "metadata": {"name": "svc-dev-hub", "namespace": "argocd"},
    "spec": {"project": "team", "destination": {"name": "hub", "namespace": "svc-dev"}},
}
ALWAYS_DENY = {"kind": "deny", "schedule": "* * * * *", "duration": "1h", "manualSync": True}


def _argocd(case: dict[str, Any]) -> dict[str, Any]:
    if (why := missing_binary("projectcheck")) is not None:
        pytest.skip(why)
    answer: dict[str, Any] = run_lines("projectcheck", [case])[0]
    return answer


def test_a_window_answer_that_changes_in_the_instant_is_not_judged() -> None:
    window = {"kind": "allow", "schedule": "0 12 * * *", "duration": "1h", "applications": ["*"]}
    spec = {"syncWindows": [window]}
    go = {"check": "window", "application": APPLICATION}
    theirs = {"permitted": True, "before": "2026-12-06T12:59:59.999999+00:00", "after": "2026-12-06T13:00:00+00:00"}
    assert judge(go, (spec, False), theirs) == ("boundary", None)
    inside = {**theirs, "after": "2026-12-06T12:59:59.999999+00:00"}
    assert judge(go, (spec, False), inside) == (True, None)
    assert judge(go, (spec, False), {**inside, "permitted": False})[1] == "different sync verdict"


def test_a_window_that_does_not_parse_blocks_the_sync() -> None:
    at = datetime(2026, 12, 6, tzinfo=UTC)
    broken = {**ALWAYS_DENY, "schedule": "bad", "applications": ["*"]}
    assert window_answer(APPLICATION, {"syncWindows": [broken]}, True, at) is False


def test_the_verdict_of_each_kind() -> None:
    assert judge({"check": "source"}, True, {"permitted": False})[1] == "different source verdict"
    assert judge({"check": "resource"}, {"permitted": True}, {"permitted": True}) == (True, None)
    assert judge({"check": "rbac"}, [True, False], {"allowed": [True, True]})[1] == "different RBAC verdicts"


def test_argocd_refuses_what_the_project_does_not_list() -> None:
    source = _argocd({"check": "source", "project": PROJECT, "repoURL": "https://github.com/acme/other.git"})
    assert source["permitted"] is False
    quota = {"check": "resource", "project": PROJECT, "group": "", "kind": "ResourceQuota", "name": "q"}
    assert _argocd({**quota, "namespaced": True})["permitted"] is False
    namespace = {"check": "resource", "project": PROJECT, "group": "", "kind": "Namespace", "namespaced": False}
    assert _argocd({**namespace, "name": "svc-dev"})["permitted"] is True
    assert _argocd({**namespace, "name": "kube-system"})["permitted"] is False
    hub = {"name": "hub", "server": "https://hub.cluster.invalid"}
    destination = {"check": "destination", "project": PROJECT, "cluster": hub, "clusters": [hub]}
    assert _argocd({**destination, "namespace": "svc-dev"})["permitted"] is True
    assert _argocd({**destination, "namespace": "kube-system"})["permitted"] is False


def test_argocd_honours_a_deny_window_and_its_manual_sync() -> None:
    project = {**PROJECT, "spec": {**PROJECT["spec"], "syncWindows": [{**ALWAYS_DENY, "applications": ["*"]}]}}
    window = {"check": "window", "project": project, "application": APPLICATION}
    assert _argocd({**window, "manual": False})["permitted"] is False
    assert _argocd({**window, "manual": True})["permitted"] is True


def test_argocd_rbac_grants_a_project_role_to_its_group_only() -> None:
    queries = [
        {"group": group, "resource": "applications", "action": action, "object": "team/svc-dev-hub"}
        for group in ("devs", "others")
        for action in ("get", "sync")
    ]
    answer = _argocd({"check": "rbac", "rbac": {"scopes": "[groups]"}, "projects": [PROJECT], "queries": queries})
    assert answer["allowed"] == [True, False, False, False]
