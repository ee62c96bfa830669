"""Canary analysis for Argo Rollouts: success rate, p95 latency and error rate from Prometheus.

Three ClusterAnalysisTemplates (thresholds and Prometheus address from the platform
settings) that any Rollout can reference with `service` and `namespace` args.
Rollouts reads them in its own cluster, so ArgoCD delivers them, through this repository's
objects chart, to every cluster labelled for Argo Rollouts, after the Rollouts CRDs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.gitops import Addon, enable_label, go_template_literal
from components.platform.addons import AddonArgs, addon_application_set, objects_source
from components.platform.argo_rollouts import NAMESPACE as ROLLOUTS_NAMESPACE
from settings import AnalysisSettings

SELECTOR = 'namespace="{{args.namespace}}",service="{{args.service}}"'


@dataclass(frozen=True)
class CanaryAnalysisArgs:
    addon: AddonArgs
    prometheus_url: str
    thresholds: AnalysisSettings
    repo_url: str
    revision: str


def analysis_template(name: str, query: str, condition: str, prometheus_url: str) -> dict[str, Any]:
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
                    "successCondition": condition,
                    # Rollouts' own `{{args.x}}` placeholders must survive the ApplicationSet's Go templating.
                    "provider": {"prometheus": {"address": prometheus_url, "query": go_template_literal(query)}},
                }
            ],
        },
    }


def analysis_templates(args: CanaryAnalysisArgs) -> list[dict[str, Any]]:
    requests = f"sum(rate(http_requests_total{{{SELECTOR}}}[2m]))"
    errors = f'sum(rate(http_requests_total{{{SELECTOR},code=~"5.."}}[2m]))'
    latency = f"histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket{{{SELECTOR}}}[2m])) by (le))"
    return [
        analysis_template(
            "success-rate",
            f"1 - ({errors} / {requests})",
            f"result[0] >= {args.thresholds.success_rate}",
            args.prometheus_url,
        ),
        analysis_template(
            "latency-p95", latency, f"result[0] <= {args.thresholds.latency_p95_seconds}", args.prometheus_url
        ),
        analysis_template(
            "error-rate", f"{errors} / {requests}", f"result[0] <= {args.thresholds.error_rate}", args.prometheus_url
        ),
    ]


class CanaryAnalysis(pulumi.ComponentResource):
    """The add-on ApplicationSet delivering the analysis templates to every Rollouts cluster."""

    def __init__(self, name: str, args: CanaryAnalysisArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        # It was a delivery component before it became an add-on: the alias keeps a real stack's resources.
        aliases = [pulumi.Alias(type_="slipway:delivery:CanaryAnalysis")]
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(aliases=aliases))
        super().__init__("slipway:platform:CanaryAnalysis", name, None, opts)
        addon_application_set(
            Addon.CANARY_ANALYSIS,
            namespace=ROLLOUTS_NAMESPACE,
            sources=[objects_source(args.repo_url, args.revision, Addon.CANARY_ANALYSIS, analysis_templates(args))],
            # Rollouts reads the templates in its own cluster: they go wherever Rollouts goes.
            args=args.addon,
            parent=self,
            extra_selector={enable_label(Addon.ARGO_ROLLOUTS): "true"},
        )
        self.register_outputs({})
