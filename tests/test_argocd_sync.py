"""Would every generated Application SYNC in ArgoCD v3.4.4, and only as it should (issue #24)?

Upstream cases: tests/argocd_cases/{group_kind_permitted,sync_windows,cron_ranges}.yaml and
tests/helm_cases/release_names.yaml, each with its SOURCE; the rest asserts on recorded inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import yaml
from conftest import PROJECT_DIR, run_stack_document, slipway, stack_document

from contracts.helm import release_name_problem
from contracts.syncwindow import CronError, _range, active, can_sync, parse_duration, parse_schedule
from offline.access import argocd_rights
from offline.admission import glob_match, problems, recording_problems
from offline.application_schema import application_schema
from offline.applications import ApplicationSetError, apply_template_patch, expand, owned_applications, recorded_objects
from offline.argocd_rbac import recorded_rbac
from offline.engine import Recording
from offline.sync_checks import can_sync_at, group_kind_name_permitted, matching_windows, sync_problems
from settings import SettingsError, load_settings

CASES = PROJECT_DIR / "tests" / "argocd_cases"
SERVICES = (("payments", "payments-api", "hub"), ("web", "web-frontend", "hub"), ("ml", "inference", "gpu"))
PROJECT = "kubernetes:argoproj.io/v1alpha1:AppProject"


def load(path: str) -> Any:
    return yaml.safe_load((PROJECT_DIR / "tests" / path).read_text())


def projects_of(recording: Recording) -> dict[str, dict[str, Any]]:
    return {p["metadata"]["name"]: p["spec"] for p in recorded_objects(recording, PROJECT)}


def service_apps(recording: Recording) -> list[tuple[str, dict[str, Any]]]:
    return [(owner, app) for owner, app in owned_applications(recording) if owner.startswith("services-")]


def settings_problems(document: dict[str, Any], stack: str = "dev") -> list[str]:
    sections = {k.split(":", 1)[1]: v for k, v in document["config"].items() if k.startswith("slipway:")}
    try:
        load_settings(sections, stack)
    except SettingsError as error:
        return error.problems
    return []


# --- 1. the Namespace each service creates --------------------------------------------------


@pytest.mark.parametrize("case", load("argocd_cases/group_kind_permitted.yaml")["group_kinds"])
def test_group_kind_name_permitted_as_argocd(case: dict[str, Any]) -> None:
    for group, kind, name, namespaced, expected in case["checks"]:
        assert group_kind_name_permitted(case["spec"], group, kind, name, namespaced) is expected


def test_a_project_without_the_namespace_in_its_cluster_whitelist_cannot_sync() -> None:
    """Round 3's defect, as the controller reports it: `clusterResourceWhitelist: []` and CreateNamespace."""
    app = {
        "metadata": {"name": "payments-api-dev-hub"},
        "spec": {
            "destination": {"namespace": "payments-api-dev"},
            "syncPolicy": {"syncOptions": ["CreateNamespace=true"]},
        },
    }
    old: dict[str, Any] = {"clusterResourceWhitelist": []}
    assert sync_problems(app, "team-payments", old, glob_match) == [
        "resource :Namespace is not permitted in project team-payments (the Namespace 'payments-api-dev')"
    ]
    other = {"clusterResourceWhitelist": [{"group": "", "kind": "Namespace", "name": "web-frontend-dev"}]}
    assert sync_problems(app, "team-payments", other, glob_match) != []


@pytest.mark.parametrize("stack", ["dev", "prod", "local"])
def test_every_service_may_create_exactly_its_namespace(recorded: Callable[[str], Recording], stack: str) -> None:
    recording = recorded(stack)
    projects = projects_of(recording)
    for _, app in service_apps(recording):
        spec = projects[app["spec"]["project"]]
        namespace = app["spec"]["destination"]["namespace"]
        assert "CreateNamespace=true" in app["spec"]["syncPolicy"]["syncOptions"]
        assert group_kind_name_permitted(spec, "", "Namespace", namespace, namespaced=False)
        assert not group_kind_name_permitted(spec, "", "Namespace", "kube-system", namespaced=False)
        assert not group_kind_name_permitted(spec, "rbac.authorization.k8s.io", "ClusterRole", "x", namespaced=False)
    assert recording_problems(recording, system_namespaces=["kube-*"], platform_project="platform") == []


