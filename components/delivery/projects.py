"""AppProjects for the services: one shared, or one per team (settings decide).

A project may deploy only from the GitOps repository, only into its own services'
namespaces (`<service>-<env>`) on the clusters that serve that environment (GPU services on
GPU clusters only), and nothing cluster-scoped: one team can never deploy into another's
namespace. Its `ci` role is CI's only sync right (ArgoCD's RBAC is a union of grants, so
no global role may give CI more): get and sync on non-production applications only.
Production changes only in an allowed sync window, where manual syncs stay allowed for
the on-call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from contracts.gitops import ARGOCD_NAMESPACE, ClusterTarget

# Namespaced kinds a service must not manage: the platform owns them.
PLATFORM_OWNED_KINDS = ("ResourceQuota", "LimitRange", "NetworkPolicy")


@dataclass(frozen=True)
class SyncWindow:
    schedule: str
    duration: str
    time_zone: str


@dataclass(frozen=True)
class ProjectService:
    """A service as its project sees it: where it may be deployed."""

    name: str
    gpu: bool
    environments: Sequence[str]


@dataclass(frozen=True)
class ServiceProjectsArgs:
    """The hub's Kubernetes provider comes through `opts` (`providers=[hub]`)."""

    depends_on: Sequence[pulumi.Resource]
    # project name -> its services (a project without services gets no destination)
    projects: Mapping[str, Sequence[ProjectService]]
    repo_url: str
    clusters: Sequence[ClusterTarget]
    environments: Sequence[str]
    production_environments: Sequence[str]
    production_window: SyncWindow
    ci_groups: Sequence[str] = ()


def application_pattern(project: str, environment: str) -> str:
    """Applications are named `<service>-<environment>-<cluster>`."""
    return f"{project}/*-{environment}-*"


def project_destinations(services: Sequence[ProjectService], clusters: Sequence[ClusterTarget]) -> list[dict[str, str]]:
    """Each service's own namespace in each environment, on the clusters serving it that match its GPU need."""
    return [
        {"name": cluster.role.value, "namespace": f"{service.name}-{env}"}
        for service in services
        for env in service.environments
        for cluster in clusters
        if env in cluster.environments and cluster.gpu == service.gpu
    ]


class ServiceProjects(pulumi.ComponentResource):
    """One AppProject per project name."""

    def __init__(self, name: str, args: ServiceProjectsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("slipway:delivery:ServiceProjects", name, None, opts)
        non_production = [env for env in args.environments if env not in args.production_environments]
        for project, services in args.projects.items():
            windows = [
                {
                    "kind": "allow",
                    "schedule": args.production_window.schedule,
                    "duration": args.production_window.duration,
                    "timeZone": args.production_window.time_zone,
                    "applications": [f"*-{env}-*"],
                    "manualSync": True,
                }
                for env in args.production_environments
            ]
            k8s.apiextensions.CustomResource(
                f"{name}-{project}",
                api_version="argoproj.io/v1alpha1",
                kind="AppProject",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=project, namespace=ARGOCD_NAMESPACE),
                spec={
                    "description": f"Services of {project}, delivered by Slipway",
                    "sourceRepos": [args.repo_url],
                    "destinations": project_destinations(services, args.clusters),
                    "clusterResourceWhitelist": [],
                    "namespaceResourceBlacklist": [{"group": "*", "kind": kind} for kind in PLATFORM_OWNED_KINDS],
                    "roles": [
                        {
                            "name": "ci",
                            "description": "CI may sync non-production applications only",
                            "groups": list(args.ci_groups),
                            "policies": [
                                f"p, proj:{project}:ci, applications, {action}, "
                                f"{application_pattern(project, env)}, allow"
                                for env in non_production
                                for action in ("get", "sync")
                            ],
                        }
                    ],
                    "syncWindows": windows,
                },
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on)),
            )
        self.register_outputs({})
