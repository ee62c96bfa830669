"""The stack's settings, read once and resolved into the shape of each layer.

`read_stack` is the program's only reader of Pulumi config. It validates every `slipway:*`
key (`settings.load_settings`) and resolves the result into a `Stack` whose parts are
either absent or complete: a `CloudPart` exists only when the cloud layer is on and has
its identity and clusters; the cluster targets are one list in Azure and local mode
alike; the delivery part always has its GitOps repository, the GitHub part its owner.
The wiring modules read these parts and never re-check what loading already proved.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi.runtime import config as runtime_config

from contracts.gitops import Addon, ClusterRole, ClusterTarget
from settings import (
    PRODUCTION_STACK,
    AcrSettings,
    AzureSettings,
    ClusterSettings,
    DeliverySettings,
    GhcrSettings,
    GithubSettings,
    GitRepoSettings,
    IdentitySettings,
    MaintenanceSettings,
    PlatformSettings,
    Settings,
    TraceBackend,
    acr_registry_name,
    delivery_subjects,
    deploy_subjects,
    load_settings,
    preview_subjects,
    sections_from_config,
    stored_secrets,
    unlisted_warnings,
)


@dataclass(frozen=True)
class CloudPart:
    """The cloud layer, complete: where it goes, its registries, identities and clusters."""

    base: str
    azure: AzureSettings
    tags: dict[str, str]
    acr: AcrSettings | None
    acr_name: str
    identity: IdentitySettings
    deploy_subjects: list[str]
    preview_subjects: list[str]
    # service repository -> the subjects of its delivery identity (delivery layer on only)
    delivery_subjects: dict[str, list[str]]
    clusters: dict[ClusterRole, ClusterSettings]
    # Per cluster: its maintenance windows, staggered (settings refuse overlapping ones).
    maintenance: dict[ClusterRole, MaintenanceSettings]


@dataclass(frozen=True)
class DeliveryPart:
    settings: DeliverySettings
    git_repo: GitRepoSettings


@dataclass(frozen=True)
class GithubPart:
    settings: GithubSettings
    owner: str


@dataclass(frozen=True)
class Stack:
    """One stack's settings, resolved: what each layer's wiring reads."""

    name: str
    production: bool
    protect: bool
    ghcr: GhcrSettings | None
    cloud: CloudPart | None
    platform: PlatformSettings | None
    targets: list[ClusterTarget]
    delivery: DeliveryPart | None
    github: GithubPart | None


def installed_addons(settings: Settings, role: ClusterRole, *, on_azure: bool) -> list[Addon]:
    """The add-ons a cluster asks ArgoCD for, through its Secret's `enable_<addon>` labels."""
    platform = settings.platform
    addons = platform.addons
    wanted = {
        Addon.ARGO_ROLLOUTS: addons.argo_rollouts,
        Addon.CANARY_ANALYSIS: addons.argo_rollouts
        and (platform.metrics.in_cluster or platform.metrics.prometheus_url is not None)
        and platform.git_repo is not None,
        Addon.GATEKEEPER: addons.gatekeeper,
        Addon.SEALED_SECRETS: addons.sealed_secrets,
        Addon.GPU_OPERATOR: addons.gpu_operator and on_azure and role is ClusterRole.GPU,
        Addon.METRICS: platform.metrics.in_cluster,
        Addon.TRACES: platform.traces.resolved(on_azure and settings.azure.monitoring.enabled) is not TraceBackend.NONE,
    }
    return [addon for addon, on in wanted.items() if on]


def _cloud_part(settings: Settings, stack: str) -> CloudPart | None:
    if not settings.azure.enabled or settings.identity is None or settings.clusters is None:
        return None  # load_settings has proved identity and clusters present when azure is on
    base = f"{settings.azure.name_prefix}-{stack}"
    acr = settings.registries.acr
    return CloudPart(
        base=base,
        azure=settings.azure,
        tags={"app": "slipway", "stack": stack, **settings.azure.tags},
        acr=acr if acr.enabled else None,
        acr_name=acr_registry_name(settings, stack),
        identity=settings.identity,
        deploy_subjects=deploy_subjects(settings.identity, stack),
        preview_subjects=preview_subjects(settings.identity, stack),
        delivery_subjects=delivery_subjects(settings),
        clusters={ClusterRole(role): cluster for role, cluster in settings.clusters.enabled().items()},
        maintenance={ClusterRole(role): settings.clusters.windows(role) for role in settings.clusters.enabled()},
    )


def _targets(settings: Settings, cloud: CloudPart | None) -> list[ClusterTarget]:
    """Every cluster ArgoCD serves: the clusters of the cloud layer, or the one local context."""
    if cloud is None:
        hub = ClusterRole.HUB
        return [ClusterTarget(hub, settings.delivery.environments, installed_addons(settings, hub, on_azure=False))]
    return [
        ClusterTarget(role, cluster.environments, installed_addons(settings, role, on_azure=True))
        for role, cluster in cloud.clusters.items()
    ]


def resolve(settings: Settings, stack: str) -> Stack:
    """The validated settings of `stack`, in each layer's shape."""
    cloud = _cloud_part(settings, stack)
    ghcr = settings.registries.ghcr
    git_repo, owner = settings.delivery.git_repo, settings.github.owner
    platform = settings.platform if settings.platform.enabled else None
    return Stack(
        name=stack,
        production=bool(PRODUCTION_STACK.match(stack)),
        protect=settings.azure.protect,
        ghcr=ghcr if ghcr is not None and ghcr.enabled else None,
        cloud=cloud,
        platform=platform,
        targets=_targets(settings, cloud),
        delivery=DeliveryPart(settings.delivery, git_repo)
        if platform is not None and settings.delivery.enabled and git_repo is not None
        else None,
        github=GithubPart(settings.github, owner)
        if cloud is not None and settings.github.enabled and owner is not None
        else None,
    )


def read_stack(stack: str) -> Stack:
    """Every `slipway:*` key of the stack config, validated (unknown sections included) and resolved."""
    keys = set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())
    raw = sections_from_config({key: runtime_config.get_config(key) for key in keys})
    settings = load_settings(raw, stack)
    for warning in unlisted_warnings(settings):
        pulumi.log.warn(warning)
    for path in stored_secrets(raw):
        if not runtime_config.is_config_secret(path.split(".", 1)[0]):
            pulumi.log.warn(
                f"{path} is stored in plain text in Pulumi.{stack}.yaml; it is used as a secret all the same, "
                f"but store it encrypted: pulumi config set --secret --path '{path}' <value>"
            )
    return resolve(settings, stack)
