"""The delivery layer's wiring: cluster registration, AppProjects and the service ApplicationSets, on the hub."""

from __future__ import annotations

import pulumi

from components.delivery.applicationsets import DeliveredService, ServiceDelivery, ServiceDeliveryArgs
from components.delivery.clusters import (
    ClusterEntry,
    ClusterRegistration,
    ClusterRegistrationArgs,
    WorkloadIdentityAuth,
)
from components.delivery.projects import ServiceProjects, ServiceProjectsArgs, SyncWindow
from components.gitops import Annotation, ClusterRole, ClusterTarget
from settings import ProjectLayout
from wiring.cloud import Cloud
from wiring.platform import Platform
from wiring.stack import DeliveryPart, Stack


def shared_annotations(stack: Stack, cloud: Cloud) -> dict[str, pulumi.Input[str]]:
    """What every cluster Secret tells services and add-ons about the stack."""
    annotations: dict[str, pulumi.Input[str]] = {
        Annotation.TENANT_ID: cloud.tenant_id,
        Annotation.SUBSCRIPTION_ID: cloud.subscription_id,
    }
    if cloud.acr is not None:
        annotations[Annotation.ACR_LOGIN_SERVER] = cloud.acr.login_server
    if cloud.ghcr is not None:
        annotations[Annotation.GHCR_PREFIX] = cloud.ghcr.image_prefix
    repo = stack.platform.git_repo if stack.platform is not None else None
    if repo is not None:
        annotations[Annotation.ADDONS_REPO_URL] = repo.url
        annotations[Annotation.ADDONS_REPO_REVISION] = repo.revision
        annotations[Annotation.ADDONS_REPO_PATH] = "charts"
    return annotations


def cluster_entry(target: ClusterTarget, stack: Stack, cloud: Cloud | None) -> ClusterEntry:
    """A cluster as ArgoCD should know it: the hub in-cluster, the GPU cluster by workload identity."""
    if cloud is None:
        return ClusterEntry(target)
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
        **shared_annotations(stack, cloud),
        Annotation.OIDC_ISSUER: cluster.oidc_issuer_url,
        Annotation.KUBELET_CLIENT_ID: cluster.kubelet_client_id,
    }
    return ClusterEntry(target, annotations, remote)


def build(stack: Stack, delivery: DeliveryPart, cloud: Cloud | None, platform: Platform) -> None:
    """Declare every delivery object on the hub, after ArgoCD's CRDs."""
    settings = delivery.settings
    hub = pulumi.ResourceOptions(providers=[platform.providers[ClusterRole.HUB]])
    after_argocd: list[pulumi.Resource] = list(platform.argocd.crds)
    entries = [cluster_entry(target, stack, cloud) for target in stack.targets]
    ClusterRegistration("clusters", ClusterRegistrationArgs(after_argocd, entries), hub)
    per_team = settings.projects is ProjectLayout.PER_TEAM
    services = [
        DeliveredService(
            name=service.name,
            project=f"team-{service.team}" if per_team else "services",
            team=service.team,
            gpu=service.gpu,
            autoscaling=service.autoscaling,
            environments=service.environments or settings.environments,
        )
        for service in settings.services
    ]
    window = settings.production_sync_window
    ci_groups = stack.platform.argocd.rbac.ci_deployers if stack.platform is not None else []
    ServiceProjects(
        "projects",
        ServiceProjectsArgs(
            depends_on=after_argocd,
            projects=sorted({service.project for service in services}) or ["services"],
            repo_url=delivery.git_repo.url,
            destinations={
                env: [entry.target.role.value for entry in entries if env in entry.target.environments]
                for env in settings.environments
            },
            production_environments=settings.production_environments,
            production_window=SyncWindow(window.schedule, window.duration, window.time_zone),
            ci_groups=ci_groups,
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
