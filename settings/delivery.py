"""Settings of the delivery layer: `slipway:delivery` (environments, services, production's window)."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from contracts.gitops import environment_label, is_system_namespace
from settings.base import PRODUCTION_STACK, Dns1123Label, Model, RepositoryName, unique
from settings.platform import GitRepoSettings

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
