"""Settings of the delivery layer: `slipway:delivery` (environments, services, production's window)."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Self

from pydantic import AfterValidator, Field, field_validator, model_validator

from contracts.gitops import Addon, environment_label, is_system_namespace
from contracts.helm import MAX_RELEASE_NAME, release_name_problem
from contracts.syncwindow import CronError, load_location, parse_duration, parse_schedule
from settings.base import PRODUCTION_STACK, Dns1123Label, Model, RepositoryName, unique
from settings.platform import GitRepoSettings

# --- slipway:delivery ----------------------------------------------------------------


def _release_name(name: str) -> str:
    # The service's name is its Helm release name in every environment (the Application's
    # `helm.releaseName`); Helm refuses more than 53 characters, so `helm template` would fail.
    if release_name_problem(name) is not None:
        raise ValueError(
            f"at most {MAX_RELEASE_NAME} characters ({len(name)} given): it is the service's Helm release name, "
            "which Helm limits to 53"
        )
    return name


class ServiceSettings(Model):
    """One service: its chart and per-environment values live in the GitOps repository."""

    name: Annotated[Dns1123Label, AfterValidator(_release_name)]
    team: Dns1123Label = "services"
    repository: RepositoryName | None = None
    gpu: bool = False
    autoscaling: bool = False
    environments: list[Dns1123Label] | None = None


class ProjectLayout(StrEnum):
    SHARED = "shared"
    PER_TEAM = "perTeam"


class SyncWindowSettings(Model):
    """When production may change: an allow window (cron start, duration, IANA time zone).

    Outside the window nothing syncs in production, manual syncs included. `breakGlass` is the
    documented way out: a reason (an incident or change ticket) that, committed to the stack file and
    applied, lets manual syncs through outside the window and writes the reason into the window's
    description, so the exception is reviewed, applied by Pulumi and shown in the AppProject.
    Schedule, duration and zone are read as ArgoCD v3.4.4 reads them (contracts/syncwindow.py).
    """

    schedule: str = "0 8 * * 1-4"
    duration: str = "8h"
    time_zone: str = "UTC"
    break_glass: str | None = Field(default=None, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        try:
            schedule = parse_schedule(value)
        except CronError as error:
            raise ValueError(f"a five-field cron schedule as ArgoCD parses it (robfig/cron): {error}") from None
        if not schedule.ever_fires():
            raise ValueError("a schedule that fires on some date (ArgoCD treats one that never fires as always open)")
        return value

    @field_validator("duration")
    @classmethod
    def _duration(cls, value: str) -> str:
        try:
            duration = parse_duration(value)
        except ValueError as error:
            raise ValueError(f"a Go duration such as 8h or 90m: {error}") from None
        if not timedelta(minutes=1) <= duration <= timedelta(days=7):
            raise ValueError("a duration from 1m to 168h (a shorter window never opens; a week covers every schedule)")
        return value

    @field_validator("time_zone")
    @classmethod
    def _time_zone(cls, value: str) -> str:
        # ArgoCD logs an unknown zone and silently uses UTC: refuse it here instead.
        if value == "Local" or load_location(value) is None:
            raise ValueError(
                "an IANA time zone name such as UTC or Europe/Amsterdam (ArgoCD reads an unknown one as UTC)"
            )
        return value


# An add-on's Applications are `<addon>-<cluster>`, a service's `<service>-<environment>-<cluster>`.
ADDON_APPLICATIONS = frozenset(addon.value for addon in Addon)

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
        unique(self.environments, "environments")
        unique([service.name for service in self.services], "service names")
        unique([s.repository for s in self.services if s.repository is not None], "service repositories")
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
                if namespace in ADDON_APPLICATIONS:
                    raise ValueError(
                        f"{where} makes the Applications '{namespace}-<cluster>', the names of add-on "
                        f"'{namespace}''s Applications: rename the service"
                    )
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
