"""Metrics, alerts and dashboards on every cluster: kube-prometheus-stack, installed by ArgoCD.

Each cluster labelled `enable_metrics` gets the pinned kube-prometheus-stack chart (Prometheus
operator, Prometheus, Alertmanager, Grafana, kube-state-metrics, node exporter), so each cluster's
Prometheus scrapes that cluster: the kubelets' cAdvisor, kube-state-metrics, and every
ServiceMonitor and PodMonitor in any namespace (the chart's `*SelectorNilUsesHelmValues: false`
makes its selectors match all, not only its own release's). Canary analysis on a cluster asks
that cluster's Prometheus, at `IN_CLUSTER_PROMETHEUS_URL` (the chart's Service
`<fullname>-prometheus` on `prometheus.service.port` 9090, fullname fixed by `fullnameOverride`).

Beside the chart, through the objects chart: the platform's PrometheusRule (alert_rules.py), its
dashboards (dashboards.py), and a PodMonitor for Gatekeeper, whose chart has no ServiceMonitor.
Alerts go to Slack when a token is set: a Pulumi-owned Secret on each cluster that Alertmanager
mounts (`alertmanagerSpec.secrets`, at /etc/alertmanager/secrets/<name>/) and reads as the bot
token of Slack's chat.postMessage API (Alertmanager v0.34.0, docs/configuration.md, `<slack_config>`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.platform.addons import AddonArgs, addon_application_set, addon_secret, chart_source, objects_source
from components.platform.alert_rules import prometheus_rule
from components.platform.argocd import ArgoSlack
from components.platform.dashboards import dashboard_config_maps
from components.versions import KUBE_PROMETHEUS_STACK
from contracts.gitops import ADDON_NAMESPACES, Addon, ClusterRole

NAMESPACE = ADDON_NAMESPACES[Addon.METRICS]
FULLNAME = "metrics"
PROMETHEUS_PORT = 9090
IN_CLUSTER_PROMETHEUS_URL = f"http://{FULLNAME}-prometheus.{NAMESPACE}.svc:{PROMETHEUS_PORT}"
SLACK_SECRET, SLACK_TOKEN_KEY = "alertmanager-slack", "token"
SLACK_API_URL = "https://slack.com/api/chat.postMessage"
# Gatekeeper's audit and controller-manager pods carry this label and name their metrics port
# `metrics` (open-policy-agent/gatekeeper v3.23.0, charts/gatekeeper/templates/*-deployment.yaml).
GATEKEEPER_POD_LABEL = {"gatekeeper.sh/system": "yes"}


@dataclass(frozen=True)
class MetricsStackArgs:
    addon: AddonArgs
    clusters: Mapping[ClusterRole, k8s.Provider]
    high_availability: bool
    # The Slack bot and channel of ArgoCD's notifications: one place the platform team is told.
    alerts: ArgoSlack | None
    # The objects chart (rules, dashboards, PodMonitors) needs the platform repository.
    with_objects: bool
    gatekeeper_namespace: str = ADDON_NAMESPACES[Addon.GATEKEEPER]


def alertmanager_config(channel: str) -> dict[str, Any]:
    """Every alert to Slack except the chart's always-firing Watchdog, which keeps the chart's `null` receiver."""
    return {
        "route": {
            "receiver": "slack",
            "group_by": ["alertname", "namespace"],
            "routes": [{"receiver": "null", "matchers": ['alertname = "Watchdog"']}],
        },
        "receivers": [
            {"name": "null"},
            {
                "name": "slack",
                "slack_configs": [
                    {
                        "api_url": SLACK_API_URL,
                        "channel": channel,
                        "send_resolved": True,
                        "http_config": {
                            "authorization": {
                                "credentials_file": f"/etc/alertmanager/secrets/{SLACK_SECRET}/{SLACK_TOKEN_KEY}"
                            }
                        },
                    }
                ],
            },
        ],
    }


def chart_values(args: MetricsStackArgs) -> dict[str, Any]:
    replicas = 2 if args.high_availability else 1
    alertmanager: dict[str, Any] = {"alertmanagerSpec": {"replicas": replicas}}
    if args.alerts is not None:
        alertmanager = {
            "config": alertmanager_config(args.alerts.channel),
            "alertmanagerSpec": {"replicas": replicas, "secrets": [SLACK_SECRET]},
        }
    return {
        "fullnameOverride": FULLNAME,
        "prometheus": {
            "service": {"port": PROMETHEUS_PORT},
            "prometheusSpec": {
                "replicas": replicas,
                "serviceMonitorSelectorNilUsesHelmValues": False,
                "podMonitorSelectorNilUsesHelmValues": False,
                "ruleSelectorNilUsesHelmValues": False,
            },
        },
        "alertmanager": alertmanager,
        "grafana": {"enabled": True, "sidecar": {"dashboards": {"enabled": True, "searchNamespace": "ALL"}}},
    }


def gatekeeper_pod_monitor(namespace: str) -> dict[str, Any]:
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": {
            "name": "gatekeeper",
            "annotations": {
                "argocd.argoproj.io/sync-wave": "1",
                "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true",
            },
        },
        "spec": {
            "selector": {"matchLabels": dict(GATEKEEPER_POD_LABEL)},
            "namespaceSelector": {"matchNames": [namespace]},
            "podMetricsEndpoints": [{"port": "metrics"}],
        },
    }


def platform_objects(args: MetricsStackArgs) -> list[dict[str, Any]]:
    """What the objects chart installs beside the chart: rules, dashboards, scrape targets."""
    return [prometheus_rule(), *dashboard_config_maps(), gatekeeper_pod_monitor(args.gatekeeper_namespace)]


class MetricsStack(pulumi.ComponentResource):
    """The metrics ApplicationSet, and on each cluster the Secret Alertmanager reads Slack's token from."""

    def __init__(self, name: str, args: MetricsStackArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("slipway:platform:MetricsStack", name, None, opts)
        secrets: list[pulumi.Resource] = []
        if args.alerts is not None:
            for cluster, provider in args.clusters.items():
                secrets.append(
                    addon_secret(
                        f"{name}-{cluster}",
                        "slack",
                        namespace=NAMESPACE,
                        secret=k8s.meta.v1.ObjectMetaArgs(name=SLACK_SECRET, namespace=NAMESPACE),
                        string_data={SLACK_TOKEN_KEY: args.alerts.token},
                        on_cluster=pulumi.ResourceOptions(parent=self, provider=provider),
                    )
                )
        addon = Addon.METRICS
        sources = [chart_source(KUBE_PROMETHEUS_STACK, addon, chart_values(args))]
        if args.with_objects:
            sources.append(objects_source(f"{addon}-platform", platform_objects(args)))
        addon_application_set(
            addon,
            sources=sources,
            args=replace(args.addon, depends_on=[*args.addon.depends_on, *secrets]),
            parent=self,
        )
        self.register_outputs({})
