"""Traces on every cluster: an OpenTelemetry collector, installed by ArgoCD, that services send OTLP to.

Each cluster labelled `enable_traces` gets the pinned opentelemetry-collector chart in `deployment`
mode with the contrib image (the distribution with the `azuremonitor` exporter: tests/schemas/otel/).
It receives OTLP on the chart's `otlp` (gRPC, 4317) and `otlp-http` (4318) ports of the Service
`<fullnameOverride>` and exports the traces pipeline to the backend the settings name:
- Application Insights: the `azuremonitor` exporter, its connection string read from the environment
  (`${env:APPLICATIONINSIGHTS_CONNECTION_STRING}`), which a Pulumi-owned Secret on each cluster fills;
- an OTLP/HTTP endpoint: the `otlphttp` exporter's `endpoint`.
The chart's own logs and metrics pipelines are left as it sets them (its `debug` exporter).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.platform.addons import AddonArgs, addon_application_set, addon_secret, chart_source
from components.versions import OPENTELEMETRY_COLLECTOR, OPENTELEMETRY_COLLECTOR_IMAGE
from contracts.gitops import ADDON_NAMESPACES, Addon, ClusterRole

NAMESPACE = ADDON_NAMESPACES[Addon.TRACES]
FULLNAME = "traces-collector"
OTLP_GRPC_PORT, OTLP_HTTP_PORT = 4317, 4318
OTLP_GRPC_ENDPOINT = f"http://{FULLNAME}.{NAMESPACE}.svc:{OTLP_GRPC_PORT}"
OTLP_HTTP_ENDPOINT = f"http://{FULLNAME}.{NAMESPACE}.svc:{OTLP_HTTP_PORT}"
CONNECTION_SECRET, CONNECTION_KEY = "traces-azuremonitor", "connection-string"
CONNECTION_ENV = "APPLICATIONINSIGHTS_CONNECTION_STRING"


@dataclass(frozen=True)
class TracesCollectorArgs:
    addon: AddonArgs
    clusters: Mapping[ClusterRole, k8s.Provider]
    high_availability: bool
    # Exactly one: Application Insights' connection string (a Pulumi secret), or an OTLP/HTTP endpoint.
    connection_string: pulumi.Output[str] | None = None
    otlp_endpoint: str | None = None


def exporter(args: TracesCollectorArgs) -> tuple[str, dict[str, Any]]:
    """The traces pipeline's exporter: its name and its configuration."""
    if args.connection_string is not None:
        return "azuremonitor", {"connection_string": f"${{env:{CONNECTION_ENV}}}"}
    if args.otlp_endpoint is None:
        raise ValueError("traces need a connection string or an OTLP endpoint")
    return "otlphttp", {"endpoint": args.otlp_endpoint}


def chart_values(args: TracesCollectorArgs) -> dict[str, Any]:
    name, config = exporter(args)
    values: dict[str, Any] = {
        "fullnameOverride": FULLNAME,
        "mode": "deployment",
        "replicaCount": 2 if args.high_availability else 1,
        "image": {"repository": OPENTELEMETRY_COLLECTOR_IMAGE},
        "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}},
        "config": {
            "exporters": {name: config},
            "service": {
                "pipelines": {
                    "traces": {"receivers": ["otlp"], "processors": ["memory_limiter", "batch"], "exporters": [name]}
                }
            },
        },
    }
    if args.connection_string is not None:
        values["extraEnvs"] = [
            {"name": CONNECTION_ENV, "valueFrom": {"secretKeyRef": {"name": CONNECTION_SECRET, "key": CONNECTION_KEY}}}
        ]
    return values


class TracesCollector(pulumi.ComponentResource):
    """The traces ApplicationSet, and on each cluster the Secret holding Application Insights' connection string."""

    def __init__(self, name: str, args: TracesCollectorArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("slipway:platform:TracesCollector", name, None, opts)
        secrets: list[pulumi.Resource] = []
        if args.connection_string is not None:
            for cluster, provider in args.clusters.items():
                secrets.append(
                    addon_secret(
                        f"{name}-{cluster}",
                        "connection",
                        namespace=NAMESPACE,
                        secret=k8s.meta.v1.ObjectMetaArgs(name=CONNECTION_SECRET, namespace=NAMESPACE),
                        string_data={CONNECTION_KEY: args.connection_string},
                        on_cluster=pulumi.ResourceOptions(parent=self, provider=provider),
                    )
                )
        addon_application_set(
            Addon.TRACES,
            sources=[chart_source(OPENTELEMETRY_COLLECTOR, Addon.TRACES, chart_values(args))],
            args=replace(args.addon, depends_on=[*args.addon.depends_on, *secrets]),
            parent=self,
        )
        self.register_outputs({})
