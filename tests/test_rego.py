"""Each Gatekeeper policy's Rego, run with allowed and denied sample objects (regopy)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from regopy import Interpreter

from components.platform.gatekeeper import POLICIES, REQUIRED_LABELS

REPOS = ["slipwaydevacr.azurecr.io/", "ghcr.io/acme-platform/"]
PARAMETERS = {"k8srequiredlabels": {"labels": list(REQUIRED_LABELS)}, "k8sallowedrepos": {"repos": REPOS}}
GOOD_LABELS = {"app.kubernetes.io/name": "api", "app.kubernetes.io/part-of": "payments", "environment": "dev"}


def violations(policy_name: str, kind: str, obj: dict[str, Any], namespace: str = "payments") -> list[str]:
    (policy,) = [p for p in POLICIES if p.name == policy_name]
    interpreter = Interpreter()
    interpreter.add_module(policy.name, policy.rego())
    review = {"kind": {"kind": kind}, "namespace": namespace, "object": obj}
    interpreter.set_input_term(json.dumps({"review": review, "parameters": PARAMETERS.get(policy.name, {})}))
    result = json.loads(str(interpreter.query(f"data.{policy.name}.violation")))
    (found,) = result["expressions"]
    return [v["msg"] for v in found]


def pod(**container: Any) -> dict[str, Any]:
    base = {
        "name": "app",
        "image": "slipwaydevacr.azurecr.io/payments/api@sha256:" + "a" * 64,
        "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
    }
    return {"metadata": {"name": "api", "labels": GOOD_LABELS}, "spec": {"containers": [{**base, **container}]}}


def test_every_policy_allows_a_well_formed_pod() -> None:
    for policy in POLICIES:
        kind = "Deployment" if policy.name == "k8srequiredlabels" else "Pod"
        assert violations(policy.name, kind, pod()) == [], policy.name


def test_required_labels() -> None:
    deployment = {"metadata": {"name": "api", "labels": {"app.kubernetes.io/name": "api"}}}
    (message,) = violations("k8srequiredlabels", "Deployment", deployment)
    assert "app.kubernetes.io/part-of" in message and "environment" in message
    assert violations("k8srequiredlabels", "Deployment", {"metadata": {"name": "api"}})


def test_required_labels_message_is_the_same_in_opa() -> None:
    # Gatekeeper's OPA prints `sort(missing)` of a set as an array, regopy as a set (conformance check 4
    # found the messages differ): the policy sorts an array, which both print alike.
    (message,) = violations("k8srequiredlabels", "Deployment", {"metadata": {"name": "api"}})
    labels = '["app.kubernetes.io/name", "app.kubernetes.io/part-of", "environment"]'
    assert message == f"Deployment api is missing required labels {labels}"


@pytest.mark.parametrize("limits", [{}, {"cpu": "1"}, {"memory": "1Gi"}])
def test_container_limits(limits: dict[str, str]) -> None:
    missing = {"cpu", "memory"} - set(limits)
    found = violations("k8scontainerlimits", "Pod", pod(resources={"limits": limits}))
    assert sorted(found) == sorted(f"container app has no {r} limit" for r in missing)


def test_init_containers_need_limits_too() -> None:
    obj = pod()
    obj["spec"]["initContainers"] = [{"name": "migrate", "image": REPOS[0] + "m:1"}]
    assert len(violations("k8scontainerlimits", "Pod", obj)) == 2


@pytest.mark.parametrize(
    ("image", "allowed"),
    [
        ("ghcr.io/acme-platform/web:1.2.3", True),
        ("slipwaydevacr.azurecr.io/x:1", True),
        ("docker.io/library/nginx:latest", False),
        ("ghcr.io/acme-platform-evil/web:1", False),  # a prefix trick: the trailing '/' is part of the rule
        ("slipwaydevacr.azurecr.io.evil.com/x:1", False),
    ],
)
def test_allowed_repos(image: str, allowed: bool) -> None:
    assert (violations("k8sallowedrepos", "Pod", pod(image=image)) == []) is allowed


def test_no_privileged_containers() -> None:
    assert violations("k8snoprivileged", "Pod", pod(securityContext={"privileged": True})) == [
        "container app is privileged"
    ]
    assert violations("k8snoprivileged", "Pod", pod(securityContext={"privileged": False})) == []


def test_nothing_in_the_default_namespace() -> None:
    assert violations("k8snodefaultnamespace", "Pod", pod(), namespace="default") == [
        "Pod api must not be in the default namespace"
    ]
    obj = pod()
    obj["metadata"]["namespace"] = "default"
    assert violations("k8snodefaultnamespace", "Pod", obj, namespace="") != []


@pytest.mark.parametrize(
    ("kind", "name"), [("Service", "kubernetes"), ("ServiceAccount", "default"), ("ConfigMap", "kube-root-ca.crt")]
)
def test_kubernetes_own_objects_in_default_are_allowed(kind: str, name: str) -> None:
    own = {"metadata": {"name": name, "namespace": "default"}}
    assert violations("k8snodefaultnamespace", kind, own, namespace="default") == []
    other = {"metadata": {"name": f"{name}-2", "namespace": "default"}}
    assert violations("k8snodefaultnamespace", kind, other, namespace="default") != []
    assert violations("k8snodefaultnamespace", "Secret", {"metadata": {"name": name}}, namespace="default") != []
