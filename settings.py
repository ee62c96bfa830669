"""Typed, validated stack settings: the only reading of `slipway:*` config.

`__main__.py` hands the raw structured config (one dict per `slipway:<section>` key) to
`load_settings`, which validates everything once and either returns a frozen `Settings`
or raises `SettingsError` listing one readable line per problem (key path, bad value,
what was expected). Components never see raw config: they take typed Args built from
these models.

Fields that hold secrets are typed `SecretStr`: their value never shows in a repr, an
error or a log, and `secret_output` is the only way to read one, as a Pulumi secret.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from enum import StrEnum
from typing import Annotated, Any, Literal, Self, get_args

import pulumi
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel

from components.cloud.roles import role_id
from components.gitops import KUBERNETES_NAMESPACES, PLATFORM_NAMESPACES, environment_label, is_system_namespace

NAMESPACE = "slipway"
SECTIONS = ("azure", "registries", "identity", "clusters", "platform", "delivery", "github")

# Stacks whose name is `prod` or starts with `prod-` are production stacks: they must
# protect stateful and identity resources.
PRODUCTION_STACK = re.compile(r"^prod(-.*)?$")

# What each name pattern means, for error messages: a regex is no answer to a person.
_PATTERN_MEANINGS: dict[str, str] = {}


def pattern_meaning(regex: str) -> str:
    """What a name pattern means, in words (the regex itself where none was given)."""
    return _PATTERN_MEANINGS.get(regex, f"matching {regex}")


def _pattern(regex: str, meaning: str) -> StringConstraints:
    _PATTERN_MEANINGS[regex] = meaning
    return StringConstraints(pattern=regex)


# GitHub: 1-39 alphanumerics or single inner hyphens; repository names 1-100 of [A-Za-z0-9._-].
_OWNER = r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}"

Dns1123Label = Annotated[
    str,
    StringConstraints(max_length=63),
    _pattern(
        r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        "a DNS-1123 label (lowercase letters, digits and inner '-', at most 63)",
    ),
]
AzureRegion = Annotated[str, _pattern(r"^[a-z][a-z0-9]{2,30}$", "an Azure region name such as westeurope")]
NamePrefix = Annotated[
    str, _pattern(r"^[a-z][a-z0-9]{1,11}$", "2-12 lowercase letters and digits, starting with a letter")
]
# ARM allows upper case in a registry name (`^[a-zA-Z0-9]*$`, 5-50) but serves the registry at the lower-cased
# `<name>.azurecr.io`: a lower-case name is the one the login server, the CI and the clusters all spell alike.
ACR_NAME = r"^[a-z0-9]{5,50}$"
AcrName = Annotated[
    str,
    _pattern(ACR_NAME, "a registry name of 5-50 lowercase letters and digits (Azure lower-cases its login server)"),
]
GitHubOwner = Annotated[str, _pattern(rf"^{_OWNER}$", "a GitHub user or organisation name")]
GitHubRepo = Annotated[str, _pattern(rf"^{_OWNER}/[A-Za-z0-9._-]{{1,100}}$", "a GitHub repository as OWNER/NAME")]
GitBranch = Annotated[str, _pattern(r"^[A-Za-z0-9._/-]{1,200}$", "a git branch name")]
KubernetesVersion = Annotated[
    str, _pattern(r"^1\.\d{2}(\.\d{1,2})?$", "a Kubernetes version, major.minor (1.33) or a full patch (1.33.5)")
]
VmSize = Annotated[str, _pattern(r"^Standard_[A-Za-z0-9_]+$", "an Azure VM size such as Standard_D4ds_v5")]
# ARM (Microsoft.ContainerService 2025-09-01, managedClusters/agentPools name): `^[a-z][a-z0-9]{0,11}$`.
AGENT_POOL_NAME = r"^[a-z][a-z0-9]{0,11}$"
AgentPoolName = Annotated[
    str,
    _pattern(
        AGENT_POOL_NAME,
        f"an AKS pool name (1-12 lowercase letters and digits, starting with a letter; ARM rule {AGENT_POOL_NAME})",
    ),
]
# ARM (Microsoft.ContainerService 2025-09-01, managedClusters name, 1-63 characters). The cluster's dnsPrefix is
# its name; the schema sets no pattern of its own on dnsPrefix.
CLUSTER_NAME = r"^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$"
# ARM (Microsoft.OperationalInsights 2023-09-01, workspaces name, 4-63 characters).
WORKSPACE_NAME = r"^[A-Za-z0-9][A-Za-z0-9-]+[A-Za-z0-9]$"
# ARM (Microsoft.ContainerService 2025-09-01, MaintenanceWindow startTime and utcOffset).
MaintenanceTime = Annotated[str, _pattern(r"^\d{2}:\d{2}$", "a time of day as HH:MM (ARM rule ^\\d{2}:\\d{2}$)")]
UtcOffset = Annotated[
    str, _pattern(r"^(-|\+)[0-9]{2}:[0-9]{2}$", "a UTC offset such as +01:00 (ARM rule ^(-|\\+)[0-9]{2}:[0-9]{2}$)")
]
HttpsUrl = Annotated[str, _pattern(r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s]*)?$", "an https:// URL")]
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
Uuid = Annotated[str, _pattern(UUID_PATTERN, "an object id (lowercase UUID)")]
AvailabilityZone = Literal["1", "2", "3"]


def _cidr(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value, strict=True))
    except ValueError as err:
        raise ValueError(f"an IP range in CIDR form such as 203.0.113.0/24 ({err})") from None


Cidr = Annotated[str, AfterValidator(_cidr)]


def _not_dots(value: str) -> str:
    if set(value) == {"."}:
        raise ValueError(f"a repository name, got {value!r}, which names a directory, not a repository")
    return value


# GitHub repository names: 1-100 of [A-Za-z0-9._-]; `.` and `..` would be paths, not names.
RepositoryName = Annotated[str, _pattern(r"^[A-Za-z0-9._-]{1,100}$", "a repository name"), AfterValidator(_not_dots)]

# Azure's tag rules: a name of at most 512 characters, without < > % & \ ? /, not starting with
# microsoft, azure or windows (reserved to Azure); a value of at most 256 characters. Sources:
# Az.Resources' Set-AzTag synopsis (tag name length, reserved prefixes) and the ARM `tags`
# property documentation of the Azure SDKs (value length, forbidden characters). Control
# characters are ours to refuse: a tag is shown in portals and billing exports.
_TAG_NAME = r"^[^<>%&\\?/\x00-\x1f]{1,512}$"


def _not_azure_prefix(name: str) -> str:
    if name.lower().startswith(("microsoft", "azure", "windows")):
        raise ValueError(f"a tag name not starting with microsoft, azure or windows (reserved to Azure), got {name!r}")
    return name


TagName = Annotated[
    str,
    _pattern(_TAG_NAME, "an Azure tag name (1-512 characters, none of < > % & \\ ? / or control characters)"),
    AfterValidator(_not_azure_prefix),
]
TagValue = Annotated[
    str, StringConstraints(max_length=256), _pattern(r"^[^\x00-\x1f]*$", "an Azure tag value (no control characters)")
]


class Model(BaseModel):
    """Base of every settings model: camelCase keys, unknown keys rejected, immutable."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        validate_default=True,
        # `.inf` and `.nan` are YAML floats; no threshold, price or count of ours may be either.
        allow_inf_nan=False,
    )


