"""Settings of the cloud layer: `slipway:azure`, `slipway:registries`, `slipway:identity`, `slipway:clusters`."""

from __future__ import annotations

import ipaddress
import json
from enum import StrEnum
from typing import Annotated, Self

from pydantic import AfterValidator, Field, SecretStr, model_validator

from contracts.aks import (
    VERSION_CHANNELS,
    ApiServerAccess,
    ClusterTier,
    GpuDriver,
    NetworkPolicy,
    NodeOsUpgradeChannel,
    OsSku,
    UpgradeChannel,
    WeekDay,
)
from settings.base import (
    AcrName,
    AgentPoolName,
    AvailabilityZone,
    AzureRegion,
    Cidr,
    Dns1123Label,
    GitBranch,
    GitHubOwner,
    GitHubRepo,
    KubernetesVersion,
    MaintenanceTime,
    Model,
    NamePrefix,
    TagName,
    TagValue,
    UtcOffset,
    Uuid,
    VmSize,
    unique,
)
from settings.reference import log_analytics_retention

_RETENTION = log_analytics_retention()

# --- slipway:azure -------------------------------------------------------------------


class Runners(StrEnum):
    """Where deploy CI (`pulumi up`, drift) and the golden-image build run."""

    # GitHub's machines: their egress is no range this stack declares, so no allow-list can name them.
    GITHUB_HOSTED = "githubHosted"
    # The stack's own runners, in the VNet's runners subnet, leaving through a NAT gateway with a public IP prefix.
    SELF_HOSTED = "selfHosted"


class ExpectedUnreachable(Model):
    """A row of `python -m offline reach` that is known to be unreachable, and why that is acceptable."""

    caller: str = Field(min_length=1)
    target: str = Field(min_length=1)
    reason: str = Field(min_length=10)


class NetworkSettings(Model):
    """The stack's network: one VNet (when anything needs one) and where CI runs.

    `addressSpace` is the VNet's range; it is split into eight equal subnets (one per cluster's
    nodes, one for private endpoints, one for self-hosted runners). Clusters join it when it is set.
    """

    address_space: Cidr | None = None
    runners: Runners = Runners.GITHUB_HOSTED
    # Public IP prefix size of each static egress (clusters' outbound, runners' NAT gateway): Azure offers
    # /28 to /31 (learn.microsoft.com/azure/virtual-network/ip-services/public-ip-address-prefix, "Prefix sizes").
    egress_prefix_length: int = Field(default=31, ge=28, le=31)
    expected_unreachable: list[ExpectedUnreachable] = Field(default_factory=list)

    @model_validator(mode="after")
    def _vnet_size(self) -> Self:
        if self.address_space is not None:
            network = ipaddress.ip_network(self.address_space)
            if network.version != 4 or not 8 <= network.prefixlen <= 24:
                raise ValueError(
                    f"addressSpace: got {self.address_space}, expected an IPv4 range of /8 to /24 (it holds 8 subnets)"
                )
        return self

    def expected(self, caller: str, target: str) -> bool:
        return any(row.caller == caller and row.target == target for row in self.expected_unreachable)


class MonitoringSettings(Model):
    """The observability baseline: a Log Analytics workspace receiving the clusters' and registry's logs."""

    enabled: bool = True
    # Log Analytics' analytics retention range (settings/reference/log-analytics-retention.md).
    retention_days: int = Field(default=30, ge=_RETENTION[0], le=_RETENTION[1])
    # Microsoft Defender for Containers' sensor on every cluster, reporting to the workspace.
    defender: bool = False

    @model_validator(mode="after")
    def _defender_needs_workspace(self) -> Self:
        if self.defender and not self.enabled:
            raise ValueError("defender: got true with enabled false, expected the workspace Defender reports to")
        return self


class AcceptUnlisted(Model):
    """Values Slipway's vendored lists do not hold yet (settings/reference/SOURCE.md), taken with a warning.

    For a region Azure opened or a Kubernetes version AKS released after the lists were last refreshed.
    """

    regions: list[AzureRegion] = Field(default_factory=list, max_length=10)
    kubernetes_versions: list[KubernetesVersion] = Field(default_factory=list, max_length=10)
    gpu_vm_sizes: list[VmSize] = Field(default_factory=list, max_length=10)


