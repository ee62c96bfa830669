"""The cloud layer's wiring: resource group, network, monitoring, registries, identities and clusters.

The network and monitoring parts (`_network`, `_access`, `_monitoring`) turn the stack's network model and
observability baseline into the components' arguments; the identity parts live in their own functions.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import authorization, containerregistry, resources

from components.cloud.cluster import (
    AksCluster,
    AksClusterArgs,
    ClusterNetwork,
    ClusterSpec,
    GpuPool,
    Maintenance,
    MaintenanceWindow,
    Pool,
)
from components.cloud.federated_identity import FederatedIdentity, FederatedIdentityArgs
from components.cloud.ghcr import Ghcr, GhcrArgs
from components.cloud.identity import GithubIdentityArgs, IdentityKind, SignIn, github_identity
from components.cloud.monitoring import CLUSTER_LOG_CATEGORIES, REGISTRY_LOG_CATEGORIES, Monitoring, MonitoringArgs
from components.cloud.network import ENDPOINTS_SUBNET, StackNetwork, StackNetworkArgs, node_subnet
from components.cloud.registry import ContainerRegistry, ContainerRegistryArgs, PrivateAccess
from components.cloud.roles import assign_role, propagated
from contracts.aks import ApiServerAccess
from contracts.azure_roles import role_id
from contracts.gitops import ARGOCD_NAMESPACE, ARGOCD_SERVICE_ACCOUNTS, ClusterRole
from settings import (
    ClusterSettings,
    GhcrSettings,
    IdentityCredential,
    IdentityMode,
    IdentitySettings,
    MaintenanceSettings,
    MaintenanceWindowSettings,
    PoolSettings,
    RegistryAccess,
    Runners,
    secret_output,
)
from settings.names import identity_purpose, role_slug
from wiring.protection import protection
from wiring.stack import CloudPart, Stack

# Every role the deploy identity may hand out: its Role Based Access Control Administrator
# assignment carries a condition naming exactly these. They are the roles the program assigns
# to others (kubelets, ArgoCD, the preview and delivery identities) and the deploy identity's
# own cluster-admin role on clusters it creates; never Contributor, Owner, User Access
# Administrator or Role Based Access Control Administrator, so it cannot widen its own rights.
DEPLOY_ASSIGNABLE_ROLES = (
    "AcrPull",
    "AcrPush",
    "Reader",
    "Azure Kubernetes Service Cluster User Role",
    "Azure Kubernetes Service RBAC Cluster Admin",
    "Azure Kubernetes Service RBAC Reader",
    "Network Contributor",  # each cluster's control plane on its node subnet and egress prefix
)


@dataclass(frozen=True)
class Identities:
    """The identities GitHub Actions signs in as, one per purpose (delivery: one per service repository)."""

    deploy: SignIn
    preview: SignIn
    delivery: dict[str, SignIn]
    # Per cluster: a wait that ends once the deploy identity's cluster-admin grant has taken effect.
    deploy_cluster_admin: dict[ClusterRole, pulumi.Resource]


@dataclass(frozen=True)
class Cloud:
    """What the cloud layer hands down to the platform, delivery and github layers."""

    tenant_id: pulumi.Output[str]
    subscription_id: pulumi.Output[str]
    resource_group_name: pulumi.Output[str]
    acr: ContainerRegistry | None
    ghcr: Ghcr | None
    identities: Identities
    clusters: dict[ClusterRole, AksCluster]
    argocd_identity: FederatedIdentity | None
    network: StackNetwork | None
    monitoring: Monitoring | None


def identity_kind(identity: IdentitySettings) -> IdentityKind:
    if identity.mode is IdentityMode.MANAGED_IDENTITY:
        return IdentityKind.MANAGED_IDENTITY
    if identity.credential is IdentityCredential.FEDERATED:
        return IdentityKind.APPLICATION_FEDERATED
    return IdentityKind.APPLICATION_CLIENT_SECRET


def assignable_roles_condition(roles: tuple[str, ...]) -> str:
    """An ABAC condition letting a Role Based Access Control Administrator assign and remove only
    `roles`, and only to service principals (managed identities included).

    The form is Azure's documented "Constrain roles and principal types" example, from
    MicrosoftDocs/azure-docs `articles/role-based-access-control/delegate-role-assignments-examples.md`
    @ 0b8729eaf7eb0aabc6390cb17348d19761285f12 (PowerShell tab, one line); `ServicePrincipal` is one of
    the principal type values listed in `conditions-authorization-actions-attributes.md` (same repository).
    """
    guids = ", ".join(role_id(role) for role in roles)
    assignments = "Microsoft.Authorization/roleAssignments"

    def constrained(action: str, source: str) -> str:
        return (
            f"((!(ActionMatches{{'{assignments}/{action}'}})) OR "
            f"(@{source}[{assignments}:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {{{guids}}} AND "
            f"@{source}[{assignments}:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {{'ServicePrincipal'}}))"
        )

    # Creating a role assignment is judged on the request, deleting one on the existing assignment.
    return f"{constrained('write', 'Request')} AND {constrained('delete', 'Resource')}"


def wire_ghcr(ghcr: GhcrSettings | None) -> Ghcr | None:
    if ghcr is None:
        return None
    token = secret_output(ghcr.pull_token) if ghcr.private and ghcr.pull_token is not None else None
    return Ghcr.wire(GhcrArgs(owner=ghcr.owner, pull_username=ghcr.pull_username, pull_token=token))


def _network(cloud: CloudPart, group: resources.ResourceGroup, opts: pulumi.ResourceOptions) -> StackNetwork | None:
    """The VNet and static egress the stack's network model needs, or None when it needs neither."""
    network = cloud.azure.network
    allow_listed = any(c.api_server is ApiServerAccess.ALLOW_LISTED for c in cloud.clusters.values()) or (
        cloud.acr is not None and cloud.acr.access is RegistryAccess.ALLOW_LISTED
    )
    self_hosted = network.runners is Runners.SELF_HOSTED
    if network.address_space is None and not allow_listed and not self_hosted:
        return None
    return StackNetwork(
        cloud.base,
        StackNetworkArgs(
            resource_group_name=group.name,
            location=cloud.azure.location,
            base=cloud.base,
            address_space=network.address_space,
            cluster_roles=[str(role) for role in cloud.clusters],
            static_egress=allow_listed,
            self_hosted_runners=self_hosted,
            egress_prefix_length=network.egress_prefix_length,
            tags=cloud.tags,
        ),
        opts,
    )


