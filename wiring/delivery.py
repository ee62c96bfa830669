"""The delivery layer's wiring: cluster registration, AppProjects and the service ApplicationSets, on the hub."""

from __future__ import annotations

from dataclasses import replace

import pulumi

from components.delivery.applicationsets import DeliveredService, ServiceDelivery, ServiceDeliveryArgs
from components.delivery.clusters import (
    ClusterEntry,
    ClusterRegistration,
    ClusterRegistrationArgs,
    WorkloadIdentityAuth,
)
from components.delivery.projects import (
    ProjectService,
    ServiceProjects,
    ServiceProjectsArgs,
    SyncWindow,
    production_project,
)
from components.platform.otel_collector import OTLP_GRPC_ENDPOINT, OTLP_HTTP_ENDPOINT
from contracts.gitops import Addon, Annotation, ClusterRole, ClusterTarget, addons_repo_annotations
from settings import ProjectLayout
from wiring.cloud import Cloud
from wiring.platform import Platform
from wiring.stack import DeliveryPart, Stack


def shared_annotations(cloud: Cloud) -> dict[str, pulumi.Input[str]]:
    """What every cluster Secret tells services and add-ons about the stack."""
    annotations: dict[str, pulumi.Input[str]] = {
        Annotation.TENANT_ID: cloud.tenant_id,
        Annotation.SUBSCRIPTION_ID: cloud.subscription_id,
    }
    if cloud.acr is not None:
        annotations[Annotation.ACR_LOGIN_SERVER] = cloud.acr.login_server
    if cloud.ghcr is not None:
        annotations[Annotation.GHCR_PREFIX] = cloud.ghcr.image_prefix
    return annotations


def addons_repo(stack: Stack) -> dict[str, pulumi.Input[str]]:
    """The gitops-bridge `addons_repo_*` annotations, where the platform has a repository (cloud or local)."""
    repo = stack.platform.git_repo if stack.platform is not None else None
    return dict(addons_repo_annotations(repo.url, repo.revision)) if repo is not None else {}


def otlp_annotations(target: ClusterTarget) -> dict[str, pulumi.Input[str]]:
    """Where the cluster's services send OTLP, beside the registries and tenant: its collector, if it has one."""
    if Addon.TRACES not in target.addons:
        return {}
    return {Annotation.OTLP_GRPC_ENDPOINT: OTLP_GRPC_ENDPOINT, Annotation.OTLP_HTTP_ENDPOINT: OTLP_HTTP_ENDPOINT}


def cluster_entry(target: ClusterTarget, stack: Stack, cloud: Cloud | None) -> ClusterEntry:
    """A cluster as ArgoCD should know it: the hub in-cluster, the GPU cluster by workload identity."""
    if cloud is None:
        return ClusterEntry(target, {**addons_repo(stack), **otlp_annotations(target)})
    cluster = cloud.clusters[target.role]
    remote = None
    if target.role is not ClusterRole.HUB and cloud.argocd_identity is not None:
        remote = WorkloadIdentityAuth(
            client_id=cloud.argocd_identity.client_id,
            tenant_id=cloud.tenant_id,
            server=cluster.api_server,
            ca_data=cluster.ca_data,
        )
    annotations = {
        **addons_repo(stack),
        **shared_annotations(cloud),
        **otlp_annotations(target),
        Annotation.OIDC_ISSUER: cluster.oidc_issuer_url,
        Annotation.KUBELET_CLIENT_ID: cluster.kubelet_client_id,
    }
    return ClusterEntry(target, annotations, remote)


def build(stack: Stack, delivery: DeliveryPart, cloud: Cloud | None, platform: Platform) -> None:
    """Declare every delivery object on the hub, after ArgoCD's release (which installs its CRDs)."""
    settings = delivery.settings
    hub = pulumi.ResourceOptions(providers=[platform.providers[ClusterRole.HUB]])
    after_argocd: list[pulumi.Resource] = [platform.argocd.release]
    entries = []
    for target in stack.targets:
        entry = cluster_entry(target, stack, cloud)
        key = platform.sealing_keys.get(target.role)
        entries.append(entry if key is None else replace(entry, after=[key]))
    ClusterRegistration(
        "clusters", ClusterRegistrationArgs(after_argocd, entries, settings.production_environments), hub
    )
    per_team = settings.projects is ProjectLayout.PER_TEAM

    def project(team: str) -> str:
        return f"team-{team}" if per_team else "services"

    services = [
        DeliveredService(
            name=service.name,
            project=project(service.team),
            production_project=production_project(project(service.team)),
            team=service.team,
            gpu=service.gpu,
            autoscaling=service.autoscaling,
            environments=service.environments or settings.environments,
        )
        for service in settings.services
    ]
    window = settings.production_sync_window
    rbac = stack.platform.argocd.rbac if stack.platform is not None else None
    projects: dict[str, list[ProjectService]] = {}
    for service in services:
        projects.setdefault(service.project, []).append(ProjectService(service.name, service.gpu, service.environments))
    ServiceProjects(
        "projects",
        ServiceProjectsArgs(
            depends_on=after_argocd,
            projects=dict(sorted(projects.items())) or {"services": []},
            repo_url=delivery.git_repo.url,
            clusters=stack.targets,
            environments=settings.environments,
            production_environments=settings.production_environments,
            production_window=SyncWindow(window.schedule, window.duration, window.time_zone, window.break_glass),
            ci_groups=rbac.ci_deployers if rbac is not None else [],
            developer_groups={project(team): groups for team, groups in rbac.teams.items()} if rbac else {},
            releaser_groups=rbac.releasers if rbac is not None else [],
        ),
        hub,
    )
    ServiceDelivery(
        "services",
        ServiceDeliveryArgs(
            depends_on=after_argocd,
            environments=settings.environments,
            production_environments=settings.production_environments,
            services=services,
            repo_url=delivery.git_repo.url,
            revision=delivery.git_repo.revision,
            revision_history_limit=settings.revision_history_limit,
        ),
        hub,
    )
