"""The ApplicationSets that deliver every service to every environment.

One ApplicationSet per environment, so the object count grows with environments, never
with services x environments x clusters: ArgoCD carries the fan-out. Each is a Go-template
ApplicationSet whose generators are matrices of the clusters generator (clusters labelled
for the environment, GPU or not) and a list of the services (GPU services only with GPU
clusters, the others only with CPU clusters).

The generated Application installs the service's chart from the GitOps repository with
the environment's value file, into `<service>-<environment>`, created with Pod Security
Standard labels (restricted in production), in the service's project (its production twin in
production environments). Sync is automated with prune and self-heal
outside production and manual in production; a `templatePatch` adds ignoreDifferences on
replicas for services that autoscale (a patch, because conditional structure cannot be a
string field). Retries back off; the revision history is bounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from contracts.gitops import (
    ARGOCD_NAMESPACE,
    GPU_CLUSTER_LABEL,
    SYNC_RETRY,
    application_set_spec,
    clusters_matrix,
    environment_label,
    flag,
)

AUTOSCALING_PATCH = """{{- if .autoscaling }}
spec:
  ignoreDifferences:
    - group: apps
      kind: Deployment
      jsonPointers: [/spec/replicas]
    - group: argoproj.io
      kind: Rollout
      jsonPointers: [/spec/replicas]
{{- end }}
"""


@dataclass(frozen=True)
class DeliveredService:
    name: str
    project: str
    production_project: str
    team: str
    gpu: bool
    autoscaling: bool
    environments: Sequence[str]


@dataclass(frozen=True)
class ServiceDeliveryArgs:
    """The hub's Kubernetes provider comes through `opts` (`providers=[hub]`)."""

    depends_on: Sequence[pulumi.Resource]
    environments: Sequence[str]
    production_environments: Sequence[str]
    services: Sequence[DeliveredService]
    repo_url: str
    revision: str
    revision_history_limit: int


def _generators(environment: str, production: bool, services: Sequence[DeliveredService]) -> list[dict[str, Any]]:
    generators = []
    for gpu in (False, True):
        chosen = [s for s in services if s.gpu == gpu and environment in s.environments]
        if not chosen:
            continue
        # `serviceProject`, not `project`: the clusters generator's `project` would win (see clusters_matrix).
        elements = [
            {
                "service": s.name,
                "serviceProject": s.production_project if production else s.project,
                "team": s.team,
                "autoscaling": s.autoscaling,
            }
            for s in chosen
        ]
        selector = {environment_label(environment): "true", GPU_CLUSTER_LABEL: flag(gpu)}
        generators.append(clusters_matrix(selector, elements))
    return generators


def application_template(environment: str, production: bool, args: ServiceDeliveryArgs) -> dict[str, Any]:
    sync_policy: dict[str, Any] = {
        # RespectIgnoreDifferences: a sync keeps the live value of what ignoreDifferences names (the
        # autoscaler's replicas) instead of resetting it (argo-cd v3.4.4 controller/sync.go, lines 261-271).
        "syncOptions": ["CreateNamespace=true", "PruneLast=true", "RespectIgnoreDifferences=true"],
        "managedNamespaceMetadata": {
            "labels": {
                "pod-security.kubernetes.io/enforce": "restricted" if production else "baseline",
                "pod-security.kubernetes.io/warn": "restricted",
                "environment": environment,
                "slipway.io/team": "{{.team}}",
            }
        },
        "retry": SYNC_RETRY,
    }
    if not production:
        sync_policy["automated"] = {"prune": True, "selfHeal": True}
    return {
        "metadata": {
            "name": f"{{{{.service}}}}-{environment}-{{{{.name}}}}",
            "labels": {"slipway.io/service": "{{.service}}", "slipway.io/environment": environment},
        },
        "spec": {
            "project": "{{.serviceProject}}",
            "source": {
                "repoURL": args.repo_url,
                "targetRevision": args.revision,
                "path": "services/{{.service}}",
                "helm": {"releaseName": "{{.service}}", "valueFiles": ["values.yaml", f"values-{environment}.yaml"]},
            },
            "destination": {"server": "{{.server}}", "namespace": f"{{{{.service}}}}-{environment}"},
            "revisionHistoryLimit": args.revision_history_limit,
            "syncPolicy": sync_policy,
        },
    }


class ServiceDelivery(pulumi.ComponentResource):
    """One ApplicationSet per environment, delivering every service there."""

    def __init__(self, name: str, args: ServiceDeliveryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("slipway:delivery:ServiceDelivery", name, None, opts)
        for environment in args.environments:
            production = environment in args.production_environments
            generators = _generators(environment, production, args.services)
            if not generators:
                continue
            k8s.apiextensions.CustomResource(
                f"{name}-{environment}",
                api_version="argoproj.io/v1alpha1",
                kind="ApplicationSet",
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name=f"services-{environment}",
                    namespace=ARGOCD_NAMESPACE,
                    labels={"slipway.io/environment": environment, "slipway.io/production": str(production).lower()},
                ),
                spec=application_set_spec(
                    generators, application_template(environment, production, args), templatePatch=AUTOSCALING_PATCH
                ),
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on)),
            )
        self.register_outputs({})