class AzureSettings(Model):
    """Where the cloud layer lives. `enabled: false` switches the whole cloud layer off."""

    enabled: bool = True
    location: AzureRegion = "westeurope"
    name_prefix: NamePrefix = "slipway"
    protect: bool = False
    tags: dict[TagName, TagValue] = Field(default_factory=dict, max_length=50)
    network: NetworkSettings = Field(default_factory=NetworkSettings)
    monitoring: MonitoringSettings = Field(default_factory=MonitoringSettings)
    accept_unlisted: AcceptUnlisted = Field(default_factory=AcceptUnlisted)


# --- slipway:registries --------------------------------------------------------------


class AcrSku(StrEnum):
    BASIC = "Basic"
    STANDARD = "Standard"
    PREMIUM = "Premium"


class RegistryAccess(StrEnum):
    """How callers reach the registry."""

    PUBLIC = "public"  # public endpoint, any source; Entra ID role assignments decide who may pull or push
    ALLOW_LISTED = "allowListed"  # public endpoint, only the stack's static egress ranges (network rules)
    PRIVATE_ENDPOINT = "privateEndpoint"  # no public endpoint; a private endpoint in the stack's VNet


class AcrSettings(Model):
    """Azure Container Registry: private, no admin user, no anonymous pull."""

    enabled: bool = True
    name: AcrName | None = None
    sku: AcrSku = AcrSku.STANDARD
    access: RegistryAccess = RegistryAccess.PUBLIC
    # Extra sources allowed through the network rules (`access: allowListed`), beside the stack's static egress.
    allowed_ranges: list[Cidr] = Field(default_factory=list)
    zone_redundant: bool = False
    geo_replicas: list[AzureRegion] = Field(default_factory=list)
    untagged_retention_days: int | None = Field(default=None, ge=0, le=365)
    # Whether images may be exported out of the registry (ACR's export policy).
    export_enabled: bool = True
    # A dedicated data endpoint per region (`<name>.<region>.data.azurecr.io`) for layer downloads.
    data_endpoint: bool = False

    @model_validator(mode="after")
    def _premium_features(self) -> Self:
        # Premium only: geo-replication, availability zones, private endpoints and firewall rules (PSRule for Azure,
        # Azure.ACR.MinSku; Azure Policy "Container registries should have SKUs that support Private Links").
        premium_only = {
            "zoneRedundant": self.zone_redundant,
            "geoReplicas": bool(self.geo_replicas),
            "untaggedRetentionDays": self.untagged_retention_days is not None,
            f"access {self.access.value}": self.access is not RegistryAccess.PUBLIC,
        }
        used = [key for key, on in premium_only.items() if on]
        if used and self.sku is not AcrSku.PREMIUM:
            raise ValueError(f"{', '.join(used)}: only with sku Premium, got sku {self.sku.value}")
        if not self.export_enabled and (
            self.sku is not AcrSku.PREMIUM or self.access is not RegistryAccess.PRIVATE_ENDPOINT
        ):
            # ACR disables export only on a Premium registry with public network access disabled
            # (offline/reference/azure-docs/acr-data-loss-prevention.txt).
            raise ValueError(
                f"exportEnabled: got false with sku {self.sku.value} and access {self.access.value}, expected sku "
                "Premium and access privateEndpoint: ACR disables export only where public access is off"
            )
        if self.allowed_ranges and self.access is not RegistryAccess.ALLOW_LISTED:
            raise ValueError(f"allowedRanges: only with access allowListed, got access {self.access.value}")
        unique(self.geo_replicas, "geoReplicas")
        return self


class GhcrSettings(Model):
    """GitHub Container Registry wiring: GHCR is not created, only pointed at."""

    enabled: bool = True
    owner: GitHubOwner
    private: bool = True
    pull_username: str | None = None
    pull_token: SecretStr | None = None


class RegistriesSettings(Model):
    acr: AcrSettings = Field(default_factory=AcrSettings)
    ghcr: GhcrSettings | None = None


# --- slipway:identity ----------------------------------------------------------------


class IdentityMode(StrEnum):
    MANAGED_IDENTITY = "managedIdentity"
    APPLICATION = "application"


class IdentityCredential(StrEnum):
    FEDERATED = "federated"
    CLIENT_SECRET = "clientSecret"


