"""Slipway's composition root: reads the stack's settings once and builds the layers.

The only module that reads Pulumi config or knows which stack it is in. Layers are
built in order (cloud, platform, delivery, github); each takes what it needs from the
layer above as typed Args, and the stack outputs are exported at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_github as github
import pulumi_kubernetes as k8s
from pulumi.runtime import config as runtime_config
from pulumi_azure_native import authorization, containerregistry, containerservice, resources

from components.cloud.cluster import AksCluster, AksClusterArgs, GpuPoolArgs, PoolArgs
from components.cloud.federated_identity import FederatedIdentity, FederatedIdentityArgs
from components.cloud.ghcr import Ghcr, GhcrArgs
from components.cloud.identity import CiIdentity, CiIdentityArgs, CiIdentityKind
from components.cloud.registry import ContainerRegistry, ContainerRegistryArgs
from components.cloud.roles import BuiltInRole, assign_role
from components.delivery.analysis import CanaryAnalysis, CanaryAnalysisArgs
from components.delivery.applicationsets import DeliveredService, ServiceDelivery, ServiceDeliveryArgs
from components.delivery.clusters import (
    ClusterEntry,
    ClusterRegistration,
    ClusterRegistrationArgs,
    WorkloadIdentityAuth,
)
from components.delivery.projects import ServiceProjects, ServiceProjectsArgs, SyncWindow
from components.github.actions import ActionsEnvironments, ActionsEnvironmentsArgs, EnvironmentSpec
from components.github.images import GoldenImages, GoldenImagesArgs
from components.platform.addons import AddonArgs, ArgoRollouts, ArgoRolloutsArgs
from components.platform.argocd import NAMESPACE as ARGOCD_NAMESPACE
from components.platform.argocd import ArgoCd, ArgoCdArgs, ArgoRbac, ArgoSlack, ArgoSso
from components.platform.gatekeeper import Gatekeeper, GatekeeperArgs
from components.platform.gpu import GpuOperator, GpuOperatorArgs
from components.platform.sealed_secrets import SealedSecrets, SealedSecretsArgs
from settings import (
    PRODUCTION_STACK,
    CiCredential,
    CiIdentitySettings,
    CiMode,
    ClusterSettings,
    GpuDriver,
    ProjectLayout,
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


# The ArgoCD service accounts (in the platform's ArgoCD namespace) that reach other clusters
# through workload identity.
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


PLATFORM_LABELS = {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "slipway"}


@dataclass(frozen=True)
class Platform:
    """What the platform layer hands down to the delivery and github layers."""

    providers: dict[str, k8s.Provider]
    argocd: ArgoCd
    sealing_certificates: dict[str, pulumi.Output[str]]


def cluster_providers(settings: Settings, cloud: Cloud | None, stack: str) -> dict[str, k8s.Provider]:
    """One Kubernetes provider per cluster: kubelogin kubeconfigs from the cloud layer, or the local context."""
    if cloud is None:
        local = k8s.Provider(f"{stack}-hub", context=settings.platform.kube_context, enable_server_side_apply=True)
        return {"hub": local}
    return {
        role: k8s.Provider(
            f"{settings.azure.name_prefix}-{stack}-{role}", kubeconfig=cluster.kubeconfig, enable_server_side_apply=True
        )
        for role, cluster in cloud.clusters.items()
    }


def argocd_args(settings: Settings, cloud: Cloud | None) -> ArgoCdArgs:
    platform = settings.platform
    argo = platform.argocd
    sso = None
    if argo.sso is not None:
        secret = secret_output(argo.sso.client_secret) if argo.sso.client_secret is not None else None
        sso = ArgoSso(issuer=argo.sso.issuer, client_id=argo.sso.client_id, client_secret=secret)
    slack = None
    if argo.notifications.slack_token is not None:
        slack = ArgoSlack(token=secret_output(argo.notifications.slack_token), channel=argo.notifications.slack_channel)
    identity = cloud.argocd_identity if cloud is not None else None
    return ArgoCdArgs(
        high_availability=platform.high_availability,
        rbac=ArgoRbac(**argo.rbac.model_dump()),
        platform_repo_url=platform.git_repo.url if platform.git_repo is not None else None,
        service_monitors=platform.metrics.service_monitors,
        sso=sso,
        slack=slack,
        workload_identity_client_id=identity.client_id if identity is not None else None,
        labels=PLATFORM_LABELS,
    )


def allowed_image_prefixes(cloud: Cloud | None) -> list[pulumi.Input[str]]:
    """Where images may come from: our ACR and GHCR prefix, each ending in `/`."""
    prefixes: list[pulumi.Input[str]] = []
    if cloud is not None and cloud.acr is not None:
        prefixes.append(pulumi.Output.concat(cloud.acr.login_server, "/"))
    if cloud is not None and cloud.ghcr is not None:
        prefixes.append(f"{cloud.ghcr.image_prefix}/")
    return prefixes


def build_platform(settings: Settings, cloud: Cloud | None, stack: str) -> Platform:
    platform = settings.platform
    providers = cluster_providers(settings, cloud, stack)
    hub = pulumi.ResourceOptions(providers=[providers["hub"]])
    argocd = ArgoCd("argocd", argocd_args(settings, cloud), hub)
    addon = AddonArgs(provider=providers["hub"], depends_on=argocd.crds, labels=PLATFORM_LABELS)
    monitors = platform.metrics.service_monitors
    addons = platform.addons
    if addons.argo_rollouts:
        ArgoRollouts(
            "argo-rollouts",
            ArgoRolloutsArgs(addon=addon, high_availability=platform.high_availability, service_monitors=monitors),
            hub,
        )
    if addons.gatekeeper and platform.git_repo is not None:
        Gatekeeper(
            "gatekeeper",
            GatekeeperArgs(
                addon=addon,
                high_availability=platform.high_availability,
                enforcement_action=platform.gatekeeper.enforcement_action.value,
                excluded_namespaces=platform.gatekeeper.excluded_namespaces,
                allowed_repos=allowed_image_prefixes(cloud),
                platform_repo_url=platform.git_repo.url,
                platform_repo_revision=platform.git_repo.revision,
            ),
            hub,
        )
    certificates: dict[str, pulumi.Output[str]] = {}
    if addons.sealed_secrets:
        # Sealing keys are identity: protected with the rest in production.
        sealed = SealedSecrets(
            "sealed-secrets",
            SealedSecretsArgs(addon=addon, clusters=providers, service_monitors=monitors),
            pulumi.ResourceOptions(providers=[providers["hub"]], protect=settings.azure.protect),
        )
        certificates = sealed.certificates
    gpu_cluster = settings.clusters.gpu if settings.clusters is not None else None
    if addons.gpu_operator and cloud is not None and "gpu" in cloud.clusters and gpu_cluster is not None:
        install_driver = all(pool.driver is GpuDriver.NONE for pool in gpu_cluster.gpu_pools)
        GpuOperator(
            "gpu-operator",
            GpuOperatorArgs(addon=addon, install_driver=install_driver, service_monitors=monitors),
            hub,
        )
    return Platform(providers=providers, argocd=argocd, sealing_certificates=certificates)


def export_platform(platform: Platform) -> None:
    for role, certificate in platform.sealing_certificates.items():
        pulumi.export(f"{role}SealingCertificate", certificate)


def installed_addons(settings: Settings, role: str) -> list[str]:
    """The add-ons a cluster's Secret asks ArgoCD for."""
    addons = settings.platform.addons
    wanted = {
        "argo-rollouts": addons.argo_rollouts,
        "gatekeeper": addons.gatekeeper,
        "sealed-secrets": addons.sealed_secrets,
        "gpu-operator": addons.gpu_operator and role == "gpu",
    }
    return [addon for addon, on in wanted.items() if on]