# --- 2, 3. who may sync what ----------------------------------------------------------------


def rbac_of(recording: Recording) -> tuple[dict[str, dict[str, set[str]]], list[str]]:
    """group -> project/application -> actions, and the rules' violations."""
    rights, violations = argocd_rights(recording)
    table: dict[str, dict[str, set[str]]] = {}
    for right in rights:
        table.setdefault(right.group, {})[f"{right.project}/{right.application}"] = set(right.actions)
    return table, violations


def test_prod_rbac_gives_no_developer_or_ci_path_to_production_or_another_team(
    recorded: Callable[[str], Recording],
) -> None:
    table, violations = rbac_of(recorded("prod"))
    assert violations == []
    rbac = slipway(stack_document("prod"), "platform")["argocd"]["rbac"]
    (ci,), (developers,), (releaser,) = rbac["ciDeployers"], rbac["developers"], rbac["releasers"]
    assert {app for app, actions in table[ci].items() if "sync" in actions} == {
        f"team-{team}/{service}-{env}-{cluster}" for team, service, cluster in SERVICES for env in ("dev", "staging")
    }
    assert all(actions == {"get"} for actions in table[developers].values())
    (payments,) = rbac["teams"]["payments"]
    assert {app for app, actions in table[payments].items() if "sync" in actions} == {
        "team-payments/payments-api-dev-hub",
        "team-payments/payments-api-staging-hub",
    }
    assert table[releaser] == {
        f"production-team-{team}/{service}-prod-{cluster}": {"get", "sync"} for team, service, cluster in SERVICES
    }
    overriders = {group for group, apps in table.items() if any("override" in a for a in apps.values())}
    assert overriders == {*rbac["admins"], *rbac["operators"]}


def test_revision_overrides_need_the_override_right(recorded: Callable[[str], Recording]) -> None:
    release = recorded("prod").one("kubernetes:helm.sh/v3:Release").plain()
    assert release["values"]["configs"]["cm"]["application.sync.requireOverridePrivilegeForRevisionSync"] == "true"


def test_the_old_policy_is_found_out() -> None:
    """Today's main: `role:developer` syncs `*/*` and CI's role matches by `*-dev-*` globs."""
    values = {
        "configs": {
            "rbac": {
                "policy.csv": "p, role:developer, applications, sync, */*, allow\ng, devs, role:developer\n",
                "policy.default": "role:readonly",
            }
        }
    }
    project = {
        "metadata": {"name": "team-web"},
        "spec": {
            "roles": [
                {
                    "name": "ci",
                    "groups": ["ci"],
                    "policies": ["p, proj:team-web:ci, applications, sync, team-web/*-dev-*, allow"],
                }
            ]
        },
    }
    apps = [("services-prod", {"metadata": {"name": "web-dev-portal-prod-hub"}, "spec": {"project": "team-web"}})]
    rights, violations = recorded_rbac(values, [project], apps, ["services-prod"])
    assert {r.group for r in rights if "sync" in r.actions} == {"devs", "ci"}
    assert violations == [
        "group ci may sync production application team-web/web-dev-portal-prod-hub",
        "group devs may sync production application team-web/web-dev-portal-prod-hub",
    ]