class IdentitySettings(Model):
    """The identities GitHub Actions signs in as: one per purpose, each trusting only its own subjects.

    - deploy (runs `pulumi up`): Slipway's repository, environment `<stack>` only;
    - preview (pull-request previews, scheduled drift refresh): Slipway's pull requests and
      environment `<stack>-drift`; read-only;
    - delivery (the reusable service workflow): one identity per service repository, trusting
      that repository's delivery environments; AcrPush on the registry only.
    Service repositories belong to the owner of `repository`.
    """

    mode: IdentityMode = IdentityMode.MANAGED_IDENTITY
    credential: IdentityCredential = IdentityCredential.FEDERATED
    secret_rotation_days: int = Field(default=90, ge=1, le=730)
    repository: GitHubRepo
    # The only branch whose runs may use the stack's drift environment.
    main_branch: GitBranch = "main"
    # The built-in roles (by name) the deploy identity holds on the stack's resource group: what
    # the program's resources need. Its right to assign roles is separate and constrained.
    deploy_roles: list[str] = Field(default_factory=lambda: ["Contributor"], min_length=1)

    @model_validator(mode="after")
    def _credential_fits_mode(self) -> Self:
        if self.mode is IdentityMode.MANAGED_IDENTITY and self.credential is IdentityCredential.CLIENT_SECRET:
            raise ValueError("credential clientSecret needs mode application: a managed identity has no secrets")
        return self


# --- slipway:clusters ----------------------------------------------------------------


class PoolSettings(Model):
    """An autoscaling CPU node pool."""

    vm_size: VmSize = "Standard_D4ds_v5"
    min_count: int = Field(default=1, ge=1, le=100)
    max_count: int = Field(default=3, ge=1, le=100)

    @model_validator(mode="after")
    def _bounds(self) -> Self:
        if self.min_count > self.max_count:
            raise ValueError(f"minCount {self.min_count} is greater than maxCount {self.max_count}")
        return self


# The pools every cluster declares itself: a GPU pool of the same name would be a second AgentPool of that name.
RESERVED_POOL_NAMES = ("system", "workload")


def _spot_price(value: float) -> float:
    # ARM (ManagedClusterAgentPoolProfileProperties.spotMaxPrice): "any decimal value greater than zero or -1".
    if value != -1 and value <= 0:
        raise ValueError(f"got {value}, expected -1 (pay up to the on-demand price) or a price greater than zero")
    return value


class GpuPoolSettings(Model):
    name: AgentPoolName
    vm_size: VmSize
    # Required: a GPU size is rarely offered in every zone of a region; [] leaves the choice to Azure.
    zones: list[AvailabilityZone]
    min_count: int = Field(default=0, ge=0, le=100)
    max_count: int = Field(ge=1, le=100)
    spot: bool = False
    spot_max_price: Annotated[float, AfterValidator(_spot_price)] = -1
    driver: GpuDriver = GpuDriver.NONE

    @model_validator(mode="after")
    def _bounds(self) -> Self:
        if self.min_count > self.max_count:
            raise ValueError(f"minCount {self.min_count} is greater than maxCount {self.max_count}")
        if self.name in RESERVED_POOL_NAMES:
            raise ValueError(
                f"name: got '{self.name}', expected a name other than {', '.join(RESERVED_POOL_NAMES)} "
                "(the cluster's own pools)"
            )
        unique(self.zones, "zones")
        if "spot_max_price" in self.model_fields_set and not self.spot:
            raise ValueError(
                f"spotMaxPrice: got {self.spot_max_price} on a pool with spot false, expected no spotMaxPrice: "
                "it is the price paid for Spot instances (ARM's spotMaxPrice), which this pool does not use"
            )
        return self


MINUTES_A_DAY = 24 * 60


class MaintenanceWindowSettings(Model):
    """A weekly window in which AKS may upgrade (bounds from ARM's MaintenanceWindow and WeeklySchedule)."""

    day_of_week: WeekDay = WeekDay.SUNDAY
    start_time: MaintenanceTime = "02:00"
    duration_hours: int = Field(default=4, ge=4, le=24)
    utc_offset: UtcOffset = "+00:00"
    interval_weeks: int = Field(default=1, ge=1, le=4)

    def utc_minutes(self) -> tuple[int, int]:
        """The window as [start, end) minutes from Sunday 00:00 UTC: AKS reads `startTime` in `utcOffset`'s zone."""
        hours, minutes = map(int, self.start_time.split(":"))
        offset_hours, offset_minutes = map(int, self.utc_offset[1:].split(":"))
        offset = (offset_hours * 60 + offset_minutes) * (-1 if self.utc_offset[0] == "-" else 1)
        start = list(WeekDay).index(self.day_of_week) * MINUTES_A_DAY + hours * 60 + minutes - offset
        return start, start + self.duration_hours * 60

    def overlaps(self, other: MaintenanceWindowSettings) -> bool:
        """Whether the two windows share a minute in some week (intervals of more than a week included)."""
        (start, end), (other_start, other_end) = self.utc_minutes(), other.utc_minutes()
        week = 7 * MINUTES_A_DAY
        return any(start < other_end + shift and other_start + shift < end for shift in (-week, 0, week))

    def a_day_later(self) -> MaintenanceWindowSettings:
        days = list(WeekDay)
        return self.model_copy(update={"day_of_week": days[(days.index(self.day_of_week) + 1) % len(days)]})

    def describe(self) -> str:
        return f"{self.day_of_week.value} {self.start_time} {self.utc_offset} for {self.duration_hours} h"