def _unique(values: Sequence[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} must be unique, '{value}' appears twice")
        seen.add(value)


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
    retention_days: int = Field(default=30, gt=0)
    # Microsoft Defender for Containers' sensor on every cluster, reporting to the workspace.
    defender: bool = False

    @model_validator(mode="after")
    def _defender_needs_workspace(self) -> Self:
        if self.defender and not self.enabled:
            raise ValueError("defender: got true with enabled false, expected the workspace Defender reports to")
        return self


class AzureSettings(Model):
    """Where the cloud layer lives. `enabled: false` switches the whole cloud layer off."""

    enabled: bool = True
    location: AzureRegion = "westeurope"
    name_prefix: NamePrefix = "slipway"
    protect: bool = False
    tags: dict[TagName, TagValue] = Field(default_factory=dict, max_length=50)
    network: NetworkSettings = Field(default_factory=NetworkSettings)
    monitoring: MonitoringSettings = Field(default_factory=MonitoringSettings)


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
        if self.allowed_ranges and self.access is not RegistryAccess.ALLOW_LISTED:
            raise ValueError(f"allowedRanges: only with access allowListed, got access {self.access.value}")
        _unique(self.geo_replicas, "geoReplicas")
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

    - deploy (runs `pulumi up`): Slipway's repository, environment `<stack>` (and, on a
      non-production stack, pushes to `mainBranch`);
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


class ClusterTier(StrEnum):
    FREE = "Free"
    STANDARD = "Standard"


class UpgradeChannel(StrEnum):
    """AKS's auto-upgrade channels (ARM enum of ManagedClusterAutoUpgradeProfile.upgradeChannel)."""

    PATCH = "patch"
    STABLE = "stable"
    RAPID = "rapid"
    NODE_IMAGE = "node-image"
    NONE = "none"


# Channels that move the Kubernetes version: the stack pins only major.minor and lets the channel pick the patch.
VERSION_CHANNELS = (UpgradeChannel.PATCH, UpgradeChannel.STABLE, UpgradeChannel.RAPID)


class NodeOsUpgradeChannel(StrEnum):
    NODE_IMAGE = "NodeImage"
    SECURITY_PATCH = "SecurityPatch"


class NetworkPolicy(StrEnum):
    AZURE = "azure"
    CALICO = "calico"
    CILIUM = "cilium"


class ApiServerAccess(StrEnum):
    """How callers reach a cluster's API server."""

    # Public endpoint, no IP allow-list: Entra ID (no local accounts) and Azure RBAC decide who gets in.
    PUBLIC = "public"
    # Public endpoint open only to the stack's static egress (clusters' outbound prefixes, runners' NAT) and
    # `authorizedIpRanges`.
    ALLOW_LISTED = "allowListed"
    # No public endpoint: reachable only from the cluster's own VNet (self-hosted runners and the other cluster).
    PRIVATE = "private"


class OsSku(StrEnum):
    AZURE_LINUX = "AzureLinux"
    UBUNTU = "Ubuntu"


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