def _allowed(net: StackNetwork | None, extra: list[str]) -> pulumi.Output[list[str]]:
    """Every source an allow-list names: the stack's static egress ranges, then `extra`."""
    egress = list(net.egress_ranges.values()) if net is not None else []
    return pulumi.Output.all(*egress).apply(lambda ranges: [*ranges, *extra])


def _cluster_network(net: StackNetwork | None, role: ClusterRole, cluster: ClusterSettings) -> ClusterNetwork:
    if net is None:
        return ClusterNetwork()
    return ClusterNetwork(
        node_subnet_id=net.subnet_ids.get(node_subnet(str(role))),
        outbound_prefix_id=net.egress_prefix_ids.get(str(role)),
        authorized_ip_ranges=_allowed(net, list(cluster.authorized_ip_ranges))
        if cluster.api_server is ApiServerAccess.ALLOW_LISTED
        else None,
    )


def _pool(pool: PoolSettings) -> Pool:
    return Pool(vm_size=pool.vm_size, min_count=pool.min_count, max_count=pool.max_count)


def cluster_spec(cluster: ClusterSettings) -> ClusterSpec:
    """What the cluster component builds, from the cluster's settings."""
    return ClusterSpec(
        kubernetes_version=cluster.kubernetes_version,
        tier=cluster.tier,
        admin_group_object_ids=tuple(cluster.admin_group_object_ids),
        api_server=cluster.api_server,
        upgrade_channel=cluster.upgrade_channel,
        node_os_upgrade_channel=cluster.node_os_upgrade_channel,
        network_policy=cluster.network_policy,
        os_sku=cluster.pools_os_sku(),
        system_pool=_pool(cluster.system_pool),
        user_pool=_pool(cluster.user_pool),
        availability_zones=tuple(cluster.availability_zones),
        gpu_pools=tuple(
            GpuPool(
                name=pool.name,
                vm_size=pool.vm_size,
                zones=tuple(pool.zones),
                min_count=pool.min_count,
                max_count=pool.max_count,
                spot=pool.spot,
                spot_max_price=pool.spot_max_price,
                driver=pool.driver,
            )
            for pool in cluster.gpu_pools
        ),
    )


def _window(window: MaintenanceWindowSettings) -> MaintenanceWindow:
    return MaintenanceWindow(
        day_of_week=window.day_of_week,
        start_time=window.start_time,
        duration_hours=window.duration_hours,
        utc_offset=window.utc_offset,
        interval_weeks=window.interval_weeks,
    )


def maintenance(settings: MaintenanceSettings) -> Maintenance:
    return Maintenance(auto_upgrade=_window(settings.auto_upgrade), node_os=_window(settings.node_os))


