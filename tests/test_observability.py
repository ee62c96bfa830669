"""Metrics, alerts and dashboards: the in-cluster Prometheus, canary analysis pointed at it, the rules
(promtool's own unit tests) and the dashboards, each query against the pinned versions' metric names."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import run_stack_document, slipway, stack_document
from metric_names import METRICS, exposed, unknown_metrics
from schema_check import SCHEMA_DIR, chart_defaults, custom_resource_errors, unknown_value_keys
from test_platform import application_sets

from components.platform.alert_rules import rule_groups
from components.platform.dashboards import dashboards
from components.platform.prometheus_stack import IN_CLUSTER_PROMETHEUS_URL, PROMETHEUS_PORT
from components.versions import KUBE_PROMETHEUS_STACK
from contracts.gitops import ADDON_NAMESPACES, Addon
from offline.applications import applications
from offline.engine import Recording
from offline.render import installed_objects

PROMTOOL_TESTS = Path(__file__).parent / "promtool"
KPS = KUBE_PROMETHEUS_STACK


def metrics_sources(recording: Recording) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The metrics add-on's chart values and the objects it installs beside the chart."""
    sources = application_sets(recording)["metrics"]["spec"]["template"]["spec"]["sources"]
    (chart,) = [s for s in sources if "chart" in s]
    objects = [o for s in sources if "chart" not in s for o in s["helm"]["valuesObject"]["objects"]]
    return chart["helm"]["valuesObject"], objects


def generated_metrics(recording: Recording) -> list[str]:
    """The metrics Applications ArgoCD would generate: none where no cluster Secret asks for the add-on."""
    return [a["metadata"]["name"] for a in applications(recording) if a["metadata"]["name"].startswith("metrics-")]


def analysis_addresses(recording: Recording) -> set[str]:
    appsets = {
        r.plain()["metadata"]["name"]: r.plain()
        for r in recording.of_type("kubernetes:argoproj.io/v1alpha1:ApplicationSet")
    }
    if "canary-analysis" not in appsets:
        return set()
    (source,) = appsets["canary-analysis"]["spec"]["template"]["spec"]["sources"]
    return {
        o["spec"]["metrics"][0]["provider"]["prometheus"]["address"] for o in source["helm"]["valuesObject"]["objects"]
    }


@pytest.mark.parametrize("stack", ["dev", "prod", "local"])
def test_every_cluster_gets_the_metrics_stack_and_analysis_asks_it(
    recorded: Callable[[str], Recording], stack: str
) -> None:
    recording = recorded(stack)
    appset = application_sets(recording)["metrics"]
    selector = appset["spec"]["generators"][0]["clusters"]["selector"]["matchLabels"]
    assert selector == {"enable_metrics": "true"}
    values, objects = metrics_sources(recording)
    assert unknown_value_keys(KPS.name, KPS.version, values) == []
    assert {o["kind"] for o in objects} == {"PrometheusRule", "ConfigMap", "PodMonitor"}
    # no Prometheus setting in any stack file: analysis asks the cluster's own Prometheus
    assert "prometheusUrl" not in slipway(stack_document(stack), "platform").get("metrics", {})
    assert analysis_addresses(recording) == {IN_CLUSTER_PROMETHEUS_URL}
    # ... which is the Service the chart names from the values Slipway gives it (its template, in the next test)
    service = f"{values['fullnameOverride']}-prometheus.{ADDON_NAMESPACES[Addon.METRICS]}.svc"
    port = values["prometheus"]["service"]["port"]  # a number: Pulumi's protobuf hands every number as a float
    assert port == int(port)
    assert f"http://{service}:{int(port)}" == IN_CLUSTER_PROMETHEUS_URL


def test_in_cluster_url_is_the_charts_prometheus_service() -> None:
    """`<fullname>-prometheus` on `prometheus.service.port`, fullname from `fullnameOverride`."""
    service = (SCHEMA_DIR / "charts" / KPS.name / KPS.version / "prometheus-service.yaml").read_text()
    helpers = (SCHEMA_DIR / "charts" / KPS.name / KPS.version / "helpers-fullname.tpl").read_text()
    assert 'name: {{ template "kube-prometheus-stack.fullname" . }}-prometheus' in service
    assert "port: {{ .Values.prometheus.service.port }}" in service
    assert "{{- .Values.fullnameOverride | trunc 26" in helpers
    assert chart_defaults(KPS.name, KPS.version)["prometheus"]["service"]["port"] == PROMETHEUS_PORT