def cluster_entries(settings: Settings, cloud: Cloud | None) -> list[ClusterEntry]:
    """Every cluster as ArgoCD should know it: the hub in-cluster, the GPU cluster by workload identity."""
    if cloud is None:
        return [ClusterEntry("hub", settings.delivery.environments, False, installed_addons(settings, "hub"))]
    assert settings.clusters is not None
    shared: dict[str, pulumi.Input[str]] = {
        "slipway.io/tenant-id": cloud.tenant_id,
        "slipway.io/subscription-id": cloud.subscription_id,
        "slipway.io/ci-client-id": cloud.ci.client_id,
    }
    if cloud.acr is not None:
        shared["slipway.io/acr-login-server"] = cloud.acr.login_server
    if cloud.ghcr is not None:
        shared["slipway.io/ghcr-prefix"] = cloud.ghcr.image_prefix
    if settings.platform.git_repo is not None:
        shared["slipway.io/addons-repo-url"] = settings.platform.git_repo.url
        shared["slipway.io/addons-repo-revision"] = settings.platform.git_repo.revision
        shared["slipway.io/addons-repo-path"] = "charts"
    entries = []
    for role, cluster in cloud.clusters.items():
        remote = None
        if role != "hub" and cloud.argocd_identity is not None:
            remote = WorkloadIdentityAuth(
                client_id=cloud.argocd_identity.client_id,
                tenant_id=cloud.tenant_id,
                server=cluster.api_server,
                ca_data=cluster.ca_data,
            )
        annotations = {
            **shared,
            "slipway.io/oidc-issuer": cluster.oidc_issuer_url,
            "slipway.io/kubelet-client-id": cluster.kubelet_client_id,
        }
        environments = settings.clusters.enabled()[role].environments
        entries.append(
            ClusterEntry(role, environments, role == "gpu", installed_addons(settings, role), annotations, remote)
        )
    return entries


