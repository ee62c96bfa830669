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
from collections.abc import Iterator, Mapping
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

from wiring.roles_by_name import role_id

NAMESPACE = "slipway"
SECTIONS = ("azure", "registries", "identity", "clusters", "platform", "delivery", "github")

# Stacks whose name is `prod` or starts with `prod-` are production stacks: they must
# protect stateful and identity resources.
PRODUCTION_STACK = re.compile(r"^prod(-.*)?$")

# What each name pattern means, for error messages: a regex is no answer to a person.
_PATTERN_MEANINGS: dict[str, str] = {}


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
AcrName = Annotated[str, _pattern(r"^[a-zA-Z0-9]{5,50}$", "a registry name of 5-50 letters and digits")]
GitHubOwner = Annotated[str, _pattern(rf"^{_OWNER}$", "a GitHub user or organisation name")]
GitHubRepo = Annotated[str, _pattern(rf"^{_OWNER}/[A-Za-z0-9._-]{{1,100}}$", "a GitHub repository as OWNER/NAME")]
GitBranch = Annotated[str, _pattern(r"^[A-Za-z0-9._/-]{1,200}$", "a git branch name")]
KubernetesVersion = Annotated[str, _pattern(r"^1\.\d{2}\.\d{1,2}$", "an exact Kubernetes version such as 1.33.5")]
VmSize = Annotated[str, _pattern(r"^Standard_[A-Za-z0-9_]+$", "an Azure VM size such as Standard_D4ds_v5")]
AgentPoolName = Annotated[
    str,
    _pattern(r"^[a-z][a-z0-9]{0,11}$", "an AKS pool name (1-12 lowercase letters and digits, starting with a letter)"),
]
HttpsUrl = Annotated[str, _pattern(r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s]*)?$", "an https:// URL")]
Uuid = Annotated[
    str,
    _pattern(
        r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        "an object id (lowercase UUID)",
    ),
]
AvailabilityZone = Literal["1", "2", "3"]


def _cidr(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value, strict=True))
    except ValueError as err:
        raise ValueError(f"an IP range in CIDR form such as 203.0.113.0/24 ({err})") from None


Cidr = Annotated[str, AfterValidator(_cidr)]