def test_an_external_prometheus_stays_possible_and_without_either_analysis_is_not_declared() -> None:
    document = stack_document("dev")
    slipway(document, "platform")["metrics"] = {"prometheusUrl": "https://prometheus.example.com/"}
    assert analysis_addresses(run_stack_document("dev", document)) == {"https://prometheus.example.com/"}
    slipway(document, "platform")["metrics"] = {"inCluster": False, "prometheusUrl": "https://prometheus.example.com/"}
    recording = run_stack_document("dev", document)
    assert not generated_metrics(recording)
    assert analysis_addresses(recording) == {"https://prometheus.example.com/"}
    slipway(document, "platform")["metrics"] = {"inCluster": False}
    recording = run_stack_document("dev", document)
    assert analysis_addresses(recording) == set()
    rollouts = application_sets(recording)["argo-rollouts"]["spec"]["template"]["spec"]["sources"][0]
    local = stack_document("local")
    slipway(local, "platform")["metrics"] = {"inCluster": False}
    assert not generated_metrics(run_stack_document("local", local))  # the local stack works without it
    assert rollouts["helm"]["valuesObject"]["controller"]["metrics"]["serviceMonitor"]["enabled"] is False


def test_service_monitors_are_on_where_the_scraper_runs(recorded: Callable[[str], Recording]) -> None:
    recording = recorded("dev")
    appsets = application_sets(recording)

    def values(addon: str) -> dict[str, Any]:
        return appsets[addon]["spec"]["template"]["spec"]["sources"][0]["helm"]["valuesObject"]  # type: ignore[no-any-return]

    assert values("argo-rollouts")["controller"]["metrics"]["serviceMonitor"]["enabled"] is True
    assert values("sealed-secrets")["metrics"]["serviceMonitor"]["enabled"] is True
    assert values("gpu-operator")["dcgmExporter"]["serviceMonitor"]["enabled"] is True
    argocd = recording.one("kubernetes:helm.sh/v3:Release").plain()["values"]
    assert all(argocd[part]["metrics"]["serviceMonitor"]["enabled"] for part in ("controller", "server", "repoServer"))
    prometheus = values("metrics")["prometheus"]["prometheusSpec"]
    assert not any(prometheus[f"{kind}SelectorNilUsesHelmValues"] for kind in ("serviceMonitor", "podMonitor", "rule"))


def test_rules_podmonitor_and_dashboards_validate(recorded: Callable[[str], Recording]) -> None:
    _, objects = metrics_sources(recorded("prod"))
    for item in objects:
        if item["kind"] != "ConfigMap":
            assert custom_resource_errors(item) == [], item["metadata"]["name"]
    (monitor,) = [o for o in objects if o["kind"] == "PodMonitor"]
    gatekeeper = SCHEMA_DIR / "charts" / "gatekeeper" / "3.23.0"
    for deployment in gatekeeper.glob("*-deployment.yaml"):
        text = deployment.read_text()
        assert 'gatekeeper.sh/system: "yes"' in text and "name: metrics" in text
    assert monitor["spec"]["selector"]["matchLabels"] == {"gatekeeper.sh/system": "yes"}
    assert monitor["spec"]["podMetricsEndpoints"] == [{"port": "metrics"}]
    sidecar = chart_defaults(KPS.name, KPS.version)["grafana"]["sidecar"]["dashboards"]
    for config_map in (o for o in objects if o["kind"] == "ConfigMap"):
        assert config_map["metadata"]["labels"] == {sidecar["label"]: sidecar["labelValue"]}


def test_custom_resources_are_checked_by_their_crd() -> None:
    rule = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule", "metadata": {"name": "x"}}
    assert custom_resource_errors({**rule, "spec": {"groups": [{"name": "g", "rules": [{"alert": "A"}]}]}}) != []


