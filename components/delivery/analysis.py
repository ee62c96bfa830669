"""Canary analysis for Argo Rollouts: success rate, p95 latency and error rate from Prometheus.

Three ClusterAnalysisTemplates (thresholds from settings, Prometheus address from the
platform settings) that any Rollout can reference with `service` and `namespace` args.
Rollouts reads them in its own cluster, so ArgoCD delivers them, through this repository's
objects chart, to every cluster labelled for Argo Rollouts, after the Rollouts CRDs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.platform.addons import SYNC_RETRY, enable_label, go_template_literal, objects_source
from components.platform.argocd import NAMESPACE, PLATFORM_PROJECT

SELECTOR = 'namespace="{{args.namespace}}",service="{{args.service}}"'


@dataclass(frozen=True)
class CanaryAnalysisArgs:
    provider: k8s.Provider
    depends_on: Sequence[pulumi.Resource]
    prometheus_url: str
    success_rate: float
    latency_p95_seconds: float
    error_rate: float
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
            "success-rate", f"1 - ({errors} / {requests})", f"result[0] >= {args.success_rate}", args.prometheus_url
        ),
        analysis_template("latency-p95", latency, f"result[0] <= {args.latency_p95_seconds}", args.prometheus_url),
        analysis_template(
            "error-rate", f"{errors} / {requests}", f"result[0] <= {args.error_rate}", args.prometheus_url
        ),
    ]


class CanaryAnalysis(pulumi.ComponentResource):
    """The ApplicationSet delivering the analysis templates to every Rollouts cluster."""

    def __init__(self, name: str, args: CanaryAnalysisArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("slipway:delivery:CanaryAnalysis", name, None, opts)
        objects = analysis_templates(args)
        k8s.apiextensions.CustomResource(
            f"{name}-applicationset",
            api_version="argoproj.io/v1alpha1",
            kind="ApplicationSet",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="canary-analysis", namespace=NAMESPACE),
            spec={
                "goTemplate": True,
                "goTemplateOptions": ["missingkey=error"],
                "generators": [{"clusters": {"selector": {"matchLabels": {enable_label("argo-rollouts"): "true"}}}}],
                "template": {
                    "metadata": {"name": "canary-analysis-{{.name}}"},
                    "spec": {
                        "project": PLATFORM_PROJECT,
                        "source": objects_source(args.repo_url, args.revision, "canary-analysis", objects),
                        "destination": {"server": "{{.server}}", "namespace": "argo-rollouts"},
                        "syncPolicy": {
                            "automated": {"prune": True, "selfHeal": True},
                            "syncOptions": ["CreateNamespace=true"],
                            "retry": SYNC_RETRY,
                        },
                    },
                },
            },
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=list(args.depends_on)),
        )
        self.register_outputs({})