def _registry(
    cloud: CloudPart, group: resources.ResourceGroup, net: StackNetwork | None, opts: pulumi.ResourceOptions
) -> ContainerRegistry | None:
    if cloud.acr is None:
        return None
    acr = cloud.acr
    private = None
    if acr.access is RegistryAccess.PRIVATE_ENDPOINT and net is not None and net.vnet_id is not None:
        # One VNet holds every caller (both clusters' nodes and the runners): link the zone to it.
        private = PrivateAccess(subnet_id=net.subnet_ids[ENDPOINTS_SUBNET], vnet_ids={"vnet": net.vnet_id})
    return ContainerRegistry(
        cloud.base,
        ContainerRegistryArgs(
            resource_group_name=group.name,
            registry_name=cloud.acr_name,
            location=cloud.azure.location,
            sku=containerregistry.SkuName(acr.sku.value),
            allowed_ranges=_allowed(net, list(acr.allowed_ranges))
            if acr.access is RegistryAccess.ALLOW_LISTED
            else None,
            private=private,
            zone_redundant=acr.zone_redundant,
            geo_replicas=acr.geo_replicas,
            untagged_retention_days=acr.untagged_retention_days,
            export_enabled=acr.export_enabled,
            data_endpoint=acr.data_endpoint,
            tags=cloud.tags,
        ),
        opts,
    )


def _monitoring(cloud: CloudPart, group: resources.ResourceGroup, opts: pulumi.ResourceOptions) -> Monitoring | None:
    settings = cloud.azure.monitoring
    if not settings.enabled:
        return None
    return Monitoring(
        cloud.base,
        MonitoringArgs(
            resource_group_name=group.name,
            workspace_name=f"log-{cloud.base}",
            location=cloud.azure.location,
            retention_days=settings.retention_days,
            tags=cloud.tags,
        ),
        opts,
    )


def _send_logs(
    monitoring: Monitoring | None, acr: ContainerRegistry | None, clusters: dict[ClusterRole, AksCluster]
) -> None:
    if monitoring is None:
        return
    for role, cluster in clusters.items():
        monitoring.send_logs(f"{role}-cluster", cluster.id, CLUSTER_LOG_CATEGORIES)
    if acr is not None:
        monitoring.send_logs("registry", acr.id, REGISTRY_LOG_CATEGORIES)


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
        description="ArgoCD on the hub applies the GPU cluster's add-ons and services",
    )
    return identity


def github_identities(
    cloud: CloudPart,
    group: resources.ResourceGroup,
    acr: ContainerRegistry | None,
    clusters: dict[ClusterRole, AksCluster],
    subscription_id: pulumi.Output[str],
    opts: pulumi.ResourceOptions,
) -> Identities:
    """Deploy, preview and delivery identities, each holding only what its job needs, scoped as
    narrowly as Azure allows: the resource group, a cluster, the registry; never the subscription."""
    settings = cloud.identity

    def identity(purpose: str, subjects: list[str]) -> SignIn:
        return github_identity(
            f"{cloud.base}-{purpose}",
            GithubIdentityArgs(
                kind=identity_kind(settings),
                display_name=f"id-{cloud.base}-{purpose}",
                resource_group_name=group.name,
                location=cloud.azure.location,
                subjects=subjects,
                secret_rotation_days=settings.secret_rotation_days,
                tags=cloud.tags,
            ),
            opts,
        )

    def grant(
        name: str, role: str, who: SignIn, scope: pulumi.Input[str], why: str, condition: str | None = None
    ) -> authorization.RoleAssignment:
        return assign_role(
            name,
            role=role,
            principal_id=who.principal_id,
            scope=scope,
            subscription_id=subscription_id,
            opts=opts,
            description=why,
            condition=condition,
        )

    base = cloud.base
    deploy = identity("deploy", cloud.deploy_subjects)
    preview = identity("preview", cloud.preview_subjects)
    # What `pulumi up` needs: write the stack's resources in its resource group, hand out only the
    # roles the program assigns, and apply the platform layer in every cluster (Azure RBAC for
    # Kubernetes: Contributor carries no data actions).
    for role in settings.deploy_roles:
        grant(f"{base}-deploy-{role_slug(role)}", role, deploy, group.id, "pulumi up writes the stack")
    condition = assignable_roles_condition(DEPLOY_ASSIGNABLE_ROLES)
    why = "pulumi up assigns only the roles the program assigns (ABAC condition)"
    grant(f"{base}-deploy-rbac-admin", "Role Based Access Control Administrator", deploy, group.id, why, condition)
    # What a preview or a drift refresh needs: read the resource group, the clusters' user kubeconfig
    # (kubelogin, no credential in it) and the clusters' objects.
    grant(f"{base}-preview-reader", "Reader", preview, group.id, "previews and drift refreshes read the stack")
    cluster_admin: dict[ClusterRole, pulumi.Resource] = {}
    for role, cluster in clusters.items():
        admin, user, reader = (
            f"Azure Kubernetes Service {r}" for r in ("RBAC Cluster Admin", "Cluster User Role", "RBAC Reader")
        )
        name = f"{base}-deploy-{role}-cluster-admin"
        why = "pulumi up applies the platform layer"
        cluster_admin[role] = propagated(name, grant(name, admin, deploy, cluster.id, why))
        grant(
            f"{base}-preview-{role}-cluster-user", user, preview, cluster.id, "previews fetch the kubelogin kubeconfig"
        )
        grant(f"{base}-preview-{role}-rbac-reader", reader, preview, cluster.id, "previews read the cluster's objects")
    delivery: dict[str, SignIn] = {}
    if acr is not None:
        # One delivery identity per service repository: a repository's pull requests or
        # environments never obtain another's identity, and each stays far below Azure's cap.
        for repository, subjects in cloud.delivery_subjects.items():
            purpose = identity_purpose(repository)
            delivery[repository] = identity(purpose, subjects)
            grant(f"{base}-{purpose}-acr-push", "AcrPush", delivery[repository], acr.id, f"{repository} pushes images")
    return Identities(deploy=deploy, preview=preview, delivery=delivery, deploy_cluster_admin=cluster_admin)


