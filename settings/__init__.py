"""Typed, validated stack settings: the only reading of `slipway:*` config, one module per layer.

`wiring/stack.py` hands the raw structured config (one dict per `slipway:<section>` key) to
`load_settings` (`loader`), which validates every section (`cloud`, `platform`, `delivery`, `github`,
assembled in `stack`) and the checks that span them (`checks`) once, and either returns a frozen
`Settings` or raises `SettingsError` listing one readable line per problem (key path, bad value, what
was expected). Only the wiring reads these models: components take typed Args built from them.

Fields that hold secrets are typed `SecretStr`: their value never shows in a repr, an error or a log,
and `secret_output` is the only way to read one, as a Pulumi secret.
"""

from __future__ import annotations

from settings.base import (
    ACR_NAME as ACR_NAME,
)
from settings.base import (
    AGENT_POOL_NAME as AGENT_POOL_NAME,
)
from settings.base import (
    CLUSTER_NAME as CLUSTER_NAME,
)
from settings.base import (
    DNS_PREFIX as DNS_PREFIX,
)
from settings.base import (
    DNS_PREFIX_MAX_LENGTH as DNS_PREFIX_MAX_LENGTH,
)
from settings.base import (
    NAMESPACE as NAMESPACE,
)
from settings.base import (
    PATTERN_MEANINGS as PATTERN_MEANINGS,
)
from settings.base import (
    PRODUCTION_STACK as PRODUCTION_STACK,
)
from settings.base import (
    UUID_PATTERN as UUID_PATTERN,
)
from settings.base import (
    WORKSPACE_NAME as WORKSPACE_NAME,
)
from settings.base import (
    AcrName as AcrName,
)
from settings.base import (
    AgentPoolName as AgentPoolName,
)
from settings.base import (
    AvailabilityZone as AvailabilityZone,
)
from settings.base import (
    AzureRegion as AzureRegion,
)
from settings.base import (
    Cidr as Cidr,
)
from settings.base import (
    Dns1123Label as Dns1123Label,
)
from settings.base import (
    GitBranch as GitBranch,
)
from settings.base import (
    GitHubOwner as GitHubOwner,
)
from settings.base import (
    GitHubRepo as GitHubRepo,
)
from settings.base import (
    HttpsUrl as HttpsUrl,
)
from settings.base import (
    KubernetesVersion as KubernetesVersion,
)
from settings.base import (
    MaintenanceTime as MaintenanceTime,
)
from settings.base import (
    Model as Model,
)
from settings.base import (
    NamePrefix as NamePrefix,
)
from settings.base import (
    RepositoryName as RepositoryName,
)
from settings.base import (
    TagName as TagName,
)
from settings.base import (
    TagValue as TagValue,
)
from settings.base import (
    UtcOffset as UtcOffset,
)
from settings.base import (
    Uuid as Uuid,
)
from settings.base import (
    VmSize as VmSize,
)
from settings.base import (
    pattern as pattern,
)
from settings.base import (
    pattern_meaning as pattern_meaning,
)
from settings.base import (
    secret_output as secret_output,
)
from settings.base import (
    unique as unique,
)
from settings.checks import (
    MAX_FEDERATED_CREDENTIALS as MAX_FEDERATED_CREDENTIALS,
)
from settings.checks import (
    ROLE_GRANTING_ROLES as ROLE_GRANTING_ROLES,
)
from settings.checks import (
    acr_registry_name as acr_registry_name,
)
from settings.checks import (
    delivery_subjects as delivery_subjects,
)
from settings.cloud import (
    ARGOCD as ARGOCD,
)
from settings.cloud import (
    DEPLOY_CI as DEPLOY_CI,
)
from settings.cloud import (
    GOLDEN_IMAGE_BUILD as GOLDEN_IMAGE_BUILD,
)
from settings.cloud import (
    MAX_AUTHORIZED_IP_RANGES as MAX_AUTHORIZED_IP_RANGES,
)
from settings.cloud import (
    REGISTRY as REGISTRY,
)
from settings.cloud import (
    RESERVED_POOL_NAMES as RESERVED_POOL_NAMES,
)
from settings.cloud import (
    AcrSettings as AcrSettings,
)
from settings.cloud import (
    AcrSku as AcrSku,
)
from settings.cloud import (
    AzureSettings as AzureSettings,
)
from settings.cloud import (
    ClusterSettings as ClusterSettings,
)
from settings.cloud import (
    ClustersSettings as ClustersSettings,
)
from settings.cloud import (
    ExpectedUnreachable as ExpectedUnreachable,
)
from settings.cloud import (
    GhcrSettings as GhcrSettings,
)
from settings.cloud import (
    GpuPoolSettings as GpuPoolSettings,
)
from settings.cloud import (
    IdentityCredential as IdentityCredential,
)
from settings.cloud import (
    IdentityMode as IdentityMode,
)
from settings.cloud import (
    IdentitySettings as IdentitySettings,
)
from settings.cloud import (
    MaintenanceSettings as MaintenanceSettings,
)
from settings.cloud import (
    MaintenanceWindowSettings as MaintenanceWindowSettings,
)
from settings.cloud import (
    MonitoringSettings as MonitoringSettings,
)
from settings.cloud import (
    NetworkSettings as NetworkSettings,
)
from settings.cloud import (
    PoolSettings as PoolSettings,
)
from settings.cloud import (
    RegistriesSettings as RegistriesSettings,
)
from settings.cloud import (
    RegistryAccess as RegistryAccess,
)
from settings.cloud import (
    Runners as Runners,
)
from settings.cloud import (
    api_server as api_server,
)
from settings.cloud import (
    delivery as delivery,
)
from settings.cloud import (
    deploy_subjects as deploy_subjects,
)
from settings.cloud import (
    drift_environment as drift_environment,
)
from settings.cloud import (
    kubelet as kubelet,
)
from settings.cloud import (
    preview_subjects as preview_subjects,
)
from settings.cloud import (
    runs_on as runs_on,
)
from settings.delivery import (
    MAX_ENVIRONMENTS as MAX_ENVIRONMENTS,
)
from settings.delivery import (
    MAX_SERVICES as MAX_SERVICES,
)
from settings.delivery import (
    DeliverySettings as DeliverySettings,
)
from settings.delivery import (
    ProjectLayout as ProjectLayout,
)
from settings.delivery import (
    ServiceSettings as ServiceSettings,
)
from settings.delivery import (
    SyncWindowSettings as SyncWindowSettings,
)
from settings.github import (
    GithubSettings as GithubSettings,
)
from settings.github import (
    GoldenImagesSettings as GoldenImagesSettings,
)
from settings.github import (
    ReviewersSettings as ReviewersSettings,
)
from settings.github import (
    SharedVariables as SharedVariables,
)
from settings.github import (
    variable_prefix as variable_prefix,
)
from settings.loader import (
    SettingsError as SettingsError,
)
from settings.loader import (
    load_settings as load_settings,
)
from settings.loader import (
    sections_from_config as sections_from_config,
)
from settings.loader import (
    stored_secrets as stored_secrets,
)
from settings.offered import (
    unlisted_warnings as unlisted_warnings,
)
from settings.platform import (
    ENTRA_ISSUER as ENTRA_ISSUER,
)
from settings.platform import (
    AddonsSettings as AddonsSettings,
)
from settings.platform import (
    AnalysisSettings as AnalysisSettings,
)
from settings.platform import (
    ArgoCdSettings as ArgoCdSettings,
)
from settings.platform import (
    ArgoRbacSettings as ArgoRbacSettings,
)
from settings.platform import (
    EnforcementAction as EnforcementAction,
)
from settings.platform import (
    GatekeeperSettings as GatekeeperSettings,
)
from settings.platform import (
    GitRepoSettings as GitRepoSettings,
)
from settings.platform import (
    MetricsSettings as MetricsSettings,
)
from settings.platform import (
    NotificationsSettings as NotificationsSettings,
)
from settings.platform import (
    PlatformSettings as PlatformSettings,
)
from settings.platform import (
    RbacSubject as RbacSubject,
)
from settings.platform import (
    SsoSettings as SsoSettings,
)
from settings.platform import (
    TraceBackend as TraceBackend,
)
from settings.platform import (
    TracesSettings as TracesSettings,
)
from settings.stack import (
    SECTIONS as SECTIONS,
)
from settings.stack import (
    Settings as Settings,
)
