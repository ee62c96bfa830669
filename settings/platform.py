"""Settings of the platform layer: `slipway:platform` (ArgoCD, its add-ons and their policies)."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Self

from pydantic import AfterValidator, Field, SecretStr, model_validator

from contracts.analysis import AnalysisThresholds
from contracts.gitops import KUBERNETES_NAMESPACES, PLATFORM_NAMESPACES
from settings.base import Dns1123Label, GitBranch, HttpsUrl, Model, Uuid, pattern

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
    """SSO groups mapped to ArgoCD rights (Entra ID: group object ids); anyone else gets nothing.

    - `admins`: ArgoCD's built-in admin role;
    - `operators`: everything on every application (override and production syncs included), read
      the rest;
    - `developers`: view (get, logs) every application, change none;
    - `teams`: per team, the groups that may also sync that team's non-production applications (its
      project's `developer` role; needs `delivery.projects: perTeam`);
    - `releasers`: may sync production applications (inside the production sync window);
    - `ciDeployers`: CI, whose only right is the `ci` role of each non-production project.
    Syncing any revision other than the Application's own needs `override`, which only operators
    and admins hold (`application.sync.requireOverridePrivilegeForRevisionSync`).
    """

    admins: list[RbacSubject] = Field(default_factory=list)
    operators: list[RbacSubject] = Field(default_factory=list)
    developers: list[RbacSubject] = Field(default_factory=list)
    teams: dict[Dns1123Label, list[RbacSubject]] = Field(default_factory=dict)
    releasers: list[RbacSubject] = Field(default_factory=list)
    ci_deployers: list[RbacSubject] = Field(default_factory=list)

    def subjects(self) -> dict[str, list[str]]:
        """Every group list by its key path under `rbac` (`teams.<team>` for a team's)."""
        lists = {key: value for key, value in self.model_dump(by_alias=True).items() if key != "teams"}
        return lists | {f"teams.{team}": groups for team, groups in self.teams.items()}


# Entra ID's OIDC issuer, in the form ArgoCD's Entra ID guide gives:
# `https://login.microsoftonline.com/{directory_tenant_id}/v2.0` (argoproj/argo-cd v3.4.4,
# docs/operator-manual/user-management/microsoft.md, line 75).
ENTRA_ISSUER = re.compile(r"^https://login\.microsoftonline\.com/[^/]+/v2\.0/?$")


class SsoSettings(Model):
    """OIDC single sign-on for the ArgoCD UI and CLI (e.g. an Entra ID app registration)."""

    issuer: HttpsUrl
    client_id: str = Field(min_length=1)
    client_secret: SecretStr | None = None
    # Entra ID without a client secret: the app registration's object id, on which Pulumi declares
    # the federated credential argocd-server signs users in with (workload identity).
    application_object_id: Uuid | None = None

    @property
    def entra(self) -> bool:
        """Entra ID puts group object ids, not names, in the `groups` claim."""
        return bool(ENTRA_ISSUER.match(self.issuer))


class NotificationsSettings(Model):
    slack_token: SecretStr | None = None
    slack_channel: str = Field(default="platform-alerts", pattern=r"^[a-z0-9][a-z0-9_-]{0,79}$")


class RepositoryCredentialsSettings(Model):
    """A GitHub App ArgoCD reads the platform and GitOps repositories as (private repositories).

    Install the App on those two repositories only, with read access to contents; its private key
    is a secret setting. Without this, both repositories must be public.
    """

    github_app_id: int = Field(ge=1)
    github_app_installation_id: int = Field(ge=1)
    github_app_private_key: SecretStr


class ArgoCdSettings(Model):
    # ArgoCD's external URL (argocd-cm `url`): SSO redirects and notification links use it.
    url: HttpsUrl | None = None
    repository_credentials: RepositoryCredentialsSettings | None = None
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


HttpUrl = Annotated[str, pattern(r"^https?://[A-Za-z0-9.-]+(:[0-9]+)?(/\S*)?$", "an http(s) URL")]


class MetricsSettings(Model):
    """Where metrics go: by default a Prometheus on every cluster (kube-prometheus-stack, installed by ArgoCD).

    `inCluster: false` installs none; canary analysis then needs `prometheusUrl`, an external
    Prometheus (which also overrides the in-cluster one for analysis). ServiceMonitors follow
    the in-cluster stack unless set: they need the Prometheus operator's CRDs.
    """

    in_cluster: bool = True
    service_monitors: bool | None = None
    prometheus_url: HttpUrl | None = None

    @property
    def scrape(self) -> bool:
        """Whether the add-ons declare ServiceMonitors."""
        return self.in_cluster if self.service_monitors is None else self.service_monitors


class TraceBackend(StrEnum):
    APPLICATION_INSIGHTS = "applicationInsights"
    OTLP = "otlp"
    NONE = "none"


class TracesSettings(Model):
    """Traces: an OpenTelemetry collector on every cluster receiving OTLP, exporting to `backend`.

    - `applicationInsights` (the default with the cloud layer and its Log Analytics workspace): an
      Application Insights component Pulumi declares on that workspace;
    - `otlp`: an OTLP/HTTP endpoint you run (`otlpEndpoint`, e.g. a Tempo or Jaeger);
    - `none` (the default without the cloud layer): no collector.
    """

    backend: TraceBackend | None = None
    otlp_endpoint: HttpUrl | None = None

    @model_validator(mode="after")
    def _endpoint_with_otlp(self) -> Self:
        if (self.backend is TraceBackend.OTLP) != (self.otlp_endpoint is not None):
            raise ValueError(
                f"otlpEndpoint: got {self.otlp_endpoint!r} with backend {self.backend and self.backend.value!r}, "
                "expected an endpoint exactly when backend is otlp"
            )
        return self

    def resolved(self, workspace: bool) -> TraceBackend:
        """The backend in effect: the one set, else Application Insights where the stack has a workspace."""
        if self.backend is not None:
            return self.backend
        return TraceBackend.APPLICATION_INSIGHTS if workspace else TraceBackend.NONE


class AnalysisSettings(Model):
    """Thresholds of the canary analysis every Rollout can reference (finite numbers only).

    CPU and memory are the canary's usage over its requests (1.0 = using exactly what it requests).
    """

    success_rate: float = Field(default=0.99, gt=0, le=1, allow_inf_nan=False)
    latency_p95_seconds: float = Field(default=0.5, gt=0, allow_inf_nan=False)
    error_rate: float = Field(default=0.01, ge=0, lt=1, allow_inf_nan=False)
    cpu_usage_to_request: float = Field(default=1.5, gt=0, allow_inf_nan=False)
    memory_usage_to_request: float = Field(default=1.2, gt=0, allow_inf_nan=False)

    def thresholds(self) -> AnalysisThresholds:
        return AnalysisThresholds(**self.model_dump())


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
    traces: TracesSettings = Field(default_factory=TracesSettings)
    analysis: AnalysisSettings = Field(default_factory=AnalysisSettings)