class MaintenanceSettings(Model):
    """When AKS's managed upgrades run: Kubernetes versions (`autoUpgrade`) and node OS images (`nodeOs`)."""

    auto_upgrade: MaintenanceWindowSettings = Field(default_factory=MaintenanceWindowSettings)
    node_os: MaintenanceWindowSettings = Field(default_factory=MaintenanceWindowSettings)

    def a_day_later(self) -> MaintenanceSettings:
        return MaintenanceSettings(auto_upgrade=self.auto_upgrade.a_day_later(), node_os=self.node_os.a_day_later())


class ClusterSettings(Model):
    """One AKS cluster with the security baseline; what varies per stack is here."""

    enabled: bool = True
    # major.minor with an auto-upgrade channel that moves the patch; a full patch only with channel none/node-image.
    kubernetes_version: KubernetesVersion
    tier: ClusterTier = ClusterTier.FREE
    environments: list[Dns1123Label] = Field(min_length=1)
    availability_zones: list[AvailabilityZone] = Field(default_factory=list)
    admin_group_object_ids: list[Uuid] = Field(min_length=1)
    api_server: ApiServerAccess = ApiServerAccess.PUBLIC
    # Extra sources for an allowListed API server (administrators' networks), beside the stack's static egress.
    authorized_ip_ranges: list[Cidr] = Field(default_factory=list)
    upgrade_channel: UpgradeChannel = UpgradeChannel.PATCH
    node_os_upgrade_channel: NodeOsUpgradeChannel = NodeOsUpgradeChannel.NODE_IMAGE
    network_policy: NetworkPolicy = NetworkPolicy.CILIUM
    # One OS for every pool of the cluster; unset: Ubuntu on a cluster with GPU pools, Azure Linux elsewhere.
    os_sku: OsSku | None = None
    system_pool: PoolSettings = Field(default_factory=PoolSettings)
    user_pool: PoolSettings = Field(default_factory=PoolSettings)
    gpu_pools: list[GpuPoolSettings] = Field(default_factory=list)
    # This cluster's own windows; unset: `clusters.maintenance` on the hub, the same a day later on the gpu cluster.
    maintenance: MaintenanceSettings | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.authorized_ip_ranges and self.api_server is not ApiServerAccess.ALLOW_LISTED:
            raise ValueError(
                f"authorizedIpRanges: only with apiServer allowListed, got apiServer {self.api_server.value}"
            )
        pinned_patch = self.kubernetes_version.count(".") == 2
        if self.upgrade_channel in VERSION_CHANNELS and pinned_patch:
            raise ValueError(
                f"kubernetesVersion: got '{self.kubernetes_version}' with upgradeChannel "
                f"'{self.upgrade_channel.value}', expected major.minor (such as "
                f"'{self.kubernetes_version.rsplit('.', 1)[0]}'): the channel moves the patch, and a pinned patch "
                "drifts from it after the first upgrade"
            )
        if self.upgrade_channel not in VERSION_CHANNELS and not pinned_patch:
            raise ValueError(
                f"kubernetesVersion: got '{self.kubernetes_version}' with upgradeChannel "
                f"'{self.upgrade_channel.value}', expected a full patch version such as "
                f"'{self.kubernetes_version}.0': nothing upgrades this cluster's version automatically"
            )
        if (
            self.upgrade_channel is UpgradeChannel.NODE_IMAGE
            and self.node_os_upgrade_channel is not NodeOsUpgradeChannel.NODE_IMAGE
        ):
            # AKS sets the node OS channel to NodeImage with this channel and refuses any other
            # (offline/reference/azure-docs/aks-auto-upgrade-node-os-image.txt).
            raise ValueError(
                f"nodeOsUpgradeChannel: got '{self.node_os_upgrade_channel.value}' with upgradeChannel 'node-image', "
                "expected 'NodeImage': AKS fixes the node OS channel to NodeImage on a node-image cluster"
            )
        unique(self.environments, "environments")
        unique([pool.name for pool in self.gpu_pools], "gpuPools names")
        return self

    def pools_os_sku(self) -> OsSku:
        """The OS of every pool: GPU clusters must not mix OS SKUs (the GPU operator's node OS is one)."""
        if self.os_sku is not None:
            return self.os_sku
        return OsSku.UBUNTU if self.gpu_pools else OsSku.AZURE_LINUX


