"""Every pinned chart version: one place to read and to bump.

Each chart is pinned to an exact version, with the app version it ships; the add-ons'
images are the ones each pinned chart pins. Provider SDK versions are pinned in
`requirements.txt`, Kubernetes versions per cluster in the stack settings.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HelmChart:
    name: str
    repository: str
    version: str
    app_version: str


ARGO_CD = HelmChart("argo-cd", "https://argoproj.github.io/argo-helm", "10.1.1", "v3.4.4")
ARGO_ROLLOUTS = HelmChart("argo-rollouts", "https://argoproj.github.io/argo-helm", "2.41.0", "v1.9.0")
GATEKEEPER = HelmChart("gatekeeper", "https://open-policy-agent.github.io/gatekeeper/charts", "3.23.0", "v3.23.0")
SEALED_SECRETS = HelmChart("sealed-secrets", "https://bitnami-labs.github.io/sealed-secrets", "2.18.5", "0.36.6")
# The GPU operator deploys its own NVIDIA device plugin: never install the standalone plugin beside it.
GPU_OPERATOR = HelmChart("gpu-operator", "https://helm.ngc.nvidia.com/nvidia", "v26.7.0", "v26.7.0")
# Prometheus operator v0.93.1; the chart's values pin Prometheus v3.14.0, Alertmanager v0.34.0 and
# kube-state-metrics 2.20.0 (its kube-state-metrics 8.4.0 subchart). promtool is built at that Prometheus.
KUBE_PROMETHEUS_STACK = HelmChart(
    "kube-prometheus-stack", "https://prometheus-community.github.io/helm-charts", "88.5.3", "v0.93.1"
)
PROMETHEUS_VERSION = "v3.14.0"
# The collector's image is the contrib distribution (its tag defaults to the chart's appVersion): the
# core image has no `azuremonitor` exporter (tests/schemas/otel/, the distribution's manifest).
OPENTELEMETRY_COLLECTOR = HelmChart(
    "opentelemetry-collector", "https://open-telemetry.github.io/opentelemetry-helm-charts", "0.170.0", "0.158.0"
)
OPENTELEMETRY_COLLECTOR_IMAGE = "otel/opentelemetry-collector-contrib"

ADDON_CHARTS = (ARGO_ROLLOUTS, GATEKEEPER, SEALED_SECRETS, GPU_OPERATOR, KUBE_PROMETHEUS_STACK, OPENTELEMETRY_COLLECTOR)
