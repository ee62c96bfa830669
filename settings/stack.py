"""The whole stack's settings: every `slipway:*` section, by layer."""

from __future__ import annotations

from pydantic import Field

from settings.base import Model
from settings.cloud import AzureSettings, ClustersSettings, IdentitySettings, RegistriesSettings
from settings.delivery import DeliverySettings
from settings.github import GithubSettings
from settings.platform import PlatformSettings

SECTIONS = ("azure", "registries", "identity", "clusters", "platform", "delivery", "github")


class Settings(Model):
    """Every `slipway:*` section of one stack, validated together."""

    azure: AzureSettings = Field(default_factory=AzureSettings)
    registries: RegistriesSettings = Field(default_factory=RegistriesSettings)
    identity: IdentitySettings | None = None
    clusters: ClustersSettings | None = None
    platform: PlatformSettings = Field(default_factory=PlatformSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    github: GithubSettings = Field(default_factory=GithubSettings)
