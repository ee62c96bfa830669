"""Slipway's composition root: reads the stack's settings once and builds the layers.

The only module that reads Pulumi config or knows which stack it is in. Layers are
built in order (cloud, platform, delivery, github); each takes what it needs from the
layer above as typed Args, and the stack outputs are exported at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi.runtime import config as runtime_config
from pulumi_azure_native import authorization, containerregistry, containerservice, resources

from components.cloud.cluster import AksCluster, AksClusterArgs, GpuPoolArgs, PoolArgs
from components.cloud.federated_identity import FederatedIdentity, FederatedIdentityArgs
from components.cloud.ghcr import Ghcr, GhcrArgs
from components.cloud.identity import CiIdentity, CiIdentityArgs, CiIdentityKind
from components.cloud.registry import ContainerRegistry, ContainerRegistryArgs
from components.cloud.roles import BuiltInRole, assign_role
from settings import (
    CiCredential,
    CiIdentitySettings,
    CiMode,
    ClusterSettings,
    Settings,
    acr_registry_name,
    ci_subjects,
    load_settings,
    secret_output,
    sections_from_config,
    stored_secrets,
)


def read_settings(stack: str) -> Settings:
    """Every `slipway:*` key of the stack config, validated (unknown sections included)."""
    keys = set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())
    raw = sections_from_config({key: runtime_config.get_config(key) for key in keys})
    settings = load_settings(raw, stack)
    for path in stored_secrets(raw):
        if not runtime_config.is_config_secret(path.split(".", 1)[0]):
            pulumi.log.warn(
                f"{path} is stored in plain text in Pulumi.{stack}.yaml; it is used as a secret all the same, "
                f"but store it encrypted: pulumi config set --secret --path '{path}' <value>"
            )
    return settings


# The ArgoCD service accounts that reach other clusters through workload identity.
ARGOCD_NAMESPACE = "argocd"
ARGOCD_SERVICE_ACCOUNTS = ("argocd-application-controller", "argocd-applicationset-controller", "argocd-server")


@dataclass(frozen=True)
class Cloud:
    """What the cloud layer hands down to the platform, delivery and github layers."""

    tenant_id: pulumi.Output[str]
    subscription_id: pulumi.Output[str]
    resource_group_name: pulumi.Output[str]
    acr: ContainerRegistry | None
    ghcr: Ghcr | None
    ci: CiIdentity
    clusters: dict[str, AksCluster]
    argocd_identity: FederatedIdentity | None


def ci_identity_kind(ci: CiIdentitySettings) -> CiIdentityKind:
    if ci.mode is CiMode.MANAGED_IDENTITY:
        return CiIdentityKind.MANAGED_IDENTITY
    if ci.credential is CiCredential.FEDERATED:
        return CiIdentityKind.APPLICATION_FEDERATED
    return CiIdentityKind.APPLICATION_CLIENT_SECRET


@dataclass(frozen=True)
class Placement:
    """Where and for whom the cloud layer's resources are declared."""

    base: str
    location: str
    resource_group_name: pulumi.Output[str]
    tenant_id: pulumi.Output[str]
    subscription_id: pulumi.Output[str]
    tags: dict[str, str]


def cluster_args(role: str, cluster: ClusterSettings, at: Placement, acr: ContainerRegistry | None) -> AksClusterArgs:
    return AksClusterArgs(
        resource_group_name=at.resource_group_name,
        cluster_name=f"aks-{at.base}-{role}",
        location=at.location,
        tenant_id=at.tenant_id,
        subscription_id=at.subscription_id,
        kubernetes_version=cluster.kubernetes_version,
        tier=containerservice.ManagedClusterSKUTier(cluster.tier.value),
        admin_group_object_ids=cluster.admin_group_object_ids,
        upgrade_channel=containerservice.UpgradeChannel(cluster.upgrade_channel.value),
        node_os_upgrade_channel=containerservice.NodeOSUpgradeChannel(cluster.node_os_upgrade_channel.value),
        network_policy=containerservice.NetworkPolicy(cluster.network_policy.value),
        system_pool=PoolArgs(**cluster.system_pool.model_dump()),
        user_pool=PoolArgs(**cluster.user_pool.model_dump()),
        gpu_pools=[
            GpuPoolArgs(
                name=pool.name,
                vm_size=pool.vm_size,
                min_count=pool.min_count,
                max_count=pool.max_count,
                spot=pool.spot,
                spot_max_price=pool.spot_max_price,
                driver=containerservice.GPUDriver(pool.driver.value),
            )
            for pool in cluster.gpu_pools
        ],
        availability_zones=cluster.availability_zones,
        authorized_ip_ranges=cluster.authorized_ip_ranges,
        private=cluster.private,
        acr_id=acr.id if acr is not None else None,
        tags=at.tags,
    )