def build_delivery(settings: Settings, cloud: Cloud | None, platform: Platform) -> None:
    delivery = settings.delivery
    assert delivery.git_repo is not None  # checked by load_settings
    hub = platform.providers["hub"]
    after_argocd: list[pulumi.Resource] = list(platform.argocd.crds)
    entries = cluster_entries(settings, cloud)
    ClusterRegistration("clusters", ClusterRegistrationArgs(hub, after_argocd, entries))
    per_team = delivery.projects is ProjectLayout.PER_TEAM
    services = [
        DeliveredService(
            name=service.name,
            project=f"team-{service.team}" if per_team else "services",
            team=service.team,
            gpu=service.gpu,
            autoscaling=service.autoscaling,
            environments=service.environments or delivery.environments,
        )
        for service in delivery.services
    ]
    window = delivery.production_sync_window
    ServiceProjects(
        "projects",
        ServiceProjectsArgs(
            provider=hub,
            depends_on=after_argocd,
            projects=sorted({service.project for service in services}) or ["services"],
            repo_url=delivery.git_repo.url,
            destinations={
                env: [entry.name for entry in entries if env in entry.environments] for env in delivery.environments
            },
            production_environments=delivery.production_environments,
            production_window=SyncWindow(window.schedule, window.duration, window.time_zone),
            ci_groups=settings.platform.argocd.rbac.ci_deployers,
        ),
    )
    ServiceDelivery(
        "services",
        ServiceDeliveryArgs(
            provider=hub,
            depends_on=after_argocd,
            environments=delivery.environments,
            production_environments=delivery.production_environments,
            services=services,
            repo_url=delivery.git_repo.url,
            revision=delivery.git_repo.revision,
            revision_history_limit=delivery.revision_history_limit,
        ),
    )
    prometheus = settings.platform.metrics.prometheus_url
    if prometheus is not None and settings.platform.addons.argo_rollouts and settings.platform.git_repo is not None:
        CanaryAnalysis(
            "canary-analysis",
            CanaryAnalysisArgs(
                provider=hub,
                depends_on=after_argocd,
                prometheus_url=prometheus,
                success_rate=delivery.analysis.success_rate,
                latency_p95_seconds=delivery.analysis.latency_p95_seconds,
                error_rate=delivery.analysis.error_rate,
                repo_url=settings.platform.git_repo.url,
                revision=settings.platform.git_repo.revision,
            ),
        )


GOLDEN_IMAGES = ("python", "cuda")


