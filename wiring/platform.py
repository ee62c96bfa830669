"""The platform layer's wiring: ArgoCD on the hub, and the add-on ApplicationSets it installs everywhere."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.cloud.ghcr import image_prefix
from components.platform.addons import AddonArgs
from components.platform.argo_rollouts import ArgoRollouts, ArgoRolloutsArgs
from components.platform.argocd import ArgoCd, ArgoCdArgs, ArgoGithubApp, ArgoRbac, ArgoSlack, ArgoSso
from components.platform.canary_analysis import CanaryAnalysis, CanaryAnalysisArgs
from components.platform.gatekeeper import Gatekeeper, GatekeeperArgs
from components.platform.gpu_operator import GpuOperator, GpuOperatorArgs
from components.platform.otel_collector import TracesCollector, TracesCollectorArgs
from components.platform.prometheus_stack import IN_CLUSTER_PROMETHEUS_URL, MetricsStack, MetricsStackArgs
from components.platform.sealed_secrets import SealedSecrets, SealedSecretsArgs
from contracts.aks import GpuDriver
from contracts.gitops import ClusterRole
from settings import PlatformSettings, TraceBackend, secret_output
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
    # Each cluster's Pulumi-owned sealing key Secret, which its ArgoCD registration waits for.
    sealing_keys: dict[ClusterRole, pulumi.Resource]


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


def slack(platform: PlatformSettings) -> ArgoSlack | None:
    """The Slack bot and channel ArgoCD's notifications and Alertmanager's alerts both use, if a token is set."""
    notifications = platform.argocd.notifications
    if notifications.slack_token is None:
        return None
    return ArgoSlack(token=secret_output(notifications.slack_token), channel=notifications.slack_channel)


def argocd_args(stack: Stack, platform: PlatformSettings, cloud: Cloud | None) -> ArgoCdArgs:
    argo = platform.argocd
    credentials = argo.repository_credentials
    app = None
    if credentials is not None:
        key = secret_output(credentials.github_app_private_key)
        app = ArgoGithubApp(credentials.github_app_id, credentials.github_app_installation_id, key)
    repositories = [r.url for r in (platform.git_repo, stack.delivery.git_repo if stack.delivery else None) if r]
    sso = None
    if argo.sso is not None:
        secret = secret_output(argo.sso.client_secret) if argo.sso.client_secret is not None else None
        federated = argo.sso.application_object_id is not None
        sso = ArgoSso(argo.sso.issuer, argo.sso.client_id, argo.sso.entra, secret, workload_identity=federated)
    identity = cloud.argocd_identity if cloud is not None else None
    return ArgoCdArgs(
        high_availability=platform.high_availability,
        rbac=ArgoRbac(admins=argo.rbac.admins, operators=argo.rbac.operators, developers=argo.rbac.developers),
        platform_repo_url=platform.git_repo.url if platform.git_repo is not None else None,
        url=argo.url,
        service_monitors=platform.metrics.scrape,
        sso=sso,
        slack=slack(platform),
        workload_identity_client_id=identity.client_id if identity is not None else None,
        labels=PLATFORM_LABELS,
        repositories=repositories,
        github_app=app,
    )


def allowed_image_prefixes(stack: Stack, cloud: Cloud | None) -> list[pulumi.Input[str]]:
    """Where images may come from: our ACR and GHCR prefix, each ending in `/`.

    Without the cloud layer (the local stack) the GHCR prefix comes from the registries settings.
    """
    prefixes: list[pulumi.Input[str]] = []
    if cloud is not None and cloud.acr is not None:
        prefixes.append(pulumi.Output.concat(cloud.acr.login_server, "/"))
    if cloud is not None and cloud.ghcr is not None:
        prefixes.append(f"{cloud.ghcr.image_prefix}/")
    elif cloud is None and stack.ghcr is not None:
        prefixes.append(f"{image_prefix(stack.ghcr.owner)}/")
    return prefixes


def metrics_args(
    platform: PlatformSettings, providers: dict[ClusterRole, k8s.Provider], addon: AddonArgs
) -> MetricsStackArgs:
    """The metrics stack on every cluster; alerts go to ArgoCD notifications' Slack channel when a token is set."""
    return MetricsStackArgs(
        addon=addon,
        clusters=providers,
        high_availability=platform.high_availability,
        alerts=slack(platform),
        with_objects=platform.git_repo is not None,
    )