REQUIRED_ALERTS = {
    "ArgoCdSyncFailed",
    "ArgoCdAppDegraded",
    "ArgoCdAppOutOfSync",
    "ArgoCdRepositoryUnreachable",
    "ArgoCdSlowSync",
    "ArgoCdControllerErrors",
    "RolloutAborted",
    "GatekeeperDenials",
    "SealedSecretUnsealFailed",
    "GpuXidError",
    "GpuMemoryNearlyFull",
}


def all_rules() -> list[dict[str, Any]]:
    return [rule for group in rule_groups() for rule in group["rules"]]


def test_every_rule_uses_metrics_the_pinned_versions_expose() -> None:
    rules = all_rules()
    assert {rule["alert"] for rule in rules} >= REQUIRED_ALERTS
    for rule in rules:
        assert unknown_metrics(rule["expr"]) == set(), rule["alert"]
        assert rule["labels"]["severity"] in ("critical", "warning")
    assert unknown_metrics("sum(rate(argocd_app_sync_totals[5m]))") == {"argocd_app_sync_totals"}


def test_the_label_values_rules_match_are_the_upstream_ones() -> None:
    """Phases, statuses and admission results that the expressions select on, in upstream source."""
    read = {path.name: path.read_text() for path in METRICS.iterdir()}
    assert "Possible values are: Error, Failed, Running, Succeeded, Terminating" in read["argocd-metrics.md"]
    assert 'HealthStatusDegraded HealthStatusCode = "Degraded"' in read["argocd-health-status.go.txt"]
    assert 'SyncStatusCodeOutOfSync SyncStatusCode = "OutOfSync"' in read["argocd-sync-status.go.txt"]
    assert '"sync_status", "health_status"' in read["argocd-controller-metrics.go.txt"]
    assert (
        "case conditions.RolloutAbortedReason, conditions.TimedOutReason:"
        in read["argo-rollouts-rolloututil-phase.go.txt"]
    )
    assert (
        'append(namespaceNameLabels, "strategy", "traffic_router", "phase")' in read["argo-rollouts-prommetrics.go.txt"]
    )
    assert "`admission_status`: [`allow`, `deny`]" in read["gatekeeper-metrics.md"]
    assert '[]string{"reason", "namespace"}' in read["sealed-secrets-metrics.go.txt"]
    # the GPU operator points the exporter at this collectors file
    assert "/etc/dcgm-exporter/dcp-metrics-included.csv" in read["gpu-operator-dcgm-exporter-daemonset.yaml"]
    assert {"DCGM_FI_DEV_XID_ERRORS", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE"} <= exposed()["dcgm-exporter"]


def test_every_dashboard_panel_queries_existing_metrics_with_the_charts_own_fields() -> None:
    upstream = json.loads((SCHEMA_DIR / "grafana" / "k8s-coredns.json").read_text())
    panel_keys = {key for panel in upstream["panels"] for key in panel}
    target_keys = {key for panel in upstream["panels"] for target in panel.get("targets", []) for key in target}
    models = dashboards()
    assert set(models) == {"slipway-argocd.json", "slipway-argo-rollouts.json", "slipway-gpu.json"}
    for name, model in models.items():
        assert set(model) <= set(upstream), name
        assert model["templating"]["list"][0]["name"] == upstream["templating"]["list"][0]["name"] == "datasource"
        for panel in model["panels"]:
            assert set(panel) <= panel_keys and panel["type"] == "timeseries", panel["title"]
            for target in panel["targets"]:
                assert set(target) <= target_keys
                assert unknown_metrics(target["expr"]) == set(), (name, panel["title"])


def test_alerts_go_to_the_notifications_slack_channel_with_the_token_a_secret() -> None:
    document = stack_document("dev")
    slipway(document, "platform")["argocd"]["notifications"]["slackToken"] = "xoxb-test"
    recording = run_stack_document("dev", document)
    secrets = [r for r in recording.of_type("kubernetes:core/v1:Secret") if r.name.endswith("-slack")]
    assert len(secrets) == 2  # one per cluster, each cluster's Alertmanager reads its own
    for secret in secrets:
        assert secret.secret_inputs() == {"stringData"} and secret.plain()["stringData"] == {"token": "xoxb-test"}
        assert secret.plain()["metadata"] == {"name": "alertmanager-slack", "namespace": "monitoring"}
    values, _ = metrics_sources(recording)
    assert "xoxb-test" not in json.dumps(values)
    alertmanager = values["alertmanager"]
    assert alertmanager["alertmanagerSpec"]["secrets"] == ["alertmanager-slack"]
    (slack,) = next(r for r in alertmanager["config"]["receivers"] if r["name"] == "slack")["slack_configs"]
    assert slack["channel"] == "platform-alerts-dev"
    assert (
        slack["http_config"]["authorization"]["credentials_file"]
        == "/etc/alertmanager/secrets/alertmanager-slack/token"
    )
    mount = (METRICS / "prometheus-operator-alertmanager-secrets.txt").read_text()
    assert "mounted into `/etc/alertmanager/secrets/<secret-name>`" in mount
    assert unknown_value_keys(KPS.name, KPS.version, values) == []
    appset = recording.one("kubernetes:argoproj.io/v1alpha1:ApplicationSet", "metrics-applicationset")
    assert {s.urn for s in secrets} <= set(appset.dependencies)
    # without a token: the chart's own routing (its `null` receiver), no Secret
    values, _ = metrics_sources(run_stack_document("dev", stack_document("dev")))
    assert "config" not in values["alertmanager"]


def promtool() -> str | None:
    built = Path(__file__).resolve().parent.parent / "tools" / "promtool" / "bin" / "promtool"
    return os.environ.get("PROMTOOL") or (str(built) if built.exists() else shutil.which("promtool"))


def run_promtool(directory: Path, groups: list[dict[str, Any]]) -> subprocess.CompletedProcess[str]:
    tool = promtool()
    assert tool is not None
    (directory / "rules.yaml").write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
    shutil.copy(PROMTOOL_TESTS / "platform_alerts_test.yaml", directory)
    check = subprocess.run([tool, "check", "rules", "rules.yaml"], cwd=directory, capture_output=True, text=True)
    if check.returncode != 0:
        return check
    return subprocess.run(
        [tool, "test", "rules", "platform_alerts_test.yaml"], cwd=directory, capture_output=True, text=True
    )


needs_promtool = pytest.mark.skipif(
    promtool() is None, reason="promtool not built: run tools/promtool/build (Go, from the module proxy)"
)


def rendered_objects(recording: Recording, application: str) -> list[dict[str, Any]]:
    """The objects the Application installs as ArgoCD renders them (what `--manifests` writes)."""
    (generated,) = [a for a in applications(recording) if a["metadata"]["name"] == application]
    return installed_objects(generated)


def test_rules_and_dashboards_come_out_of_the_applicationset_as_written(recorded: Callable[[str], Recording]) -> None:
    objects = rendered_objects(recorded("prod"), "metrics-gpu")
    (rule,) = [o for o in objects if o["kind"] == "PrometheusRule"]
    assert rule["spec"]["groups"] == rule_groups()
    rendered = {name: json.loads(text) for o in objects if o["kind"] == "ConfigMap" for name, text in o["data"].items()}
    assert rendered == dashboards()


@needs_promtool
def test_rendered_rules_pass_promtool_check_and_unit_tests(
    recorded: Callable[[str], Recording], tmp_path: Path
) -> None:
    (rule,) = [o for o in rendered_objects(recorded("dev"), "metrics-hub") if o["kind"] == "PrometheusRule"]
    result = run_promtool(tmp_path, rule["spec"]["groups"])
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_promtool_unit_tests_catch_a_wrong_rule(tmp_path: Path) -> None:
    groups = rule_groups()
    for group in groups:
        for rule in group["rules"]:
            rule["expr"] = re.sub(r'health_status="Degraded"', 'health_status="Healthy"', rule["expr"])
    result = run_promtool(tmp_path, groups)
    assert result.returncode != 0 and "ArgoCdAppDegraded" in result.stdout + result.stderr
