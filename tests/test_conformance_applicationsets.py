"""Check 1's own logic (conformance/applicationsets_check.py), and that ArgoCD's side can disagree.

The pure parts (how a redacted Secret is shown, what numbers Pulumi sends, the worlds, the verdict)
run everywhere; the cases fed to ArgoCD's code need the `appsetcheck` binary and skip without it.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from conformance.applicationsets_check import as_sent, judge, ported_cases, shown, slipway, worlds
from conformance.report import missing_binary, run_lines

SECRET: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Secret",
    "metadata": {
        "name": "cluster-hub",
        "namespace": "argocd",
        "labels": {"argocd.argoproj.io/secret-type": "cluster", "cluster_name": "hub", "gpu": "false"},
        "annotations": {"slipway.io/acr-login-server": "acr.example"},
    },
    "stringData": "[secret]",
}
APPLICATION_SET: dict[str, Any] = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "ApplicationSet",
    "metadata": {"name": "services", "namespace": "argocd"},
    "spec": {
        "goTemplate": True,
        "goTemplateOptions": ["missingkey=error"],
        "generators": [{"clusters": {"selector": {"matchLabels": {"gpu": "false"}}}}],
        "template": {
            "metadata": {"name": "svc-{{.name}}"},
            "spec": {
                "project": "default",
                "destination": {"server": "{{.server}}", "namespace": "svc"},
                "source": {"repoURL": "https://example.invalid/repo.git", "path": "svc", "targetRevision": "main"},
                "syncPolicy": {"retry": {"limit": 10.0}},
            },
        },
    },
}


def test_a_redacted_secret_is_given_the_same_made_up_name_and_server() -> None:
    assert shown(SECRET)["stringData"] == {"name": "hub", "server": "https://hub.cluster.invalid"}
    plain = {**SECRET, "stringData": {"name": "x", "server": "https://x"}}
    assert shown(plain) == plain


def test_numbers_go_as_pulumi_sends_them() -> None:
    assert as_sent({"a": [10.0, 2.5, True, "10.0"], "b": 3}) == {"a": [10, 2.5, True, "10.0"], "b": 3}


def test_the_worlds_vary_every_label_and_keep_the_input() -> None:
    secrets = [shown(SECRET)]
    before = copy.deepcopy(secrets)
    named = dict(worlds(secrets))
    assert secrets == before
    assert named["as written"] == secrets and named["no cluster Secrets"] == []
    assert named["cluster-hub label gpu flipped"][0]["metadata"]["labels"]["gpu"] == "true"
    assert "cluster-hub label argocd.argoproj.io/secret-type flipped" not in named
    assert named["a project in every Secret"][0]["stringData"]["project"] == "team-x"


def test_the_verdict() -> None:
    app = {"metadata": {"name": "a"}}
    assert judge("not modelled", {"error": "x"}) is None
    assert judge("error", {"error": "x"}) is None
    assert judge([app], {"error": "x"}) is not None
    assert judge("error", {"applications": [app], "slipway": []}) is not None
    assert judge([app], {"applications": [app], "slipway": [app]}) is None
    assert judge([app], {"applications": [app, app], "slipway": [app]}) == "different Applications"
    assert judge([app], {"applications": [app], "slipway": [app], "slipwayError": "bad"}) == "bad"


def test_the_ported_whole_application_set_cases_are_found() -> None:
    assert len(ported_cases()) >= 2


def _argocd(application_set: dict[str, Any], secrets: list[dict[str, Any]], ours: list[Any]) -> dict[str, Any]:
    if (why := missing_binary("appsetcheck")) is not None:
        pytest.skip(why)
    case = {"applicationSet": application_set, "secrets": secrets, "slipway": ours}
    answer: dict[str, Any] = run_lines("appsetcheck", [case])[0]
    return answer


def test_argocd_and_slipway_agree_on_a_plain_application_set() -> None:
    application_set, secrets = as_sent(APPLICATION_SET), [shown(SECRET)]
    ours = slipway(application_set, secrets)
    assert isinstance(ours, list) and len(ours) == 1
    assert judge(ours, _argocd(application_set, secrets, ours)) is None


def test_a_wrong_application_is_caught() -> None:
    application_set, secrets = as_sent(APPLICATION_SET), [shown(SECRET)]
    ours = slipway(application_set, secrets)
    assert isinstance(ours, list)
    wrong = copy.deepcopy(ours)
    wrong[0]["spec"]["destination"]["namespace"] = "other"
    assert judge(wrong, _argocd(application_set, secrets, wrong)) == "different Applications"


def test_a_field_argocd_does_not_have_is_caught() -> None:
    application_set, secrets = as_sent(APPLICATION_SET), [shown(SECRET)]
    ours = slipway(application_set, secrets)
    assert isinstance(ours, list)
    ours[0]["spec"]["notAField"] = True
    assert "unknown field" in str(judge(ours, _argocd(application_set, secrets, ours)))


def test_a_float_where_argocd_wants_an_integer_is_caught() -> None:
    """Found by this check: fed the manifests' 10.0, Slipway answered 10.0 where ArgoCD's type holds an int64."""
    secrets = [shown(SECRET)]
    ours = slipway(APPLICATION_SET, secrets)
    assert isinstance(ours, list)
    assert "cannot unmarshal number 10.0" in str(judge(ours, _argocd(as_sent(APPLICATION_SET), secrets, ours)))


def test_a_missing_key_is_refused_by_both() -> None:
    application_set = as_sent(APPLICATION_SET)
    application_set["spec"]["template"]["metadata"]["name"] = "svc-{{.metadata.annotations.absent}}"
    secrets = [shown(SECRET)]
    assert slipway(application_set, secrets) == "error"
    assert _argocd(application_set, secrets, [])["error"]