class Model(BaseModel):
    """Base of every settings model: camelCase keys, unknown keys rejected, immutable."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        validate_default=True,
    )


def _unique(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} must be unique, '{value}' appears twice")
        seen.add(value)


# --- slipway:azure -------------------------------------------------------------------


class AzureSettings(Model):
    """Where the cloud layer lives. `enabled: false` switches the whole cloud layer off."""

    enabled: bool = True
    location: AzureRegion = "westeurope"
    name_prefix: NamePrefix = "slipway"
    protect: bool = False
    tags: dict[str, str] = Field(default_factory=dict)


# --- slipway:registries --------------------------------------------------------------


class AcrSku(StrEnum):
    BASIC = "Basic"
    STANDARD = "Standard"
    PREMIUM = "Premium"


class AcrSettings(Model):
    """Azure Container Registry: private, no admin user, no anonymous pull."""

    enabled: bool = True
    name: AcrName | None = None
    sku: AcrSku = AcrSku.STANDARD
    public_network_access: bool = True
    zone_redundant: bool = False
    geo_replicas: list[AzureRegion] = Field(default_factory=list)
    untagged_retention_days: int | None = Field(default=None, ge=0, le=365)

    @model_validator(mode="after")
    def _premium_features(self) -> Self:
        premium_only = {
            "zoneRedundant": self.zone_redundant,
            "geoReplicas": bool(self.geo_replicas),
            "untaggedRetentionDays": self.untagged_retention_days is not None,
            "publicNetworkAccess": not self.public_network_access,
        }
        used = [key for key, on in premium_only.items() if on]
        if used and self.sku is not AcrSku.PREMIUM:
            raise ValueError(f"{', '.join(used)}: only with sku Premium, got sku {self.sku.value}")
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
    PATCH = "patch"
    STABLE = "stable"
    RAPID = "rapid"
    NODE_IMAGE = "node-image"


class NodeOsUpgradeChannel(StrEnum):
    NODE_IMAGE = "NodeImage"
    SECURITY_PATCH = "SecurityPatch"


class NetworkPolicy(StrEnum):
    AZURE = "azure"
    CALICO = "calico"
    CILIUM = "cilium"


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


class GpuPoolSettings(Model):
    name: AgentPoolName
    vm_size: VmSize
    min_count: int = Field(default=0, ge=0, le=100)
    max_count: int = Field(ge=1, le=100)
    spot: bool = False
    spot_max_price: float = Field(default=-1, ge=-1)
    driver: GpuDriver = GpuDriver.NONE

    @model_validator(mode="after")
    def _bounds(self) -> Self:
        if self.min_count > self.max_count:
            raise ValueError(f"minCount {self.min_count} is greater than maxCount {self.max_count}")
        return self


class ClusterSettings(Model):
    """One AKS cluster with the security baseline; what varies per stack is here."""

    enabled: bool = True
    kubernetes_version: KubernetesVersion
    tier: ClusterTier = ClusterTier.FREE
    environments: list[Dns1123Label] = Field(min_length=1)
    availability_zones: list[AvailabilityZone] = Field(default_factory=list)
    admin_group_object_ids: list[Uuid] = Field(min_length=1)
    authorized_ip_ranges: list[Cidr] = Field(default_factory=list)
    private: bool = False
    upgrade_channel: UpgradeChannel = UpgradeChannel.PATCH
    node_os_upgrade_channel: NodeOsUpgradeChannel = NodeOsUpgradeChannel.NODE_IMAGE
    network_policy: NetworkPolicy = NetworkPolicy.CILIUM
    system_pool: PoolSettings = Field(default_factory=PoolSettings)
    user_pool: PoolSettings = Field(default_factory=PoolSettings)
    gpu_pools: list[GpuPoolSettings] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.private and self.authorized_ip_ranges:
            raise ValueError("a private cluster takes no authorizedIpRanges: its API server has no public endpoint")
        _unique(self.environments, "environments")
        _unique([pool.name for pool in self.gpu_pools], "gpuPools names")
        return self


class ClustersSettings(Model):
    hub: ClusterSettings
    gpu: ClusterSettings | None = None

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


class ArgoRbacSettings(Model):
    """Entra ID (or SSO) group names or ids mapped to ArgoCD roles; everyone else is readonly."""

    admins: list[str] = Field(default_factory=list)
    operators: list[str] = Field(default_factory=list)
    developers: list[str] = Field(default_factory=list)
    ci_deployers: list[str] = Field(default_factory=list)


class SsoSettings(Model):
    """OIDC single sign-on for the ArgoCD UI and CLI (e.g. an Entra ID app registration)."""

    issuer: HttpsUrl
    client_id: str = Field(min_length=1)
    client_secret: SecretStr | None = None


class NotificationsSettings(Model):
    slack_token: SecretStr | None = None
    slack_channel: str = Field(default="platform-alerts", pattern=r"^[a-z0-9][a-z0-9_-]{0,79}$")


class ArgoCdSettings(Model):
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
        default_factory=lambda: [
            "kube-system",
            "kube-public",
            "kube-node-lease",
            "gatekeeper-system",
            "argocd",
            "argo-rollouts",
            "sealed-secrets",
            "gpu-operator",
        ]
    )


class MetricsSettings(Model):
    """Metrics are always exposed; ServiceMonitors only where a Prometheus operator runs."""

    service_monitors: bool = False
    prometheus_url: Annotated[str, _pattern(r"^https?://[A-Za-z0-9.-]+(:[0-9]+)?(/\S*)?$", "an http(s) URL")] | None = (
        None
    )


class AnalysisSettings(Model):
    """Thresholds of the canary analysis every Rollout can reference."""

    success_rate: float = Field(default=0.99, gt=0, le=1)
    latency_p95_seconds: float = Field(default=0.5, gt=0)
    error_rate: float = Field(default=0.01, ge=0, lt=1)


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
    repository: Annotated[str, _pattern(r"^[A-Za-z0-9._-]{1,100}$", "a repository name")] | None = None
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


class DeliverySettings(Model):
    enabled: bool = True
    environments: list[Dns1123Label] = Field(default_factory=lambda: ["dev", "staging", "prod"], min_length=1)
    production_environments: list[Dns1123Label] = Field(default_factory=lambda: ["prod"])
    git_repo: GitRepoSettings | None = None
    projects: ProjectLayout = ProjectLayout.SHARED
    production_sync_window: SyncWindowSettings = Field(default_factory=SyncWindowSettings)
    revision_history_limit: int = Field(default=10, ge=1, le=100)
    services: list[ServiceSettings] = Field(default_factory=list)

    @model_validator(mode="after")
    def _names(self) -> Self:
        _unique(self.environments, "environments")
        _unique([service.name for service in self.services], "service names")
        for service in self.services:
            for env in service.environments or self.environments:
                if len(f"{service.name}-{env}") > 63:
                    raise ValueError(
                        f"service '{service.name}' in environment '{env}' needs the namespace "
                        f"'{service.name}-{env}', longer than Kubernetes' 63 characters: shorten the name"
                    )
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
    """The registry's name: `registries.acr.name`, or `<namePrefix><stack>acr` without punctuation."""
    return settings.registries.acr.name or re.sub(r"[^a-z0-9]", "", f"{settings.azure.name_prefix}{stack}acr")


def _cross_checks(settings: Settings, stack: str) -> list[str]:
    """Problems that span sections, each named by the key path to fix."""
    problems: list[str] = []
    ns = NAMESPACE
    if settings.azure.enabled:
        derived = acr_registry_name(settings, stack)
        if settings.registries.acr.enabled and not re.fullmatch(r"[a-zA-Z0-9]{5,50}", derived):
            problems.append(
                f"{ns}:registries.acr.name: the name derived for stack '{stack}' is '{derived}', expected "
                "5-50 letters and digits: set registries.acr.name"
            )
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
# (the figure; see components/cloud/federated_identity.py).
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


def _shown(value: Any, loc: tuple[int | str, ...]) -> str:
    if any(isinstance(part, str) and re.search(r"token|password|secret|key$", part, re.I) for part in loc):
        return "[secret]"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _describe(error: Any) -> str:
    loc = tuple(error["loc"])
    path = _key_path(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        # The value is not shown: a misspelt key may well hold a secret.
        return f"{path}: unknown key, expected one of the keys in the README's settings reference"
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