def traces(
    stack: Stack,
    platform: PlatformSettings,
    cloud: Cloud | None,
    providers: dict[ClusterRole, k8s.Provider],
    addon: AddonArgs,
    hub: pulumi.ResourceOptions,
) -> None:
    """The OpenTelemetry collector on every cluster, exporting to the backend the settings resolve to."""
    monitoring = cloud.monitoring if cloud is not None else None
    backend = platform.traces.resolved(monitoring is not None)
    if backend is TraceBackend.NONE:
        return
    connection = None
    if backend is TraceBackend.APPLICATION_INSIGHTS and monitoring is not None and stack.cloud is not None:
        connection = monitoring.trace_store("traces", f"appi-{stack.cloud.base}")
    args = TracesCollectorArgs(addon, providers, platform.high_availability, connection, platform.traces.otlp_endpoint)
    TracesCollector("traces", args, hub)


def build(stack: Stack, platform: PlatformSettings, cloud: Cloud | None) -> Platform:
    """Declare ArgoCD and the ApplicationSet of every add-on the stack can run.

    An add-on switched off keeps its ApplicationSet: no cluster Secret asks for it any more, so
    ArgoCD deletes its Applications and, through their resources finalizer, what they installed
    (the preview lists such ApplicationSets as generating nothing). Deleting the ApplicationSet
    instead would leave the add-on running, unmanaged. Sealing keys stay: they are identity.
    """
    providers = cluster_providers(stack, platform, cloud)
    hub = pulumi.ResourceOptions(providers=[providers[ClusterRole.HUB]])
    argocd = ArgoCd("argocd", argocd_args(stack, platform, cloud), hub)
    sso = platform.argocd.sso
    if sso is not None and sso.application_object_id is not None and cloud is not None:
        # Imported here: only a stack with this credential needs the Entra ID SDK loaded.
        from components.platform.argocd_sso import ArgoSsoFederation, ArgoSsoFederationArgs

        issuer = cloud.clusters[ClusterRole.HUB].oidc_issuer_url
        ArgoSsoFederation("argocd-sso", ArgoSsoFederationArgs(sso.application_object_id, issuer))
    addon = AddonArgs(depends_on=[argocd.release], labels=PLATFORM_LABELS)
    ha, monitors, repo = platform.high_availability, platform.metrics.scrape, platform.git_repo
    ArgoRollouts("argo-rollouts", ArgoRolloutsArgs(addon, ha, monitors), hub)
    if repo is not None:
        gatekeeper = platform.gatekeeper
        Gatekeeper(
            "gatekeeper",
            GatekeeperArgs(
                addon=addon,
                high_availability=ha,
                enforcement_action=gatekeeper.enforcement_action.value,
                excluded_namespaces=gatekeeper.excluded_namespaces,
                allowed_repos=allowed_image_prefixes(stack, cloud),
            ),
            hub,
        )
    # Sealing keys are identity: protected in production (wiring.protection, by type).
    sealed = SealedSecrets(
        "sealed-secrets",
        SealedSecretsArgs(addon=addon, clusters=providers, service_monitors=monitors),
        pulumi.ResourceOptions.merge(
            pulumi.ResourceOptions(providers=[providers[ClusterRole.HUB]]), protection(stack.protect)
        ),
    )
    if stack.cloud is not None and ClusterRole.GPU in stack.cloud.clusters:
        gpu_pools = stack.cloud.clusters[ClusterRole.GPU].gpu_pools
        install_driver = all(pool.driver is GpuDriver.NONE for pool in gpu_pools)
        GpuOperator("gpu-operator", GpuOperatorArgs(addon, install_driver, monitors), hub)
    MetricsStack("metrics", metrics_args(platform, providers, addon), hub)
    traces(stack, platform, cloud, providers, addon, hub)
    prometheus = platform.metrics.prometheus_url or (IN_CLUSTER_PROMETHEUS_URL if platform.metrics.in_cluster else None)
    if prometheus is not None and repo is not None:
        CanaryAnalysis("canary-analysis", CanaryAnalysisArgs(addon, prometheus, platform.analysis.thresholds()), hub)
    return Platform(
        providers=providers, argocd=argocd, sealing_certificates=sealed.certificates, sealing_keys=dict(sealed.keys)
    )


def export(platform: Platform) -> None:
    for role, certificate in platform.sealing_certificates.items():
        pulumi.export(f"{role}SealingCertificate", certificate)
