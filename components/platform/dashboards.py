"""Dashboards as code: ArgoCD, Argo Rollouts and GPUs, as ConfigMaps Grafana's dashboard sidecar loads.

kube-prometheus-stack's Grafana runs a sidecar that loads every ConfigMap labelled
`grafana_dashboard: "1"` in any namespace (its values: `grafana.sidecar.dashboards.label`,
`labelValue`, `searchNamespace: ALL`). Each panel is a `timeseries` of PromQL queries whose metric
names the tests check against the pinned versions' metric references (tests/schemas/metrics/);
the dashboard and panel fields are the ones the chart's own dashboards use (tests/schemas/grafana/).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from contracts.gitops import go_template_literal

DASHBOARD_LABEL = {"grafana_dashboard": "1"}
DATASOURCE = {"type": "prometheus", "uid": "$datasource"}
PANEL_WIDTH, PANEL_HEIGHT = 12, 8


@dataclass(frozen=True)
class Panel:
    title: str
    queries: tuple[tuple[str, str], ...]  # (PromQL, legend)


def panel(index: int, spec: Panel) -> dict[str, Any]:
    """A timeseries panel, two to a row."""
    return {
        "id": index + 1,
        "title": spec.title,
        "type": "timeseries",
        "datasource": DATASOURCE,
        "gridPos": {
            "h": PANEL_HEIGHT,
            "w": PANEL_WIDTH,
            "x": (index % 2) * PANEL_WIDTH,
            "y": (index // 2) * PANEL_HEIGHT,
        },
        "targets": [
            {"datasource": DATASOURCE, "expr": expr, "legendFormat": legend, "refId": chr(ord("A") + n)}
            for n, (expr, legend) in enumerate(spec.queries)
        ],
    }


def dashboard(uid: str, title: str, panels: list[Panel]) -> dict[str, Any]:
    return {
        "uid": uid,
        "title": title,
        "tags": ["slipway"],
        "editable": False,
        "refresh": "30s",
        "schemaVersion": 39,
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": [{"name": "datasource", "type": "datasource", "query": "prometheus", "hide": 0}]},
        "panels": [panel(index, spec) for index, spec in enumerate(panels)],
    }


def dashboards() -> dict[str, dict[str, Any]]:
    """Every dashboard, by file name."""
    return {
        "slipway-argocd.json": dashboard(
            "slipway-argocd",
            "Slipway / ArgoCD",
            [
                Panel("Applications by health", (("sum by (health_status) (argocd_app_info)", "{{health_status}}"),)),
                Panel("Applications by sync status", (("sum by (sync_status) (argocd_app_info)", "{{sync_status}}"),)),
                Panel("Syncs by phase (1h)", (("sum by (phase) (increase(argocd_app_sync_total[1h]))", "{{phase}}"),)),
                Panel(
                    "Reconciliation p95 (s)",
                    (("histogram_quantile(0.95, sum by (le) (rate(argocd_app_reconcile_bucket[5m])))", "p95"),),
                ),
                Panel(
                    "Git fetch failures (1h)",
                    (("sum by (repo) (increase(argocd_git_fetch_fail_total[1h]))", "{{repo}}"),),
                ),
                Panel("Cluster connection", (("argocd_cluster_connection_status", "{{server}}"),)),
            ],
        ),
        "slipway-argo-rollouts.json": dashboard(
            "slipway-argo-rollouts",
            "Slipway / Argo Rollouts",
            [
                Panel("Rollouts by phase", (("sum by (phase) (rollout_info)", "{{phase}}"),)),
                Panel(
                    "Replicas available / desired",
                    (
                        ("sum by (namespace, name) (rollout_info_replicas_available)", "{{name}} available"),
                        ("sum by (namespace, name) (rollout_info_replicas_desired)", "{{name}} desired"),
                    ),
                ),
                Panel("Analysis runs by phase", (("sum by (phase) (analysis_run_info)", "{{phase}}"),)),
                Panel(
                    "Reconcile errors (1h)",
                    (("sum by (namespace, name) (increase(rollout_reconcile_error[1h]))", "{{namespace}}/{{name}}"),),
                ),
            ],
        ),
        "slipway-gpu.json": dashboard(
            "slipway-gpu",
            "Slipway / GPUs",
            [
                Panel("GPU utilisation (%)", (("DCGM_FI_DEV_GPU_UTIL", "gpu {{gpu}} {{UUID}}"),)),
                Panel(
                    "GPU memory used (fraction)",
                    (
                        (
                            "DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE)",
                            "gpu {{gpu}} {{UUID}}",
                        ),
                    ),
                ),
                Panel("GPU temperature (C)", (("DCGM_FI_DEV_GPU_TEMP", "gpu {{gpu}} {{UUID}}"),)),
                Panel("Power draw (W)", (("DCGM_FI_DEV_POWER_USAGE", "gpu {{gpu}} {{UUID}}"),)),
                Panel("Last Xid error", (("DCGM_FI_DEV_XID_ERRORS", "gpu {{gpu}} {{UUID}}"),)),
            ],
        ),
    }


def dashboard_config_maps() -> list[dict[str, Any]]:
    """One ConfigMap per dashboard; Grafana's `{{label}}` legends survive the ApplicationSet's Go templating."""
    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name.removesuffix(".json"), "labels": dict(DASHBOARD_LABEL)},
            "data": {name: go_template_literal(json.dumps(model, sort_keys=True))},
        }
        for name, model in dashboards().items()
    ]