def test_names_that_look_like_other_environments_never_cross() -> None:
    """`web-dev-portal` in prod and `api-prod` in dev: projects, not name globs, keep them apart."""
    document = stack_document("prod")
    services = slipway(document, "delivery")["services"]
    services += [
        {"name": "web-dev-portal", "team": "web", "repository": "web-dev-portal"},
        {"name": "api-prod", "team": "web", "repository": "api-prod", "environments": ["dev"]},
    ]
    recording = run_stack_document("prod", document)
    table, violations = rbac_of(recording)
    assert violations == []
    ci = slipway(document, "platform")["argocd"]["rbac"]["ciDeployers"][0]
    assert "production-team-web/web-dev-portal-prod-hub" not in table[ci]
    assert table[ci]["team-web/api-prod-dev-hub"] == {"get", "sync"}
    projects = projects_of(recording)
    windowed = {
        app["metadata"]["name"]
        for _, app in service_apps(recording)
        if matching_windows(app, projects[app["spec"]["project"]].get("syncWindows") or [], glob_match)
    }
    assert windowed == {app["metadata"]["name"] for owner, app in service_apps(recording) if owner == "services-prod"}
    assert "web-dev-portal-prod-hub" in windowed and "api-prod-dev-hub" not in windowed


# --- 4, 12. the production window -----------------------------------------------------------


@pytest.mark.parametrize("case", load("argocd_cases/sync_windows.yaml")["can_sync"], ids=lambda c: c["name"])
def test_can_sync_as_argocd(case: dict[str, Any]) -> None:
    now = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
    windows = [
        {
            "kind": kind,
            "schedule": "* * * * *" if on else f"0 {(now + timedelta(hours=10)).hour} * * *",
            "duration": "1h",
            "manualSync": manual,
            "applications": ["*"],
        }
        for kind, on, manual in case["windows"]
    ]
    assert can_sync(windows, case["manual"], lambda w: active(w, now)) is case["expected"]


@pytest.mark.parametrize("case", load("argocd_cases/sync_windows.yaml")["active"], ids=lambda c: c["name"])
def test_window_active_as_argocd(case: dict[str, Any]) -> None:
    at = datetime(2026, 12, 4, case["hour"], tzinfo=timezone(timedelta(hours=case["offset"])))
    window = {"kind": case["kind"], "schedule": case["schedule"], "duration": case["duration"]}
    if case.get("error"):
        with pytest.raises(ValueError, match=r"above maximum|unknown unit"):
            active(window, at)
    else:
        assert active(window, at) is case["expected"]


@pytest.mark.parametrize("case", load("argocd_cases/cron_ranges.yaml")["ranges"], ids=lambda c: c["expr"])
def test_cron_ranges_as_robfig(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(CronError, match=case["error"]):
            _range(case["expr"], case["min"], case["max"], {})
    else:
        assert _range(case["expr"], case["min"], case["max"], {}) == (set(case["values"]), case.get("star", False))


def prod_app(recording: Recording) -> tuple[dict[str, Any], dict[str, Any]]:
    app = next(a for _, a in service_apps(recording) if a["metadata"]["name"] == "payments-api-prod-hub")
    return app, projects_of(recording)[app["spec"]["project"]]


def test_production_changes_only_inside_its_window(recorded: Callable[[str], Recording]) -> None:
    """`0 8 * * 1-4`, 8h, Europe/Amsterdam: Thursday 3 December 2026 10:00 local is inside, 20:00 outside."""
    app, project = prod_app(recorded("prod"))
    inside = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    outside = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)
    for manual in (True, False):
        assert can_sync_at(app, project, inside, manual, glob_match) is True
        assert can_sync_at(app, project, outside, manual, glob_match) is False
    dev_app = next(a for _, a in service_apps(recorded("prod")) if a["metadata"]["name"] == "payments-api-dev-hub")
    dev_project = projects_of(recorded("prod"))[dev_app["spec"]["project"]]
    assert can_sync_at(dev_app, dev_project, outside, False, glob_match) is True


