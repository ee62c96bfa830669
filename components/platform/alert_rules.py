"""Alert rules as code: what pages the platform team, as PrometheusRules the in-cluster Prometheus loads.

Every expression names metrics the pinned versions expose (checked in the tests against the
upstream sources copied into tests/schemas/metrics/, and unit-tested with Prometheus' own
`promtool test rules`):
- ArgoCD v3.4.4 (application controller, repo server): `argocd_app_sync_total` (`phase` Error or
  Failed), `argocd_app_info` (`health_status`, `sync_status`), `argocd_app_sync_duration_seconds_total`,
  `argocd_git_fetch_fail_total` / `argocd_git_lsremote_fail_total`, `argocd_cluster_connection_status`,
  `argocd_app_k8s_request_total` (`response_code`);
- Argo Rollouts v1.9.0: `rollout_info` (`phase` Degraded, which an aborted rollout reports:
  utils/rollout/rolloututil.go, lines 142-144), `rollout_reconcile_error`;
- Gatekeeper v3.23.0: `gatekeeper_validation_request_count` (`admission_status` deny);
- Sealed Secrets 0.36.6: `sealed_secrets_controller_unseal_errors_total`;
- the DCGM exporter the GPU operator v26.7.0 runs: `DCGM_FI_DEV_XID_ERRORS`, `DCGM_FI_DEV_FB_USED`,
  `DCGM_FI_DEV_FB_FREE` (in its `dcp-metrics-included.csv`, the collectors file the operator sets).
Each rule carries `severity` (critical or warning), which Alertmanager's route matches on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contracts.gitops import go_template_literal

WINDOW = "10m"


@dataclass(frozen=True)
class AlertRule:
    alert: str
    expr: str
    for_: str
    severity: str
    summary: str

    def rule(self) -> dict[str, Any]:
        """The rule as Prometheus' rule file (and the PrometheusRule CRD) write it."""
        return {
            "alert": self.alert,
            "expr": self.expr,
            "for": self.for_,
            "labels": {"severity": self.severity},
            "annotations": {"summary": self.summary},
        }


def _argocd() -> list[AlertRule]:
    app = "{{ $labels.namespace }}/{{ $labels.name }}"
    return [
        AlertRule(
            "ArgoCdSyncFailed",
            "sum by (namespace, name, project)"
            f' (increase(argocd_app_sync_total{{phase=~"Error|Failed"}}[{WINDOW}])) > 0',
            "0m",
            "warning",
            f"ArgoCD application {app} failed to sync",
        ),
        AlertRule(
            "ArgoCdAppDegraded",
            'max by (namespace, name, project) (argocd_app_info{health_status="Degraded"}) == 1',
            "5m",
            "critical",
            f"ArgoCD application {app} is Degraded",
        ),
        AlertRule(
            "ArgoCdAppOutOfSync",
            'max by (namespace, name, project) (argocd_app_info{sync_status="OutOfSync"}) == 1',
            "30m",
            "warning",
            f"ArgoCD application {app} has been OutOfSync for 30 minutes",
        ),
        AlertRule(
            "ArgoCdRepositoryUnreachable",
            f"sum by (repo) (increase(argocd_git_fetch_fail_total[{WINDOW}])"
            f" or increase(argocd_git_lsremote_fail_total[{WINDOW}])) > 0",
            "5m",
            "critical",
            "ArgoCD's repo server cannot reach {{ $labels.repo }}",
        ),
        AlertRule(
            "ArgoCdSlowSync",
            "sum by (namespace, name) (increase(argocd_app_sync_duration_seconds_total[1h]))"
            " / sum by (namespace, name) (increase(argocd_app_sync_total[1h])) > 300",
            "0m",
            "warning",
            f"ArgoCD syncs of {app} take more than 5 minutes on average",
        ),
        AlertRule(
            "ArgoCdClusterUnreachable",
            "argocd_cluster_connection_status == 0",
            "5m",
            "critical",
            "ArgoCD's application controller has lost its connection to {{ $labels.server }}",
        ),
        AlertRule(
            "ArgoCdControllerErrors",
            'sum by (server) (rate(argocd_app_k8s_request_total{response_code=~"5.."}[5m])) > 0',
            "10m",
            "warning",
            "ArgoCD's application controller gets server errors from {{ $labels.server }}",
        ),
    ]


def _rollouts() -> list[AlertRule]:
    rollout = "{{ $labels.namespace }}/{{ $labels.name }}"
    return [
        AlertRule(
            "RolloutAborted",
            'max by (namespace, name) (rollout_info{phase="Degraded"}) == 1',
            "1m",
            "critical",
            f"Rollout {rollout} is Degraded (aborted, timed out or invalid)",
        ),
        AlertRule(
            "RolloutControllerErrors",
            f"sum by (namespace, name) (increase(rollout_reconcile_error[{WINDOW}])) > 0",
            "0m",
            "warning",
            f"Argo Rollouts fails to reconcile {rollout}",
        ),
    ]


def _policy_and_secrets() -> list[AlertRule]:
    return [
        AlertRule(
            "GatekeeperDenials",
            f'sum(increase(gatekeeper_validation_request_count{{admission_status="deny"}}[{WINDOW}])) > 0',
            "0m",
            "warning",
            "Gatekeeper denied admission requests in the last 10 minutes",
        ),
        AlertRule(
            "SealedSecretUnsealFailed",
            f"sum by (namespace, reason) (increase(sealed_secrets_controller_unseal_errors_total[{WINDOW}])) > 0",
            "0m",
            "critical",
            "Sealed Secrets cannot unseal secrets in {{ $labels.namespace }} ({{ $labels.reason }})",
        ),
    ]


def _gpu() -> list[AlertRule]:
    gpu = "GPU {{ $labels.gpu }} ({{ $labels.UUID }})"
    return [
        AlertRule(
            "GpuXidError",
            "DCGM_FI_DEV_XID_ERRORS != 0",
            "0m",
            "critical",
            f"{gpu} reported Xid error {{{{ $value }}}}",
        ),
        AlertRule(
            "GpuMemoryNearlyFull",
            "DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE) > 0.95",
            "15m",
            "warning",
            f"{gpu} has used over 95% of its memory for 15 minutes",
        ),
    ]


def rule_groups() -> list[dict[str, Any]]:
    """The rule groups, as a Prometheus rule file's `groups` (what promtool checks)."""
    groups = {
        "slipway-argocd": _argocd(),
        "slipway-argo-rollouts": _rollouts(),
        "slipway-policy-and-secrets": _policy_and_secrets(),
        "slipway-gpu": _gpu(),
    }
    return [{"name": name, "rules": [rule.rule() for rule in rules]} for name, rules in groups.items()]


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return go_template_literal(value)
    if isinstance(value, dict):
        return {key: _escaped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_escaped(item) for item in value]
    return value


def prometheus_rule() -> dict[str, Any]:
    """The PrometheusRule object, its `{{ $labels }}` templates surviving the ApplicationSet's Go templating."""
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {
            "name": "slipway-platform",
            "annotations": {
                "argocd.argoproj.io/sync-wave": "1",
                "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true",
            },
        },
        "spec": {"groups": _escaped(rule_groups())},
    }
