"""Canary analysis for Argo Rollouts: what the platform can measure for any service.

Five ClusterAnalysisTemplates any Rollout can reference with `service` and `namespace` args,
thresholds and Prometheus address from the platform settings:
- `success-rate`, `error-rate` and `latency-p95`, from the services' HTTP metrics
  (`http_requests_total` with a `code` label, `http_request_duration_seconds_bucket`);
- `cpu-usage` and `memory-usage`: the service's pods' usage over their requests, from
  cAdvisor (`container_cpu_usage_seconds_total`, `container_memory_working_set_bytes`) and
  kube-state-metrics (`kube_pod_container_resource_requests`), names checked in the tests
  against those projects' metric references (tests/schemas/metrics/).

Healthy canaries must pass: the 5xx series is empty while nothing fails, so it reads as
`or vector(0)`; a canary without traffic gives NaN (0/0) or no series at all, which is no
evidence of harm, so each condition passes on an empty result or NaN
(`len(result) == 0 || isNaN(result[0]) || ...`, with Argo Rollouts' expr functions:
argoproj/argo-rollouts v1.9.0, utils/evaluate/evaluate.go lines 94-105, and
docs/features/analysis.md "Handling Metric Results").
Rollouts reads the templates in its own cluster, so ArgoCD delivers them, through this
repository's objects chart, to every cluster labelled for Argo Rollouts, after the Rollouts CRDs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.platform.addons import AddonArgs, addon_application_set, objects_source
from contracts.analysis import AnalysisThresholds
from contracts.gitops import Addon, enable_label, go_template_literal

HTTP_SELECTOR = 'namespace="{{args.namespace}}",service="{{args.service}}"'
# A Rollout's pods are named `<rollout>-<pod-template-hash>-<suffix>`; cAdvisor and
# kube-state-metrics both label container series with `namespace`, `pod` and `container`.
POD_SELECTOR = 'namespace="{{args.namespace}}",pod=~"{{args.service}}-.*"'
WINDOW = "2m"


@dataclass(frozen=True)
class CanaryAnalysisArgs:
    addon: AddonArgs
    prometheus_url: str
    thresholds: AnalysisThresholds


def condition(comparison: str) -> str:
    """A success condition that passes on no data (no series, or 0/0 without traffic) and judges the rest."""
    return f"len(result) == 0 || isNaN(result[0]) || result[0] {comparison}"


def analysis_template(name: str, query: str, success_condition: str, prometheus_url: str) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ClusterAnalysisTemplate",
        "metadata": {
            "name": name,
            "annotations": {
                "argocd.argoproj.io/sync-wave": "1",
                "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true",
            },
        },
        "spec": {
            "args": [{"name": "service"}, {"name": "namespace"}],
            "metrics": [
                {
                    "name": name,
                    "interval": "1m",
                    "count": 5,
                    "failureLimit": 1,
                    "successCondition": success_condition,
                    # Rollouts' own `{{args.x}}` placeholders must survive the ApplicationSet's Go templating.
                    "provider": {"prometheus": {"address": prometheus_url, "query": go_template_literal(query)}},
                }
            ],
        },
    }


def queries() -> dict[str, str]:
    """Each template's PromQL, by template name."""
    requests = f"sum(rate(http_requests_total{{{HTTP_SELECTOR}}}[{WINDOW}]))"
    errors = f'(sum(rate(http_requests_total{{{HTTP_SELECTOR},code=~"5.."}}[{WINDOW}])) or vector(0))'
    containers = f'{POD_SELECTOR},container!=""'

    def requested(resource: str) -> str:
        return f'sum(kube_pod_container_resource_requests{{{POD_SELECTOR},resource="{resource}"}})'

    return {
        "success-rate": f"1 - ({errors} / {requests})",
        "error-rate": f"{errors} / {requests}",
        "latency-p95": f"histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket{{{HTTP_SELECTOR}}}"
        f"[{WINDOW}])) by (le))",
        "cpu-usage": f"sum(rate(container_cpu_usage_seconds_total{{{containers}}}[{WINDOW}])) / {requested('cpu')}",
        "memory-usage": f"sum(container_memory_working_set_bytes{{{containers}}}) / {requested('memory')}",
    }


def success_conditions(thresholds: AnalysisThresholds) -> dict[str, str]:
    """Each template's success condition, by template name."""
    return {
        "success-rate": condition(f">= {thresholds.success_rate}"),
        "error-rate": condition(f"<= {thresholds.error_rate}"),
        "latency-p95": condition(f"<= {thresholds.latency_p95_seconds}"),
        "cpu-usage": condition(f"<= {thresholds.cpu_usage_to_request}"),
        "memory-usage": condition(f"<= {thresholds.memory_usage_to_request}"),
    }


def analysis_templates(args: CanaryAnalysisArgs) -> list[dict[str, Any]]:
    conditions = success_conditions(args.thresholds)
    return [analysis_template(name, query, conditions[name], args.prometheus_url) for name, query in queries().items()]


class CanaryAnalysis(pulumi.ComponentResource):
    """The add-on ApplicationSet delivering the analysis templates to every Rollouts cluster."""

    def __init__(self, name: str, args: CanaryAnalysisArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        # It was a delivery component before it became an add-on: the alias keeps a real stack's resources.
        aliases = [pulumi.Alias(type_="slipway:delivery:CanaryAnalysis")]
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(aliases=aliases))
        super().__init__("slipway:platform:CanaryAnalysis", name, None, opts)
        addon_application_set(
            Addon.CANARY_ANALYSIS,
            sources=[objects_source(Addon.CANARY_ANALYSIS, analysis_templates(args))],
            # Rollouts reads the templates in its own cluster: they go wherever Rollouts goes.
            args=args.addon,
            parent=self,
            extra_selector={enable_label(Addon.ARGO_ROLLOUTS): "true"},
        )
        self.register_outputs({})