class GpuDriver(StrEnum):
    """Who installs the NVIDIA driver: AKS (`Install`) or the GPU operator (`None`)."""

    INSTALL = "Install"
    NONE = "None"


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
        _unique(self.zones, "zones")
        return self


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
        _unique(self.environments, "environments")
        _unique([pool.name for pool in self.gpu_pools], "gpuPools names")
        return self

    def pools_os_sku(self) -> OsSku:
        """The OS of every pool: GPU clusters must not mix OS SKUs (the GPU operator's node OS is one)."""
        if self.os_sku is not None:
            return self.os_sku
        return OsSku.UBUNTU if self.gpu_pools else OsSku.AZURE_LINUX


class WeekDay(StrEnum):
    SUNDAY = "Sunday"
    MONDAY = "Monday"
    TUESDAY = "Tuesday"
    WEDNESDAY = "Wednesday"
    THURSDAY = "Thursday"
    FRIDAY = "Friday"
    SATURDAY = "Saturday"


class MaintenanceWindowSettings(Model):
    """A weekly window in which AKS may upgrade (bounds from ARM's MaintenanceWindow and WeeklySchedule)."""

    day_of_week: WeekDay = WeekDay.SUNDAY
    start_time: MaintenanceTime = "02:00"
    duration_hours: int = Field(default=4, ge=4, le=24)
    utc_offset: UtcOffset = "+00:00"
    interval_weeks: int = Field(default=1, ge=1, le=4)


class MaintenanceSettings(Model):
    """When AKS's managed upgrades run: Kubernetes versions (`autoUpgrade`) and node OS images (`nodeOs`)."""

    auto_upgrade: MaintenanceWindowSettings = Field(default_factory=MaintenanceWindowSettings)
    node_os: MaintenanceWindowSettings = Field(default_factory=MaintenanceWindowSettings)


class ClustersSettings(Model):
    hub: ClusterSettings
    gpu: ClusterSettings | None = None
    maintenance: MaintenanceSettings = Field(default_factory=MaintenanceSettings)

    @model_validator(mode="after")
    def _gpu_pools_on_gpu_cluster(self) -> Self:
        if self.hub.gpu_pools:
            raise ValueError("hub.gpuPools: the hub runs CPU workloads; put GPU pools on the gpu cluster")
        if self.gpu is not None and self.gpu.enabled and not self.gpu.gpu_pools:
            raise ValueError("gpu.gpuPools: an enabled gpu cluster needs at least one GPU pool")
        return self

    def enabled(self) -> dict[str, ClusterSettings]:
        """The clusters to build, by role (`hub`, `gpu`)."""
        roles = {"hub": self.hub, "gpu": self.gpu}
        return {role: cluster for role, cluster in roles.items() if cluster is not None and cluster.enabled}


# --- slipway:platform ----------------------------------------------------------------


class GitRepoSettings(Model):
    """A git repository ArgoCD reads, at a revision."""

    url: HttpsUrl
    revision: GitBranch = "main"


def _rbac_subject(value: str) -> str:
    # Each subject is written into ArgoCD's policy.csv as `g, <subject>, role:...`: a comma,
    # a quote or a line break would add fields or whole policy lines of its own.
    if not value or value != value.strip() or re.search(r'[,"\x00-\x1f\x7f]', value):
        raise ValueError(
            "a group or user name without commas, quotes, control characters or surrounding spaces "
            "(it is written into ArgoCD's policy.csv)"
        )
    return value


RbacSubject = Annotated[str, AfterValidator(_rbac_subject)]


class ArgoRbacSettings(Model):
    """SSO groups mapped to ArgoCD roles (Entra ID: group object ids); everyone else is readonly.

    CI's group gets no global role: its only sync right is the `ci` role of each service
    project, on non-production applications.
    """

    admins: list[RbacSubject] = Field(default_factory=list)
    operators: list[RbacSubject] = Field(default_factory=list)
    developers: list[RbacSubject] = Field(default_factory=list)
    ci_deployers: list[RbacSubject] = Field(default_factory=list)


# Entra ID's OIDC issuer, in the form ArgoCD's Entra ID guide gives:
# `https://login.microsoftonline.com/{directory_tenant_id}/v2.0` (argoproj/argo-cd v3.4.4,
# docs/operator-manual/user-management/microsoft.md, line 75).
ENTRA_ISSUER = re.compile(r"^https://login\.microsoftonline\.com/[^/]+/v2\.0/?$")


class SsoSettings(Model):
    """OIDC single sign-on for the ArgoCD UI and CLI (e.g. an Entra ID app registration)."""

    issuer: HttpsUrl
    client_id: str = Field(min_length=1)
    client_secret: SecretStr | None = None

    @property
    def entra(self) -> bool:
        """Entra ID puts group object ids, not names, in the `groups` claim."""
        return bool(ENTRA_ISSUER.match(self.issuer))


class NotificationsSettings(Model):
    slack_token: SecretStr | None = None
    slack_channel: str = Field(default="platform-alerts", pattern=r"^[a-z0-9][a-z0-9_-]{0,79}$")


class ArgoCdSettings(Model):
    # ArgoCD's external URL (argocd-cm `url`): SSO redirects and notification links use it.
    url: HttpsUrl | None = None
    rbac: ArgoRbacSettings = Field(default_factory=ArgoRbacSettings)
    sso: SsoSettings | None = None
    notifications: NotificationsSettings = Field(default_factory=NotificationsSettings)


