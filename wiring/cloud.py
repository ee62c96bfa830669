"""The cloud layer's wiring: resource group, registries, identities and clusters, from the stack's cloud part."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import authorization, containerregistry, resources

from components.cloud.cluster import AksCluster, AksClusterArgs
from components.cloud.federated_identity import FederatedIdentity, FederatedIdentityArgs
from components.cloud.ghcr import Ghcr, GhcrArgs
from components.cloud.identity import CiIdentity, CiIdentityArgs, CiIdentityKind
from components.cloud.registry import ContainerRegistry, ContainerRegistryArgs
from components.cloud.roles import assign_role
from components.gitops import ARGOCD_NAMESPACE, ARGOCD_SERVICE_ACCOUNTS, ClusterRole
from settings import CiCredential, CiIdentitySettings, CiMode, GhcrSettings, secret_output
from wiring.stack import CloudPart, Stack


@dataclass(frozen=True)
class Cloud:
    """What the cloud layer hands down to the platform, delivery and github layers."""

    tenant_id: pulumi.Output[str]
    subscription_id: pulumi.Output[str]
    resource_group_name: pulumi.Output[str]
    acr: ContainerRegistry | None
    ghcr: Ghcr | None
    ci: CiIdentity
    clusters: dict[ClusterRole, AksCluster]
    argocd_identity: FederatedIdentity | None


def ci_identity_kind(ci: CiIdentitySettings) -> CiIdentityKind:
    if ci.mode is CiMode.MANAGED_IDENTITY:
        return CiIdentityKind.MANAGED_IDENTITY
    if ci.credential is CiCredential.FEDERATED:
        return CiIdentityKind.APPLICATION_FEDERATED
    return CiIdentityKind.APPLICATION_CLIENT_SECRET


def wire_ghcr(ghcr: GhcrSettings | None) -> Ghcr | None:
    if ghcr is None:
        return None
    token = secret_output(ghcr.pull_token) if ghcr.private and ghcr.pull_token is not None else None
    return Ghcr.wire(GhcrArgs(owner=ghcr.owner, pull_username=ghcr.pull_username, pull_token=token))


def _registry(
    cloud: CloudPart, group: resources.ResourceGroup, opts: pulumi.ResourceOptions
) -> ContainerRegistry | None:
    if cloud.acr is None:
        return None
    acr = cloud.acr
    return ContainerRegistry(
        cloud.base,
        ContainerRegistryArgs(
            resource_group_name=group.name,
            registry_name=cloud.acr_name,
            location=cloud.azure.location,
            sku=containerregistry.SkuName(acr.sku.value),
            public_network_access=acr.public_network_access,
            zone_redundant=acr.zone_redundant,
            geo_replicas=acr.geo_replicas,
            untagged_retention_days=acr.untagged_retention_days,
            tags=cloud.tags,
        ),
        opts,
    )


def _argocd_identity(
    cloud: CloudPart,
    group: resources.ResourceGroup,
    clusters: dict[ClusterRole, AksCluster],
    subscription_id: pulumi.Output[str],
    opts: pulumi.ResourceOptions,
) -> FederatedIdentity | None:
    """ArgoCD on the hub reaches the GPU cluster as this identity: Azure workload identity on
    the hub's OIDC issuer, admin on the GPU cluster through Azure RBAC. No static token."""
    if ClusterRole.GPU not in clusters:
        return None
    identity = FederatedIdentity(
        f"{cloud.base}-argocd",
        FederatedIdentityArgs(
            resource_group_name=group.name,
            identity_name=f"id-{cloud.base}-argocd",
            location=cloud.azure.location,
            issuer=clusters[ClusterRole.HUB].oidc_issuer_url,
            subjects=[f"system:serviceaccount:{ARGOCD_NAMESPACE}:{sa}" for sa in ARGOCD_SERVICE_ACCOUNTS],
            tags=cloud.tags,
        ),
        opts,
    )
    assign_role(
        f"{cloud.base}-argocd-gpu-cluster-admin",
        role="Azure Kubernetes Service RBAC Cluster Admin",
        principal_id=identity.principal_id,
        scope=clusters[ClusterRole.GPU].id,
        subscription_id=subscription_id,
        opts=opts,
    )
    return identity


def build(stack: Stack, cloud: CloudPart) -> Cloud:
    """Declare the cloud layer. Stateful and identity resources are protected in production,
    and each component's children inherit that."""
    stateful = pulumi.ResourceOptions(protect=cloud.azure.protect)
    client = authorization.get_client_config_output()
    location = cloud.azure.location
    group = resources.ResourceGroup(
        cloud.base,
        resources.ResourceGroupArgs(resource_group_name=f"rg-{cloud.base}", location=location, tags=cloud.tags),
        stateful,
    )
    acr = _registry(cloud, group, stateful)
    ci_settings = cloud.identity.ci
    ci = CiIdentity(
        f"{cloud.base}-ci",
        CiIdentityArgs(
            kind=ci_identity_kind(ci_settings),
            display_name=f"id-{cloud.base}-ci",
            resource_group_name=group.name,
            location=location,
            subjects=cloud.ci_subjects,
            secret_rotation_days=ci_settings.secret_rotation_days,
            tags=cloud.tags,
        ),
        stateful,
    )
    if acr is not None:
        assign_role(
            f"{cloud.base}-ci-acr-push",
            role="AcrPush",
            principal_id=ci.principal_id,
            scope=acr.id,
            subscription_id=client.subscription_id,
            opts=stateful,
        )
    clusters = {
        role: AksCluster(
            f"{cloud.base}-{role}",
            AksClusterArgs(
                cluster=settings,
                cluster_name=f"aks-{cloud.base}-{role}",
                resource_group_name=group.name,
                location=location,
                tenant_id=client.tenant_id,
                subscription_id=client.subscription_id,
                acr_id=acr.id if acr is not None else None,
                tags=cloud.tags,
            ),
            stateful,
        )
        for role, settings in cloud.clusters.items()
    }
    return Cloud(
        tenant_id=client.tenant_id,
        subscription_id=client.subscription_id,
        resource_group_name=group.name,
        acr=acr,
        ghcr=wire_ghcr(stack.ghcr),
        ci=ci,
        clusters=clusters,
        argocd_identity=_argocd_identity(cloud, group, clusters, client.subscription_id, stateful),
    )


def export(cloud: Cloud) -> None:
    pulumi.export("tenantId", cloud.tenant_id)
    pulumi.export("subscriptionId", cloud.subscription_id)
    pulumi.export("resourceGroupName", cloud.resource_group_name)
    if cloud.acr is not None:
        pulumi.export("acrLoginServer", cloud.acr.login_server)
    if cloud.ghcr is not None:
        pulumi.export("ghcrImagePrefix", cloud.ghcr.image_prefix)
    pulumi.export("ciClientId", cloud.ci.client_id)
    if cloud.ci.client_secret is not None:
        pulumi.export("ciClientSecret", cloud.ci.client_secret)
    if cloud.argocd_identity is not None:
        pulumi.export("argocdClientId", cloud.argocd_identity.client_id)
    for role, cluster in cloud.clusters.items():
        pulumi.export(
            f"{role}Cluster",
            {"name": cluster.name, "id": cluster.id, "oidcIssuerUrl": cluster.oidc_issuer_url},
        )
        pulumi.export(f"{role}Kubeconfig", cluster.kubeconfig)