def ci_variables(settings: Settings, cloud: Cloud) -> dict[str, pulumi.Input[str]]:
    """What every workflow needs to sign in to Azure and push: the CI identity and registries."""
    variables: dict[str, pulumi.Input[str]] = {
        "AZURE_CLIENT_ID": cloud.ci.client_id,
        "AZURE_TENANT_ID": cloud.tenant_id,
        "AZURE_SUBSCRIPTION_ID": cloud.subscription_id,
    }
    if cloud.acr is not None:
        variables["ACR_LOGIN_SERVER"] = cloud.acr.login_server
    if cloud.ghcr is not None:
        variables["GHCR_IMAGE_PREFIX"] = cloud.ghcr.image_prefix
    if settings.github.gitops_repository is not None:
        variables["GITOPS_REPOSITORY"] = settings.github.gitops_repository
    return variables


def ci_secrets(settings: Settings, cloud: Cloud) -> dict[str, pulumi.Output[str]]:
    """Secrets exist only where a secret really exists: the client secret mode, a webhook."""
    secrets: dict[str, pulumi.Output[str]] = {}
    if cloud.ci.client_secret is not None:
        secrets["AZURE_CLIENT_SECRET"] = cloud.ci.client_secret
    if settings.github.notification_webhook is not None:
        secrets["NOTIFICATION_WEBHOOK"] = secret_output(settings.github.notification_webhook)
    return secrets


def build_github(settings: Settings, cloud: Cloud, platform: Platform | None, stack: str) -> GoldenImages | None:
    github_settings = settings.github
    assert github_settings.owner is not None  # checked by load_settings
    provider = github.Provider("github", owner=github_settings.owner)
    reviewers = github_settings.reviewers
    production = bool(PRODUCTION_STACK.match(stack))
    variables, secrets = ci_variables(settings, cloud), ci_secrets(settings, cloud)
    # Slipway's own repository: one environment per stack, named after it, for its workflows.
    ActionsEnvironments(
        f"{github_settings.platform_repository}-{stack}",
        ActionsEnvironmentsArgs(
            provider=provider,
            repository=github_settings.platform_repository,
            environments=[EnvironmentSpec(stack, production, {**variables, "PULUMI_STACK": stack}, secrets)],
            reviewer_teams=reviewers.teams,
            reviewer_users=reviewers.users,
        ),
    )
    certificates = platform.sealing_certificates if platform is not None else {}
    if github_settings.manage_service_repositories:
        delivery = settings.delivery
        for service in delivery.services:
            if service.repository is None:
                continue
            certificate = certificates.get("gpu" if service.gpu else "hub")
            service_variables = {**variables, "SERVICE_NAME": service.name}
            if certificate is not None:
                service_variables["SEALED_SECRETS_CERT"] = certificate
            ActionsEnvironments(
                service.repository,
                ActionsEnvironmentsArgs(
                    provider=provider,
                    repository=service.repository,
                    environments=[
                        EnvironmentSpec(env, env in delivery.production_environments, service_variables, secrets)
                        for env in service.environments or delivery.environments
                    ],
                    reviewer_teams=reviewers.teams,
                    reviewer_users=reviewers.users,
                    tag_pattern=github_settings.production_tag_pattern,
                ),
            )
    images = github_settings.images
    token = secret_output(images.ghcr_push_token) if images.ghcr_push_token is not None else None
    if not images.enabled or (cloud.acr is None and (token is None or cloud.ghcr is None)):
        return None  # off, or nowhere to push: GHCR needs a push token, ACR needs nothing stored
    return GoldenImages(
        "golden-images",
        GoldenImagesArgs(
            images=GOLDEN_IMAGES,
            acr_login_server=cloud.acr.login_server if cloud.acr is not None else None,
            ghcr_prefix=cloud.ghcr.image_prefix if cloud.ghcr is not None else None,
            ghcr_username=github_settings.owner,
            ghcr_token=token,
        ),
    )


def main() -> None:
    stack = pulumi.get_stack()
    settings = read_settings(stack)
    cloud = build_cloud(settings, stack) if settings.azure.enabled else None
    if cloud is not None:
        export_cloud(cloud)
    platform = None
    if settings.platform.enabled:
        platform = build_platform(settings, cloud, stack)
        export_platform(platform)
        if settings.delivery.enabled:
            build_delivery(settings, cloud, platform)
    if settings.github.enabled and cloud is not None:
        images = build_github(settings, cloud, platform, stack)
        if images is not None:
            pulumi.export("goldenImageDigests", images.digests)
            pulumi.export("goldenImages", images.references)


main()