class AddonsSettings(Model):
    """Which add-ons ArgoCD installs; the GPU operator only ever lands on GPU clusters."""

    argo_rollouts: bool = True
    gatekeeper: bool = True
    sealed_secrets: bool = True
    gpu_operator: bool = True


class EnforcementAction(StrEnum):
    DRYRUN = "dryrun"
    WARN = "warn"
    DENY = "deny"


class GatekeeperSettings(Model):
    enforcement_action: EnforcementAction = EnforcementAction.WARN
    excluded_namespaces: list[Dns1123Label] = Field(
        default_factory=lambda: [ns for ns in (*KUBERNETES_NAMESPACES, *PLATFORM_NAMESPACES) if ns != "default"]
    )


class MetricsSettings(Model):
    """Metrics are always exposed; ServiceMonitors only where a Prometheus operator runs."""

    service_monitors: bool = False
    prometheus_url: Annotated[str, _pattern(r"^https?://[A-Za-z0-9.-]+(:[0-9]+)?(/\S*)?$", "an http(s) URL")] | None = (
        None
    )


class AnalysisSettings(Model):
    """Thresholds of the canary analysis every Rollout can reference (finite numbers only).

    CPU and memory are the canary's usage over its requests (1.0 = using exactly what it requests).
    """

    success_rate: float = Field(default=0.99, gt=0, le=1, allow_inf_nan=False)
    latency_p95_seconds: float = Field(default=0.5, gt=0, allow_inf_nan=False)
    error_rate: float = Field(default=0.01, ge=0, lt=1, allow_inf_nan=False)
    cpu_usage_to_request: float = Field(default=1.5, gt=0, allow_inf_nan=False)
    memory_usage_to_request: float = Field(default=1.2, gt=0, allow_inf_nan=False)