def build_cloud(settings: Settings, stack: str) -> Cloud:
    azure = settings.azure
    assert settings.identity is not None and settings.clusters is not None  # checked by load_settings
    base = f"{azure.name_prefix}-{stack}"
    tags = {"app": "slipway", "stack": stack, **azure.tags}
    # Stateful and identity resources: protected in production, inherited by each component's children.
    stateful = pulumi.ResourceOptions(protect=azure.protect)
    client = authorization.get_client_config_output()
    group = resources.ResourceGroup(
        base,
        resources.ResourceGroupArgs(resource_group_name=f"rg-{base}", location=azure.location, tags=tags),
        stateful,
    )
    acr_settings = settings.registries.acr
    acr = None
    if acr_settings.enabled:
        acr = ContainerRegistry(
            base,
            ContainerRegistryArgs(
                resource_group_name=group.name,
                registry_name=acr_registry_name(settings, stack),
                location=azure.location,
                sku=containerregistry.SkuName(acr_settings.sku.value),
                public_network_access=acr_settings.public_network_access,
                zone_redundant=acr_settings.zone_redundant,
                geo_replicas=acr_settings.geo_replicas,
                untagged_retention_days=acr_settings.untagged_retention_days,
                tags=tags,
            ),
            stateful,
        )
    ci_settings = settings.identity.ci
    ci = CiIdentity(
        f"{base}-ci",
        CiIdentityArgs(
            kind=ci_identity_kind(ci_settings),
            display_name=f"id-{base}-ci",
            resource_group_name=group.name,
            location=azure.location,
            subjects=ci_subjects(settings),
            secret_rotation_days=ci_settings.secret_rotation_days,
            tags=tags,
        ),
        stateful,
    )
    if acr is not None:
        assign_role(
            f"{base}-ci-acr-push",
            role=BuiltInRole.ACR_PUSH,
            principal_id=ci.principal_id,
            scope=acr.id,
            subscription_id=client.subscription_id,
            opts=stateful,
        )
    at = Placement(base, azure.location, group.name, client.tenant_id, client.subscription_id, tags)
    clusters = {
        role: AksCluster(f"{base}-{role}", cluster_args(role, cluster, at, acr), stateful)
        for role, cluster in settings.clusters.enabled().items()
    }
    argocd_identity = None
    if "gpu" in clusters:
        # ArgoCD on the hub reaches the GPU cluster as this identity: Azure workload identity on
        # the hub's OIDC issuer, admin on the GPU cluster through Azure RBAC. No static token.
        argocd_identity = FederatedIdentity(
            f"{base}-argocd",
            FederatedIdentityArgs(
                resource_group_name=group.name,
                identity_name=f"id-{base}-argocd",
                location=azure.location,
                issuer=clusters["hub"].oidc_issuer_url,
                subjects=[f"system:serviceaccount:{ARGOCD_NAMESPACE}:{sa}" for sa in ARGOCD_SERVICE_ACCOUNTS],
                tags=tags,
            ),
            stateful,
        )
        assign_role(
            f"{base}-argocd-gpu-cluster-admin",
            role=BuiltInRole.AKS_RBAC_CLUSTER_ADMIN,
            principal_id=argocd_identity.principal_id,
            scope=clusters["gpu"].id,
            subscription_id=client.subscription_id,
            opts=stateful,
        )
    return Cloud(
        tenant_id=client.tenant_id,
        subscription_id=client.subscription_id,
        resource_group_name=group.name,
        acr=acr,
        ghcr=wire_ghcr(settings),
        ci=ci,
        clusters=clusters,
        argocd_identity=argocd_identity,
    )


def wire_ghcr(settings: Settings) -> Ghcr | None:
    ghcr = settings.registries.ghcr
    if ghcr is None or not ghcr.enabled:
        return None
    token = secret_output(ghcr.pull_token) if ghcr.private and ghcr.pull_token is not None else None
    return Ghcr.wire(GhcrArgs(owner=ghcr.owner, pull_username=ghcr.pull_username, pull_token=token))


def export_cloud(cloud: Cloud) -> None:
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


def main() -> None:
    stack = pulumi.get_stack()
    settings = read_settings(stack)
    if settings.azure.enabled:
        export_cloud(build_cloud(settings, stack))


main()