class ClustersSettings(Model):
    hub: ClusterSettings
    gpu: ClusterSettings | None = None
    # The hub's maintenance windows, and a day later the gpu cluster's, unless a cluster sets its own.
    maintenance: MaintenanceSettings = Field(default_factory=MaintenanceSettings)

    @model_validator(mode="after")
    def _gpu_pools_on_gpu_cluster(self) -> Self:
        if self.hub.gpu_pools:
            raise ValueError("hub.gpuPools: the hub runs CPU workloads; put GPU pools on the gpu cluster")
        if self.gpu is not None and self.gpu.enabled and not self.gpu.gpu_pools:
            raise ValueError("gpu.gpuPools: an enabled gpu cluster needs at least one GPU pool")
        return self

    @model_validator(mode="after")
    def _staggered(self) -> Self:
        """The clusters upgrade one at a time: a failed upgrade of one never meets the other's."""
        if self.gpu is None or not self.gpu.enabled:
            return self
        hub, gpu = self.windows("hub"), self.windows("gpu")
        for key, hub_window, gpu_window in (
            ("autoUpgrade", hub.auto_upgrade, gpu.auto_upgrade),
            ("nodeOs", hub.node_os, gpu.node_os),
        ):
            if gpu_window.overlaps(hub_window):
                raise ValueError(
                    f"gpu.maintenance.{key}: {gpu_window.describe()} overlaps the hub's ({hub_window.describe()}), "
                    "expected windows that never overlap: the clusters upgrade one at a time"
                )
        return self

    def windows(self, role: str) -> MaintenanceSettings:
        """The maintenance windows of the cluster of `role` (`hub`, `gpu`)."""
        cluster = self.hub if role == "hub" else self.gpu
        if cluster is not None and cluster.maintenance is not None:
            return cluster.maintenance
        return self.maintenance if role == "hub" else self.maintenance.a_day_later()

    def enabled(self) -> dict[str, ClusterSettings]:
        """The clusters to build, by role (`hub`, `gpu`)."""
        roles = {"hub": self.hub, "gpu": self.gpu}
        return {role: cluster for role, cluster in roles.items() if cluster is not None and cluster.enabled}


# The rows of `python -m offline reach`: who calls (caller) what (target).
DEPLOY_CI = "deploy-ci"
GOLDEN_IMAGE_BUILD = "golden-image-build"
ARGOCD = "argocd@hub"
REGISTRY = "registry@acr"
# AKS takes at most 200 authorized IP ranges (learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges,
# "Limitations and considerations").
MAX_AUTHORIZED_IP_RANGES = 200


def kubelet(role: str) -> str:
    return f"kubelet@{role}"


def delivery(repository: str) -> str:
    """The row of a service repository's delivery (service-delivery.yml pushes to the registry)."""
    return f"delivery@{repository}"


def runs_on(runners: Runners, stack: str) -> str:
    """The `runs-on` of the stack's CI jobs as JSON: up.yml and drift.yml name the same labels for prod."""
    return json.dumps(["self-hosted", f"slipway-{stack}"] if runners is Runners.SELF_HOSTED else "ubuntu-latest")


def api_server(role: str) -> str:
    return f"api-server@{role}"


def drift_environment(stack: str) -> str:
    """The GitHub environment of the stack's scheduled drift refresh."""
    return f"{stack}-drift"


def deploy_subjects(identity: IdentitySettings, stack: str) -> list[str]:
    """Who may run `pulumi up`: jobs in the stack's own environment, the one subject up.yml sends for it.

    Not the main branch: no Slipway workflow signs in from it without an environment, and trusting it would
    let any job on main that names no environment sign in with the deploy identity's rights.
    """
    return [f"repo:{identity.repository}:environment:{stack}"]


def preview_subjects(identity: IdentitySettings, stack: str) -> list[str]:
    """Who may preview (read only): Slipway's pull requests and the stack's drift environment."""
    return [
        f"repo:{identity.repository}:pull_request",
        f"repo:{identity.repository}:environment:{drift_environment(stack)}",
    ]