class PlatformSettings(Model):
    """The platform layer. Without the cloud layer it targets an existing kubeconfig context."""

    enabled: bool = True
    kube_context: str | None = None
    high_availability: bool = False
    git_repo: GitRepoSettings | None = None
    argocd: ArgoCdSettings = Field(default_factory=ArgoCdSettings)
    addons: AddonsSettings = Field(default_factory=AddonsSettings)
    gatekeeper: GatekeeperSettings = Field(default_factory=GatekeeperSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    analysis: AnalysisSettings = Field(default_factory=AnalysisSettings)


# --- slipway:delivery ----------------------------------------------------------------


class ServiceSettings(Model):
    """One service: its chart and per-environment values live in the GitOps repository."""

    name: Dns1123Label
    team: Dns1123Label = "services"
    repository: RepositoryName | None = None
    gpu: bool = False
    autoscaling: bool = False
    environments: list[Dns1123Label] | None = None


class ProjectLayout(StrEnum):
    SHARED = "shared"
    PER_TEAM = "perTeam"


class SyncWindowSettings(Model):
    """When production may change: an allow window (cron start, duration); manual syncs stay allowed."""

    schedule: str = Field(default="0 8 * * 1-4", pattern=r"^(\S+\s+){4}\S+$")
    duration: str = Field(default="8h", pattern=r"^[0-9]+[mh]$")
    time_zone: str = "UTC"


# Documented upper bounds of one stack (docs/SETTINGS.md): the benchmark measures the preview at them.
MAX_SERVICES = 1000
MAX_ENVIRONMENTS = 24


class DeliverySettings(Model):
    enabled: bool = True
    environments: list[Dns1123Label] = Field(
        default_factory=lambda: ["dev", "staging", "prod"], min_length=1, max_length=MAX_ENVIRONMENTS
    )
    production_environments: list[Dns1123Label] = Field(default_factory=lambda: ["prod"])
    git_repo: GitRepoSettings | None = None
    projects: ProjectLayout = ProjectLayout.SHARED
    production_sync_window: SyncWindowSettings = Field(default_factory=SyncWindowSettings)
    revision_history_limit: int = Field(default=10, ge=1, le=100)
    services: list[ServiceSettings] = Field(default_factory=list, max_length=MAX_SERVICES)

    @model_validator(mode="after")
    def _names(self) -> Self:
        _unique(self.environments, "environments")
        _unique([service.name for service in self.services], "service names")
        _unique([s.repository for s in self.services if s.repository is not None], "service repositories")
        for env in self.environments:
            if PRODUCTION_STACK.match(env) and env not in self.production_environments:
                raise ValueError(
                    f"environment '{env}' is named like a production environment but is not in "
                    f"productionEnvironments {self.production_environments}: add it there, or rename it"
                )
            # The cluster Secret label `environment_<env>`: a label key's name is at most 63 characters.
            if len(environment_label(env)) > 63:
                raise ValueError(
                    f"environment '{env}' makes the cluster label key '{environment_label(env)}', longer than "
                    "Kubernetes' 63 characters: shorten it"
                )
        namespaces: dict[str, str] = {}
        for service in self.services:
            for env in service.environments or self.environments:
                namespace = f"{service.name}-{env}"
                where = f"service '{service.name}' in environment '{env}'"
                if len(namespace) > 63:
                    raise ValueError(
                        f"{where} needs the namespace '{namespace}', longer than Kubernetes' 63 characters: "
                        "shorten the name"
                    )
                if is_system_namespace(namespace):
                    raise ValueError(f"{where} would be delivered into the system namespace '{namespace}': rename it")
                if namespace in namespaces:
                    raise ValueError(
                        f"{where} and {namespaces[namespace]} both need the namespace (and Application) "
                        f"'{namespace}': rename one of the services"
                    )
                namespaces[namespace] = where
            unknown = sorted(set(service.environments or []) - set(self.environments))
            if unknown:
                raise ValueError(
                    f"service '{service.name}' is delivered to {unknown}, which are not in environments "
                    f"{self.environments}"
                )
        return self


# --- slipway:github ------------------------------------------------------------------


class ReviewersSettings(Model):
    """Who approves deployments to production environments: team slugs and user logins."""

    teams: list[Dns1123Label] = Field(default_factory=list)
    users: list[GitHubOwner] = Field(default_factory=list)


class GoldenImagesSettings(Model):
    """The base images service teams build on (`images/`); a real run needs a Docker daemon."""

    enabled: bool = True
    ghcr_push_token: SecretStr | None = None


class SharedVariables(StrEnum):
    """Where the variables every service repository shares live.

    `organization`: one organisation variable each, visible to the managed service repositories
    only (needs a token that may administer the organisation's Actions variables);
    `repository`: a copy in every service repository (a user account, or a repository-scoped token).
    """

    ORGANIZATION = "organization"
    REPOSITORY = "repository"


class GithubSettings(Model):
    """GitHub Actions wiring from stack outputs, and the golden images."""

    enabled: bool = False
    owner: GitHubOwner | None = None
    platform_repository: Annotated[str, _pattern(r"^[A-Za-z0-9._-]{1,100}$", "a repository name")] = "slipway"
    gitops_repository: GitHubRepo | None = None
    manage_service_repositories: bool = False
    shared_variables: SharedVariables = SharedVariables.ORGANIZATION
    reviewers: ReviewersSettings = Field(default_factory=ReviewersSettings)
    production_tag_pattern: str | None = None
    notification_webhook: SecretStr | None = None
    images: GoldenImagesSettings = Field(default_factory=GoldenImagesSettings)


# --- the whole stack -----------------------------------------------------------------


class Settings(Model):
    """Every `slipway:*` section of one stack, validated together."""

    azure: AzureSettings = Field(default_factory=AzureSettings)
    registries: RegistriesSettings = Field(default_factory=RegistriesSettings)
    identity: IdentitySettings | None = None
    clusters: ClustersSettings | None = None
    platform: PlatformSettings = Field(default_factory=PlatformSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    github: GithubSettings = Field(default_factory=GithubSettings)


def acr_registry_name(settings: Settings, stack: str) -> str:
    """The registry's name: `registries.acr.name`, or `<namePrefix><stack>acr` without `-`, `_` and `.`.

    Upper case is kept, not dropped or lower-cased: the cross-checks reject it with the name to set instead.
    """
    return settings.registries.acr.name or re.sub(r"[-_.]", "", f"{settings.azure.name_prefix}{stack}acr")


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


def api_server(role: str) -> str:
    return f"api-server@{role}"


def _name_checks(settings: Settings, stack: str) -> list[str]:
    """Names derived from the stack name that Azure would refuse, each with the ARM rule it breaks."""
    problems = []
    ns = NAMESPACE
    base = f"{settings.azure.name_prefix}-{stack}"
    derived = acr_registry_name(settings, stack)
    if settings.registries.acr.enabled and not re.fullmatch(ACR_NAME, derived):
        problems.append(
            f"{ns}:registries.acr.name: the name derived for stack '{stack}' is '{derived}', expected 5-50 lowercase "
            f"letters and digits ({ACR_NAME}; Azure lower-cases the login server): set registries.acr.name"
        )
    for role in settings.clusters.enabled() if settings.clusters is not None else {}:
        name = f"aks-{base}-{role}"
        if not re.fullmatch(CLUSTER_NAME, name):
            problems.append(
                f"{ns}:clusters.{role}: stack '{stack}' makes the cluster name and dnsPrefix '{name}', expected "
                f"1-63 characters matching ARM's managedClusters name rule {CLUSTER_NAME}: rename the stack or "
                "azure.namePrefix"
            )
    workspace = f"log-{base}"
    if settings.azure.monitoring.enabled and not (
        4 <= len(workspace) <= 63 and re.fullmatch(WORKSPACE_NAME, workspace)
    ):
        problems.append(
            f"{ns}:azure.monitoring: stack '{stack}' makes the workspace name '{workspace}', expected 4-63 "
            f"characters matching ARM's workspaces name rule {WORKSPACE_NAME}: rename the stack or azure.namePrefix"
        )
    for index, region in enumerate(settings.registries.acr.geo_replicas):
        if region == settings.azure.location:
            problems.append(
                f"{ns}:registries.acr.geoReplicas[{index}]: got '{region}', the registry's home region "
                "(azure.location), expected another region: the home region holds the registry itself"
            )
    return problems


def _network_checks(settings: Settings) -> list[str]:
    """Who could not reach what under the stack's network model; rows marked expected are let through."""
    problems = []
    ns = NAMESPACE
    network = settings.azure.network
    clusters = settings.clusters.enabled() if settings.clusters is not None else {}
    acr = settings.registries.acr
    vnet_users = [
        f"clusters.{role}.apiServer private" for role, c in clusters.items() if c.api_server is ApiServerAccess.PRIVATE
    ]
    if acr.enabled and acr.access is RegistryAccess.PRIVATE_ENDPOINT:
        vnet_users.append("registries.acr.access privateEndpoint")
    if network.runners is Runners.SELF_HOSTED:
        vnet_users.append("azure.network.runners selfHosted")
    private = [role for role, c in clusters.items() if c.api_server is ApiServerAccess.PRIVATE]
    if len(private) > 1:
        problems.append(
            f"{ns}:clusters.{private[1]}.apiServer: got private beside the private {private[0]} cluster in the "
            "stack's one VNet, expected at most one private cluster: two private clusters' DNS zones in one VNet "
            "are not modelled"
        )
    if vnet_users and network.address_space is None:
        problems.append(
            f"{ns}:azure.network.addressSpace: required by {', '.join(vnet_users)}, expected the VNet's IPv4 range"
        )
    github_hosted = network.runners is Runners.GITHUB_HOSTED
    ci_callers = [DEPLOY_CI]
    if settings.github.enabled and settings.github.images.enabled:
        ci_callers.append(GOLDEN_IMAGE_BUILD)

    def unreachable(caller: str, target: str, how: str, fix: str) -> None:
        if not network.expected(caller, target):
            problems.append(
                f"{ns}:azure.network.runners: {caller} on GitHub-hosted runners could not reach {target} ({how}): "
                f"GitHub-hosted runners have no egress range this stack declares; expected runners selfHosted, "
                f"{fix}, or the row in azure.network.expectedUnreachable with a reason"
            )

    static_ranges = len(clusters) + (0 if github_hosted else 1)
    for role, cluster in clusters.items():
        if github_hosted and cluster.api_server is not ApiServerAccess.PUBLIC:
            unreachable(DEPLOY_CI, api_server(role), f"apiServer {cluster.api_server.value}", "apiServer public")
        ranges = static_ranges + len(cluster.authorized_ip_ranges)
        if cluster.api_server is ApiServerAccess.ALLOW_LISTED and ranges > MAX_AUTHORIZED_IP_RANGES:
            problems.append(
                f"{ns}:clusters.{role}.authorizedIpRanges: {ranges} ranges with the stack's static egress, expected "
                f"at most {MAX_AUTHORIZED_IP_RANGES} (AKS's limit on authorized IP ranges)"
            )
    if acr.enabled and github_hosted and acr.access is not RegistryAccess.PUBLIC:
        for caller in ci_callers:
            unreachable(caller, REGISTRY, f"access {acr.access.value}", "registries.acr.access public")
    return problems


def _cross_checks(settings: Settings, stack: str) -> list[str]:
    """Problems that span sections, each named by the key path to fix."""
    problems: list[str] = []
    ns = NAMESPACE
    if settings.azure.enabled:
        problems += _name_checks(settings, stack) + _network_checks(settings)
        if PRODUCTION_STACK.match(stack) and not settings.azure.protect:
            problems.append(f"{ns}:azure.protect: got false on production stack '{stack}', expected true")
        if settings.clusters is None:
            problems.append(f"{ns}:clusters: required when the cloud layer is on (azure.enabled)")
        if settings.identity is None:
            problems.append(f"{ns}:identity: required when the cloud layer is on (azure.enabled)")
    else:
        if settings.registries.acr.enabled:
            problems.append(f"{ns}:registries.acr.enabled: got true without the cloud layer, expected false")
        if settings.platform.enabled and settings.platform.kube_context is None:
            problems.append(
                f"{ns}:platform.kubeContext: required without the cloud layer: the kubeconfig context to install into"
            )
    platform = settings.platform
    if platform.enabled and platform.addons.gatekeeper and platform.git_repo is None:
        problems.append(
            f"{ns}:platform.gitRepo: required with the gatekeeper add-on: the repository ArgoCD reads "
            "the objects chart (charts/objects) carrying our policies from"
        )
    argocd = platform.argocd
    if platform.enabled and argocd.sso is not None and argocd.url is None:
        problems.append(
            f"{ns}:platform.argocd.url: required with SSO: ArgoCD's external https:// URL, which the sign-in "
            "redirects to (the chart's default is https://argocd.example.com)"
        )
    if platform.enabled and argocd.sso is not None and argocd.sso.entra:
        for field_name, groups in argocd.rbac.model_dump(by_alias=True).items():
            for index, group in enumerate(groups):
                if not re.fullmatch(UUID_PATTERN, group):
                    problems.append(
                        f"{ns}:platform.argocd.rbac.{field_name}[{index}]: got {group!r}, expected an Entra ID group "
                        "object id (lowercase UUID): Entra ID puts group ids, not names, in the groups claim"
                    )
    production = bool(PRODUCTION_STACK.match(stack))
    if production and platform.enabled and platform.gatekeeper.enforcement_action is not EnforcementAction.DENY:
        problems.append(
            f"{ns}:platform.gatekeeper.enforcementAction: got '{platform.gatekeeper.enforcement_action.value}' "
            f"on production stack '{stack}', expected deny"
        )
    github = settings.github
    if github.enabled:
        if github.owner is None:
            problems.append(f"{ns}:github.owner: required with the GitHub layer")
        if github.manage_service_repositories and github.gitops_repository is None:
            problems.append(f"{ns}:github.gitopsRepository: required to manage the service repositories")
        if production and not (github.reviewers.teams or github.reviewers.users):
            problems.append(
                f"{ns}:github.reviewers: got none on production stack '{stack}', expected at least one team or user "
                "to approve production deployments"
            )
    delivery = settings.delivery
    if delivery.enabled and delivery.git_repo is None:
        problems.append(
            f"{ns}:delivery.gitRepo: required with the delivery layer: the GitOps repository of the services"
        )
    if delivery.enabled and not platform.enabled:
        problems.append(f"{ns}:delivery.enabled: got true without the platform layer (ArgoCD), expected false")
    for index, env in enumerate(delivery.production_environments):
        if env not in delivery.environments:
            problems.append(
                f"{ns}:delivery.productionEnvironments[{index}]: got '{env}', expected one of environments "
                f"{delivery.environments}"
            )
    if settings.azure.enabled and settings.clusters is not None and settings.delivery.enabled:
        clusters = settings.clusters.enabled()
        served = {env for cluster in clusters.values() for env in cluster.environments}
        for index, env in enumerate(settings.delivery.environments):
            if env not in served:
                problems.append(
                    f"{ns}:delivery.environments[{index}]: got '{env}', expected an environment that an enabled "
                    f"cluster serves ({', '.join(sorted(served))})"
                )
        gpu_served = set(clusters["gpu"].environments) if "gpu" in clusters else set()
        for index, service in enumerate(settings.delivery.services):
            missing = sorted(set(service.environments or settings.delivery.environments) - gpu_served)
            if service.gpu and missing:
                problems.append(
                    f"{ns}:delivery.services[{index}].gpu: service '{service.name}' needs GPUs in {missing}, "
                    "expected a gpu cluster serving each of them"
                )
    if settings.identity is not None:
        problems += _identity_checks(settings, stack)
    return problems


# Roles that can grant roles; the deploy identity gets that right only with a condition.
ROLE_GRANTING_ROLES = ("Owner", "User Access Administrator", "Role Based Access Control Administrator")

# Azure allows at most 20 federated identity credentials on one managed identity or application
# (the issue's figure; see components/cloud/federated_identity.py).
MAX_FEDERATED_CREDENTIALS = 20


def _identity_checks(settings: Settings, stack: str) -> list[str]:
    """Every identity within Azure's credential cap; Slipway's repository the one the GitHub layer wires."""
    assert settings.identity is not None
    ns, identity, github = NAMESPACE, settings.identity, settings.github
    problems: list[str] = []
    for index, role in enumerate(identity.deploy_roles):
        try:
            role_id(role)
        except ValueError as err:
            problems.append(f"{ns}:identity.deployRoles[{index}]: got '{role}', expected a built-in role name ({err})")
        if role in ROLE_GRANTING_ROLES:
            problems.append(
                f"{ns}:identity.deployRoles[{index}]: got '{role}', expected a role that cannot grant roles: the "
                "deploy identity assigns roles only through its constrained Role Based Access Control Administrator"
            )
    federated = identity.credential is IdentityCredential.FEDERATED
    delivery = delivery_subjects(settings)
    for index, service in enumerate(settings.delivery.services):
        subjects = delivery.get(service.repository or "", [])
        if federated and len(subjects) > MAX_FEDERATED_CREDENTIALS:
            key = f"delivery.services[{index}].environments" if service.environments else "delivery.environments"
            problems.append(
                f"{ns}:{key}: the delivery identity of repository '{service.repository}' would need "
                f"{len(subjects)} federated credentials (one per environment), expected at most "
                f"{MAX_FEDERATED_CREDENTIALS}, Azure's limit per identity: deliver it to fewer environments"
            )
    if github.enabled and github.owner is not None:
        expected = f"{github.owner}/{github.platform_repository}"
        if identity.repository != expected:
            problems.append(
                f"{ns}:identity.repository: got '{identity.repository}', expected '{expected}' "
                "(github.owner/github.platformRepository), the repository whose environments the GitHub layer wires"
            )
        if not re.fullmatch(r"[A-Z_][A-Z0-9_]*", variable_prefix(stack)):
            problems.append(
                f"slipway:github.enabled: stack '{stack}' gives the variable prefix '{variable_prefix(stack)}', "
                "expected a letter or '_' first (GitHub variable names): rename the stack or switch the layer off"
            )
    return problems


def variable_prefix(stack: str) -> str:
    """`<S>` in Slipway's repository variables `<S>_PREVIEW_AZURE_CLIENT_ID`: the stack name upper-cased."""
    return re.sub(r"[^A-Z0-9_]", "_", stack.upper())


def drift_environment(stack: str) -> str:
    """The GitHub environment of the stack's scheduled drift refresh."""
    return f"{stack}-drift"


def deploy_subjects(identity: IdentitySettings, stack: str) -> list[str]:
    """Who may run `pulumi up`: the stack's own environment; on a non-production stack, its main branch too."""
    subjects = [f"repo:{identity.repository}:environment:{stack}"]
    if not PRODUCTION_STACK.match(stack):
        subjects.append(f"repo:{identity.repository}:ref:refs/heads/{identity.main_branch}")
    return subjects


def preview_subjects(identity: IdentitySettings, stack: str) -> list[str]:
    """Who may preview (read only): Slipway's pull requests and the stack's drift environment."""
    return [
        f"repo:{identity.repository}:pull_request",
        f"repo:{identity.repository}:environment:{drift_environment(stack)}",
    ]


def delivery_subjects(settings: Settings) -> dict[str, list[str]]:
    """Service repository name -> the subjects its delivery identity trusts: each delivery environment.

    Only the stack that wires the service repositories (github.manageServiceRepositories) gives
    them identities: an identity no repository signs in as is a door nobody watches.
    """
    github = settings.github
    if settings.identity is None or not (settings.delivery.enabled and github.enabled):
        return {}
    if not github.manage_service_repositories:
        return {}
    owner = settings.identity.repository.split("/", 1)[0]
    found: dict[str, list[str]] = {}
    for service in settings.delivery.services:
        if service.repository is None:
            continue
        subjects = found.setdefault(service.repository, [])
        for env in service.environments or settings.delivery.environments:
            subject = f"repo:{owner}/{service.repository}:environment:{env}"
            if subject not in subjects:
                subjects.append(subject)
    return found


class SettingsError(pulumi.RunError):
    """A stack file that does not validate; `problems` holds one readable line each.

    A `pulumi.RunError`, so a real `pulumi up` prints the message without a traceback.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid stack settings:\n" + "\n".join(f"  - {p}" for p in problems))


def _key_path(loc: tuple[int | str, ...]) -> str:
    path = f"{NAMESPACE}:{loc[0]}" if loc else NAMESPACE
    for part in loc[1:]:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _holds_secret(loc: tuple[int | str, ...]) -> bool:
    """Whether the value at `loc` is a secret setting, sits inside one, or stands for a section holding one."""
    keys = tuple(part for part in loc if isinstance(part, str))
    return any(path[: len(keys)] == keys or keys[: len(path)] == path for path in _secret_field_paths(Settings))


def _shown(value: Any, loc: tuple[int | str, ...]) -> str:
    if _holds_secret(loc) or any(
        isinstance(part, str) and re.search(r"token|password|secret|key$", part, re.I) for part in loc
    ):
        return "[secret]"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _describe(error: Any) -> str:
    loc = tuple(error["loc"])
    path = _key_path(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        # The value is not shown: a misspelt key may well hold a secret.
        return f"{path}: unknown key, expected one of the keys in docs/SETTINGS.md"
    if kind == "missing":
        return f"{path}: required key is missing"
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind in ("value_error", "assertion_error"):
        return f"{path}: {message}"
    if kind == "string_pattern_mismatch":
        message = _PATTERN_MEANINGS.get(error["ctx"]["pattern"], message)
    for wording, plain in _PLAIN_WORDS:
        message = message.replace(wording, plain)
    return f"{path}: got {_shown(error['input'], loc)}, expected {message}"


# pydantic's wording, turned into the object of "expected ...".
_PLAIN_WORDS = (
    ("Input should be a valid ", "a "),
    ("Input should be ", ""),
    ("String should have at most", "a string of at most"),
    ("List should have at least", "a list of at least"),
    ("List should have at most", "a list of at most"),
    ("Value should have at least", "at least"),
)


def sections_from_config(config: Mapping[str, str]) -> dict[str, Any]:
    """The `slipway:*` keys of a flat Pulumi config (structured values are JSON text), by section."""
    raw: dict[str, Any] = {}
    for key, text in config.items():
        if key.startswith(f"{NAMESPACE}:"):
            try:
                raw[key.removeprefix(f"{NAMESPACE}:")] = json.loads(text)
            except (TypeError, json.JSONDecodeError):
                raw[key.removeprefix(f"{NAMESPACE}:")] = text
    return raw


def load_settings(raw: Mapping[str, Any], stack: str) -> Settings:
    """Validate the raw `slipway:*` sections of stack `stack`, or raise `SettingsError`."""
    unknown = sorted(set(raw) - set(SECTIONS))
    problems = [f"{NAMESPACE}:{key}: unknown config section, expected one of {', '.join(SECTIONS)}" for key in unknown]
    sections = {key: value for key, value in raw.items() if key in SECTIONS}
    try:
        settings = Settings.model_validate(sections)
    except ValidationError as err:
        raise SettingsError(problems + [_describe(e) for e in err.errors()]) from None
    problems += _cross_checks(settings, stack)
    if problems:
        raise SettingsError(problems)
    return settings


def _secret_field_paths(model: type[BaseModel]) -> Iterator[tuple[str, ...]]:
    for name, info in model.model_fields.items():
        key = info.alias or name
        outer = {info.annotation, *get_args(info.annotation)}
        kinds = outer | {inner for kind in outer for inner in get_args(kind)}
        if SecretStr in kinds:
            yield (key,)
        for kind in kinds:
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                yield from ((key, *rest) for rest in _secret_field_paths(kind))


def stored_secrets(raw: Mapping[str, Any]) -> list[str]:
    """The key paths (`slipway:registries.ghcr.pullToken`) of secret-typed settings present in `raw`."""
    found = []
    for path in _secret_field_paths(Settings):
        value: Any = raw
        for part in path:
            value = value.get(part) if isinstance(value, Mapping) else None
        if value is not None:
            found.append(f"{NAMESPACE}:{path[0]}." + ".".join(path[1:]))
    return found


def secret_output(value: SecretStr) -> pulumi.Output[str]:
    """The one way to read a secret setting: as a Pulumi secret, never as plain text."""
    return pulumi.Output.secret(value.get_secret_value())
