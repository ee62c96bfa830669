"""AppProjects for the services: per project name (one shared, or one per team), one for
non-production and one for production, so no RBAC glob or window ever has to parse an Application name.

A project may deploy only from the GitOps repository, only into its own services' namespaces
(`<service>-<env>`) of its environments, on the clusters that serve them (GPU services on GPU
clusters only). The only cluster-scoped object it may create is each of those namespaces, by name:
ArgoCD checks the Namespace that `CreateNamespace=true` adds to a sync against the cluster-resource
whitelist (argo-cd v3.4.4 controller/sync.go validateSyncPermissions, app_project_types.go
IsGroupKindNamePermitted). Namespaced kinds the platform owns stay blacklisted.

Rights (ArgoCD's RBAC is a union of grants, so these are the only sync rights besides operators'
and admins' global ones):
- non-production project `<name>`: role `developer` (the team's groups: get, sync, logs) and role
  `ci` (CI: get, sync); both on `<name>/*`, which holds no production application;
- production project `production-<name>`: role `developer` (get, logs) and role `release` (the
  releasers: get, sync), and an allow window over all its applications, without manual syncs
  outside it unless a break-glass reason is set (then manual syncs pass, and the window says why).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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
    break_glass: str | None = None


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
    # project name -> the groups of its team's developers
    developer_groups: Mapping[str, Sequence[str]] | None = None
    releaser_groups: Sequence[str] = ()


def production_project(project: str) -> str:
    """The production twin of a project. Only these names start with `production-` (the others are
    `services` and `team-<team>`), so no two projects can share a name."""
    return f"production-{project}"


def project_destinations(
    services: Sequence[ProjectService], clusters: Sequence[ClusterTarget], environments: Sequence[str]
) -> list[dict[str, str]]:
    """Each service's own namespace in each of `environments`, on the clusters serving it that match its GPU need."""
    return [
        {"name": cluster.role.value, "namespace": f"{service.name}-{env}"}
        for service in services
        for env in service.environments
        if env in environments
        for cluster in clusters
        if env in cluster.environments and cluster.gpu == service.gpu
    ]


def role(project: str, name: str, description: str, groups: Sequence[str], actions: Sequence[str]) -> dict[str, Any]:
    """A project role granting `actions` on every application of the project (and its logs for `logs`)."""
    grants = [("logs", "get") if action == "logs" else ("applications", action) for action in actions]
    policies = [f"p, proj:{project}:{name}, {resource}, {verb}, {project}/*, allow" for resource, verb in grants]
    return {"name": name, "description": description, "groups": list(groups), "policies": policies}


def production_windows(window: SyncWindow) -> list[dict[str, Any]]:
    """The production project's one window: every application, manual syncs outside it only when breaking glass."""
    spec: dict[str, Any] = {
        "kind": "allow",
        "schedule": window.schedule,
        "duration": window.duration,
        "timeZone": window.time_zone,
        "applications": ["*"],
        "manualSync": window.break_glass is not None,
        "description": "Production changes only in this window",
    }
    if window.break_glass is not None:
        spec["description"] = f"BREAK GLASS (manual syncs allowed outside the window): {window.break_glass}"
    return [spec]


class ServiceProjects(pulumi.ComponentResource):
    """Per project name: its non-production AppProject, and its production one where it has production services."""

    def __init__(self, name: str, args: ServiceProjectsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("slipway:delivery:ServiceProjects", name, None, opts)
        production = list(args.production_environments)
        non_production = [env for env in args.environments if env not in production]
        for project, services in args.projects.items():
            developers = (args.developer_groups or {}).get(project, ())
            roles = [role(project, "developer", "The team's developers", developers, ("get", "sync", "logs"))]
            roles.append(
                role(project, "ci", "CI may sync non-production applications only", args.ci_groups, ("get", "sync"))
            )
            self._project(f"{name}-{project}", project, services, non_production, roles, [], args)
            if project_destinations(services, args.clusters, production):
                twin = production_project(project)
                roles = [
                    role(twin, "developer", "The team's developers may view production", developers, ("get", "logs")),
                    role(
                        twin,
                        "release",
                        "Releasers may sync production, in its window",
                        args.releaser_groups,
                        ("get", "sync"),
                    ),
                ]
                self._project(
                    f"{name}-{twin}",
                    twin,
                    services,
                    production,
                    roles,
                    production_windows(args.production_window),
                    args,
                )
        self.register_outputs({})

    def _project(
        self,
        resource: str,
        project: str,
        services: Sequence[ProjectService],
        environments: Sequence[str],
        roles: Sequence[dict[str, Any]],
        windows: Sequence[dict[str, Any]],
        args: ServiceProjectsArgs,
    ) -> None:
        destinations = project_destinations(services, args.clusters, environments)
        namespaces = sorted({d["namespace"] for d in destinations})
        spec: dict[str, Any] = {
            "description": f"Services of {project}, delivered by Slipway",
            "sourceRepos": [args.repo_url],
            "destinations": destinations,
            # The Namespace each Application creates (CreateNamespace=true), and nothing else cluster-scoped.
            "clusterResourceWhitelist": [{"group": "", "kind": "Namespace", "name": ns} for ns in namespaces],
            "namespaceResourceBlacklist": [{"group": "*", "kind": kind} for kind in PLATFORM_OWNED_KINDS],
            "roles": [r for r in roles if r["groups"]],
        }
        if windows:
            spec["syncWindows"] = list(windows)
        k8s.apiextensions.CustomResource(
            resource,
            api_version="argoproj.io/v1alpha1",
            kind="AppProject",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=project, namespace=ARGOCD_NAMESPACE),
            spec=spec,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on)),
        )