def test_break_glass_lets_manual_syncs_through_and_says_why() -> None:
    document = stack_document("prod")
    slipway(document, "delivery")["productionSyncWindow"]["breakGlass"] = "INC-4711 payments outage"
    app, project = prod_app(run_stack_document("prod", document))
    outside = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)
    assert can_sync_at(app, project, outside, True, glob_match) is True
    assert can_sync_at(app, project, outside, False, glob_match) is False
    (window,) = project["syncWindows"]
    assert "INC-4711 payments outage" in window["description"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"schedule": "0 8 * * 7"}, "end of range (7) above maximum (6)"),
        ({"schedule": "@daily"}, "parser does not accept descriptors"),
        ({"schedule": "0 8 * *"}, "expected exactly 5 fields"),
        ({"schedule": "0 0 30 2 *"}, "fires on some date"),
        ({"duration": "8 hours"}, "a Go duration"),
        ({"duration": "0s"}, "from 1m to 168h"),
        ({"timeZone": "Europe/Amsterdm"}, "an IANA time zone"),
        ({"timeZone": "Local"}, "an IANA time zone"),
    ],
)
def test_sync_window_settings_are_read_as_argocd_reads_them(change: dict[str, str], message: str) -> None:
    document = stack_document("prod")
    slipway(document, "delivery")["productionSyncWindow"].update(change)
    found = settings_problems(document, "prod")
    assert any("productionSyncWindow" in p and message in p for p in found), found


def test_go_durations() -> None:
    assert parse_duration("8h") == timedelta(hours=8)
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration("1.5h") == timedelta(minutes=90)
    assert parse_duration("0") == timedelta(0)
    for bad in ("", "8", "h", "1x", "1h 2m"):
        with pytest.raises(ValueError, match=r"invalid duration|unknown unit"):
            parse_duration(bad)
    assert parse_schedule("0 8 * * mon-thu").weekdays == frozenset({1, 2, 3, 4})


def test_an_invalid_window_blocks_every_matching_sync() -> None:
    app = {"metadata": {"name": "a-prod-hub"}, "spec": {"destination": {"namespace": "a-prod"}}}
    project = {"syncWindows": [{"kind": "allow", "schedule": "* 10 * * 7", "duration": "1h", "applications": ["*"]}]}
    (problem,) = sync_problems(app, "p", project, glob_match)
    assert problem.startswith("cannot sync: invalid sync window: cannot parse schedule '* 10 * * 7'")


# --- 6. replicas the autoscaler owns --------------------------------------------------------


def test_autoscaled_replicas_survive_a_sync(recorded: Callable[[str], Recording]) -> None:
    for _, app in service_apps(recorded("prod")):
        if app["spec"].get("ignoreDifferences"):
            assert "RespectIgnoreDifferences=true" in app["spec"]["syncPolicy"]["syncOptions"]


# --- 9. Helm release names ------------------------------------------------------------------


@pytest.mark.parametrize(("name", "valid"), sorted(load("helm_cases/release_names.yaml")["cases"].items()))
def test_release_names_as_helm(name: str, valid: bool) -> None:
    assert (release_name_problem(name) is None) is valid


def test_a_service_name_helm_refuses_is_refused_by_settings() -> None:
    for length, refused in ((53, False), (54, True), (63, True)):
        document = stack_document("dev")
        slipway(document, "delivery")["environments"] = ["dev"]
        slipway(document, "delivery")["services"][0]["name"] = "a" * (length - 1) + "z"
        found = [p for p in settings_problems(document) if "Helm release name" in p]
        assert bool(found) is refused, (length, found)
    app = {"metadata": {"name": "x"}, "spec": {"source": {"helm": {"releaseName": "a" * 54}}}}
    (problem,) = sync_problems(app, "p", {}, glob_match)
    assert "length must not be longer than 53" in problem


# --- 15. colliding Application names --------------------------------------------------------


def test_a_service_named_like_an_addon_is_refused_naming_both() -> None:
    document = stack_document("dev")
    delivery = slipway(document, "delivery")
    delivery["environments"] = ["dev", "analysis"]
    delivery["services"].append({"name": "canary", "team": "web", "environments": ["analysis"]})
    found = settings_problems(document)
    assert any("service 'canary' in environment 'analysis'" in p and "add-on 'canary-analysis'" in p for p in found)


