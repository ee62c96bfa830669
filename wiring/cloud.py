"""The cloud layer's wiring: resource group, registries, identities and clusters, from the stack's cloud part."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import authorization, containerregistry, resources

from components.cloud.cluster import AksCluster, AksClusterArgs
from components.cloud.federated_identity import FederatedIdentity, FederatedIdentityArgs
from components.cloud.ghcr import Ghcr, GhcrArgs
from components.cloud.identity import GithubIdentityArgs, IdentityKind, SignIn, github_identity
from components.cloud.registry import ContainerRegistry, ContainerRegistryArgs
from components.gitops import ARGOCD_NAMESPACE, ARGOCD_SERVICE_ACCOUNTS, ClusterRole
from settings import GhcrSettings, IdentityCredential, IdentityMode, IdentitySettings, secret_output
from wiring.roles_by_name import assign_role, role_id
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
)


@dataclass(frozen=True)
class Identities:
    """The identities GitHub Actions signs in as, one per purpose (delivery: one per service repository)."""

    deploy: SignIn
    preview: SignIn
    delivery: dict[str, SignIn]


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

    def grant(name: str, role: str, who: SignIn, scope: pulumi.Input[str], condition: str | None = None) -> None:
        assign_role(
            name,
            role=role,
            principal_id=who.principal_id,
            scope=scope,
            subscription_id=subscription_id,
            opts=opts,
            condition=condition,
        )

    base = cloud.base
    deploy = identity("deploy", cloud.deploy_subjects)
    preview = identity("preview", cloud.preview_subjects)
    # What `pulumi up` needs: write the stack's resources in its resource group, hand out only the
    # roles the program assigns, and apply the platform layer in every cluster (Azure RBAC for
    # Kubernetes: Contributor carries no data actions).
    for role in settings.deploy_roles:
        grant(f"{base}-deploy-{role.lower().replace(' ', '-')}", role, deploy, group.id)
    condition = assignable_roles_condition(DEPLOY_ASSIGNABLE_ROLES)
    grant(f"{base}-deploy-rbac-admin", "Role Based Access Control Administrator", deploy, group.id, condition)
    # What a preview or a drift refresh needs: read the resource group, the clusters' user kubeconfig
    # (kubelogin, no credential in it) and the clusters' objects.
    grant(f"{base}-preview-reader", "Reader", preview, group.id)
    for role, cluster in clusters.items():
        grant(f"{base}-deploy-{role}-cluster-admin", "Azure Kubernetes Service RBAC Cluster Admin", deploy, cluster.id)
        grant(f"{base}-preview-{role}-cluster-user", "Azure Kubernetes Service Cluster User Role", preview, cluster.id)
        grant(f"{base}-preview-{role}-rbac-reader", "Azure Kubernetes Service RBAC Reader", preview, cluster.id)
    delivery: dict[str, SignIn] = {}
    if acr is not None:
        # One delivery identity per service repository: a repository's pull requests or
        # environments never obtain another's identity, and each stays far below Azure's cap.
        for repository, subjects in cloud.delivery_subjects.items():
            purpose = f"delivery-{re.sub(r'[^A-Za-z0-9-]', '-', repository)}"
            delivery[repository] = identity(purpose, subjects)
            grant(f"{base}-{purpose}-acr-push", "AcrPush", delivery[repository], acr.id)
    return Identities(deploy=deploy, preview=preview, delivery=delivery)


def export_identities(identities: Identities) -> None:
    pulumi.export("deployClientId", identities.deploy.client_id)
    pulumi.export("previewClientId", identities.preview.client_id)
    pulumi.export("deliveryClientIds", {repo: who.client_id for repo, who in identities.delivery.items()})
    for purpose, who in (("deploy", identities.deploy), ("preview", identities.preview)):
        if who.client_secret is not None:
            pulumi.export(f"{purpose}ClientSecret", who.client_secret)


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
        identities=github_identities(cloud, group, acr, clusters, client.subscription_id, stateful),
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
    export_identities(cloud.identities)
    if cloud.argocd_identity is not None:
        pulumi.export("argocdClientId", cloud.argocd_identity.client_id)
    for role, cluster in cloud.clusters.items():
        pulumi.export(
            f"{role}Cluster",
            {"name": cluster.name, "id": cluster.id, "oidcIssuerUrl": cluster.oidc_issuer_url},
        )
        pulumi.export(f"{role}Kubeconfig", cluster.kubeconfig)