def export_identities(identities: Identities) -> None:
    pulumi.export("deployClientId", identities.deploy.client_id)
    pulumi.export("previewClientId", identities.preview.client_id)
    pulumi.export("deliveryClientIds", {repo: who.client_id for repo, who in identities.delivery.items()})
    for purpose, who in (("deploy", identities.deploy), ("preview", identities.preview)):
        if who.client_secret is not None:
            pulumi.export(f"{purpose}ClientSecret", who.client_secret)


def build(stack: Stack, cloud: CloudPart) -> Cloud:
    """Declare the cloud layer. On a protected stack, what holds state or identity is protected
    (`wiring.protection`), each resource by its type."""
    stateful = protection(cloud.azure.protect)
    client = authorization.get_client_config_output()
    location = cloud.azure.location
    group = resources.ResourceGroup(
        cloud.base,
        resources.ResourceGroupArgs(resource_group_name=f"rg-{cloud.base}", location=location, tags=cloud.tags),
        stateful,
    )
    net = _network(cloud, group, stateful)
    monitoring = _monitoring(cloud, group, stateful)
    acr = _registry(cloud, group, net, stateful)
    clusters = {
        role: AksCluster(
            f"{cloud.base}-{role}",
            AksClusterArgs(
                cluster=cluster_spec(settings),
                cluster_name=f"aks-{cloud.base}-{role}",
                resource_group_name=group.name,
                location=location,
                tenant_id=client.tenant_id,
                subscription_id=client.subscription_id,
                acr_id=acr.id if acr is not None else None,
                network=_cluster_network(net, role, settings),
                maintenance=maintenance(cloud.maintenance[role]),
                defender_workspace_id=monitoring.workspace_id
                if monitoring is not None and cloud.azure.monitoring.defender
                else None,
                tags=cloud.tags,
            ),
            stateful,
        )
        for role, settings in cloud.clusters.items()
    }
    _send_logs(monitoring, acr, clusters)
    return Cloud(
        tenant_id=client.tenant_id,
        subscription_id=client.subscription_id,
        resource_group_name=group.name,
        acr=acr,
        ghcr=wire_ghcr(stack.ghcr),
        identities=github_identities(cloud, group, acr, clusters, client.subscription_id, stateful),
        clusters=clusters,
        argocd_identity=_argocd_identity(cloud, group, clusters, client.subscription_id, stateful),
        network=net,
        monitoring=monitoring,
    )


def export(cloud: Cloud) -> None:
    pulumi.export("tenantId", cloud.tenant_id)
    pulumi.export("subscriptionId", cloud.subscription_id)
    pulumi.export("resourceGroupName", cloud.resource_group_name)
    if cloud.acr is not None:
        pulumi.export("acrLoginServer", cloud.acr.login_server)
    if cloud.ghcr is not None:
        pulumi.export("ghcrImagePrefix", cloud.ghcr.image_prefix)
    export_identities(cloud.identities)
    if cloud.argocd_identity is not None:
        pulumi.export("argocdClientId", cloud.argocd_identity.client_id)
    for role, cluster in cloud.clusters.items():
        pulumi.export(
            f"{role}Cluster",
            {"name": cluster.name, "id": cluster.id, "oidcIssuerUrl": cluster.oidc_issuer_url},
        )
        pulumi.export(f"{role}Kubeconfig", cluster.kubeconfig)