def test_duplicates_across_applicationsets_keep_the_first_owner() -> None:
    app = {
        "metadata": {"name": "canary-analysis-hub"},
        "spec": {
            "project": "p",
            "source": {"repoURL": "https://x/r.git"},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "n"},
        },
    }
    project = {
        "metadata": {"name": "p"},
        "spec": {"sourceRepos": ["*"], "destinations": [{"server": "*", "namespace": "*"}]},
    }
    found = problems(
        [app, app, app],
        [project],
        [],
        system_namespaces=[],
        platform_project="platform",
        owners=["canary-analysis", "services-analysis", "canary-analysis"],
    )
    assert found == [
        "Application canary-analysis-hub: generated by ApplicationSet services-analysis and by ApplicationSet "
        "canary-analysis: the one that reconciles first owns it (its controller reference), the other fails to "
        "adopt it and never delivers it",
        "Application canary-analysis-hub: ApplicationSet canary-analysis contains applications with duplicate name: "
        "canary-analysis-hub",
    ]


def test_application_names_follow_the_api_servers_rule() -> None:
    app = {"metadata": {"name": "Payments_dev"}, "spec": {}}
    (problem,) = sync_problems(app, "p", {}, glob_match)
    assert "not a DNS-1123 subdomain" in problem


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        ({"matchExpressions": [{"key": "gpu", "operator": "In", "values": []}]}, "values set can't be empty"),
        ({"matchExpressions": [{"key": "gpu", "operator": "Exists", "values": ["x"]}]}, "must be empty for exists"),
        ({"matchExpressions": [{"key": "gpu", "operator": "Is"}]}, "not a valid pod selector operator"),
        ({"matchLabels": {"bad key!": "true"}}, "key: Invalid value"),
        ({"matchLabels": {"gpu": "not a label value"}}, "values: Invalid value"),
    ],
)
def test_an_invalid_label_selector_is_an_error_not_an_empty_match(selector: dict[str, Any], message: str) -> None:
    """The clusters generator's metav1.LabelSelectorAsSelector errs: the ApplicationSet generates nothing."""
    application_set: dict[str, Any] = {
        "metadata": {"name": "s", "namespace": "argocd"},
        "spec": {
            "goTemplate": True,
            "generators": [{"clusters": {"selector": selector}}],
            "template": {"metadata": {"name": "{{.name}}"}, "spec": {"project": "p"}},
        },
    }
    with pytest.raises(ApplicationSetError, match=message):
        expand(application_set, [])
    valid = {"matchLabels": {"slipway.io/x": "true"}, "matchExpressions": [{"key": "gpu", "operator": "Exists"}]}
    application_set["spec"]["generators"] = [{"clusters": {"selector": valid}}]
    assert expand(application_set, []) == []


def test_the_application_shape_is_the_pinned_crds() -> None:
    crd = yaml.load(
        (PROJECT_DIR / "tests/schemas/crds/argo-cd/v3.4.4/application-crd.yaml").read_text(), yaml.CSafeLoader
    )
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1alpha1"]

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "description"}
        return [strip(v) for v in value] if isinstance(value, list) else value

    expected = strip(version["schema"]["openAPIV3Schema"])
    del expected["properties"]["status"]
    assert application_schema() == expected


def test_a_template_patch_is_decoded_as_argocd_decodes_it_into_an_application() -> None:
    app = {"metadata": {"name": "a"}, "spec": {"project": "p", "destination": {"namespace": "n"}}}
    patched = apply_template_patch(
        app, "spec:\n  revisionHistoryLimit: 3\n  notAField: 1\n  syncPolicy:\n    typo: x\n"
    )
    assert patched["spec"]["revisionHistoryLimit"] == 3
    assert "notAField" not in patched["spec"] and patched["spec"]["syncPolicy"] == {}
    for bad, message in (
        ("spec:\n  revisionHistoryLimit: ten\n", "cannot unmarshal string into Go struct field"),
        ("spec:\n  revisionHistoryLimit: 1.5\n", "of type int64"),
        ("spec:\n  ignoreDifferences: {group: apps}\n", "cannot unmarshal object"),
        ("spec:\n  syncPolicy:\n    automated:\n      prune: 'yes'\n", "of type bool"),
    ):
        with pytest.raises(ApplicationSetError, match=message):
            apply_template_patch(app, bad)
