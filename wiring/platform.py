"""The platform layer's wiring: ArgoCD on the hub, and the add-on ApplicationSets it installs everywhere."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.platform.addons import AddonArgs
from components.platform.argo_rollouts import ArgoRollouts, ArgoRolloutsArgs
from components.platform.argocd import ArgoCd, ArgoCdArgs, ArgoRbac, ArgoSlack, ArgoSso
from components.platform.canary_analysis import CanaryAnalysis, CanaryAnalysisArgs
from components.platform.gatekeeper import Gatekeeper, GatekeeperArgs
from components.platform.gpu_operator import GpuOperator, GpuOperatorArgs
from components.platform.sealed_secrets import SealedSecrets, SealedSecretsArgs
from contracts.aks import GpuDriver
from contracts.gitops import Addon, ClusterRole
from settings import PlatformSettings, secret_output
from wiring.cloud import Cloud
from wiring.protection import protection
from wiring.stack import Stack

PLATFORM_LABELS = {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "slipway"}


@dataclass(frozen=True)
class Platform:
    """What the platform layer hands down to the delivery and github layers."""

    providers: dict[ClusterRole, k8s.Provider]
    argocd: ArgoCd
    sealing_certificates: dict[ClusterRole, pulumi.Output[str]]


def cluster_providers(stack: Stack, platform: PlatformSettings, cloud: Cloud | None) -> dict[ClusterRole, k8s.Provider]:
    """One Kubernetes provider per cluster: kubelogin kubeconfigs from the cloud layer, or the local context.

    A cluster's provider waits for the deploy identity's cluster-admin grant to take effect: `pulumi up`
    from CI calls the cluster as that identity, and a first run would otherwise be refused (403).
    """
    if cloud is None or stack.cloud is None:
        local = k8s.Provider(f"{stack.name}-hub", context=platform.kube_context, enable_server_side_apply=True)
        return {ClusterRole.HUB: local}
    return {
        role: k8s.Provider(
            f"{stack.cloud.base}-{role}",
            kubeconfig=cluster.kubeconfig,
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(depends_on=[cloud.identities.deploy_cluster_admin[role]]),
        )
        for role, cluster in cloud.clusters.items()
    }


def argocd_args(platform: PlatformSettings, cloud: Cloud | None) -> ArgoCdArgs:
    argo = platform.argocd
    sso = None
    if argo.sso is not None:
        secret = secret_output(argo.sso.client_secret) if argo.sso.client_secret is not None else None
        sso = ArgoSso(issuer=argo.sso.issuer, client_id=argo.sso.client_id, entra=argo.sso.entra, client_secret=secret)
    slack = None
    if argo.notifications.slack_token is not None:
        slack = ArgoSlack(token=secret_output(argo.notifications.slack_token), channel=argo.notifications.slack_channel)
    identity = cloud.argocd_identity if cloud is not None else None
    return ArgoCdArgs(
        high_availability=platform.high_availability,
        rbac=ArgoRbac(admins=argo.rbac.admins, operators=argo.rbac.operators, developers=argo.rbac.developers),
        platform_repo_url=platform.git_repo.url if platform.git_repo is not None else None,
        url=argo.url,
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


def build(stack: Stack, platform: PlatformSettings, cloud: Cloud | None) -> Platform:
    """Declare ArgoCD and every add-on a cluster target asks for."""
    providers = cluster_providers(stack, platform, cloud)
    hub = pulumi.ResourceOptions(providers=[providers[ClusterRole.HUB]])
    argocd = ArgoCd("argocd", argocd_args(platform, cloud), hub)
    addon = AddonArgs(depends_on=[argocd.release], labels=PLATFORM_LABELS)
    wanted = {addon for target in stack.targets for addon in target.addons}
    ha, monitors, repo = platform.high_availability, platform.metrics.service_monitors, platform.git_repo
    if Addon.ARGO_ROLLOUTS in wanted:
        ArgoRollouts("argo-rollouts", ArgoRolloutsArgs(addon, ha, monitors), hub)
    if Addon.GATEKEEPER in wanted and repo is not None:
        gatekeeper = platform.gatekeeper
        Gatekeeper(
            "gatekeeper",
            GatekeeperArgs(
                addon=addon,
                high_availability=ha,
                enforcement_action=gatekeeper.enforcement_action.value,
                excluded_namespaces=gatekeeper.excluded_namespaces,
                allowed_repos=allowed_image_prefixes(cloud),
            ),
            hub,
        )
    certificates: dict[ClusterRole, pulumi.Output[str]] = {}
    if Addon.SEALED_SECRETS in wanted:
        # Sealing keys are identity: protected with the rest in production.
        sealed = SealedSecrets(
            "sealed-secrets",
            SealedSecretsArgs(addon=addon, clusters=providers, service_monitors=monitors),
            pulumi.ResourceOptions.merge(
                pulumi.ResourceOptions(providers=[providers[ClusterRole.HUB]]), protection(stack.protect)
            ),
        )
        certificates = sealed.certificates
    if Addon.GPU_OPERATOR in wanted and stack.cloud is not None:
        gpu_pools = stack.cloud.clusters[ClusterRole.GPU].gpu_pools
        install_driver = all(pool.driver is GpuDriver.NONE for pool in gpu_pools)
        GpuOperator("gpu-operator", GpuOperatorArgs(addon, install_driver, monitors), hub)
    prometheus = platform.metrics.prometheus_url
    if Addon.CANARY_ANALYSIS in wanted and prometheus is not None and repo is not None:
        CanaryAnalysis("canary-analysis", CanaryAnalysisArgs(addon, prometheus, platform.analysis.thresholds()), hub)
    return Platform(providers=providers, argocd=argocd, sealing_certificates=certificates)


def export(platform: Platform) -> None:
    for role, certificate in platform.sealing_certificates.items():
        pulumi.export(f"{role}SealingCertificate", certificate)
