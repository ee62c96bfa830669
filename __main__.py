"""Slipway's composition root: reads the stack's settings once and builds the layers.

The only module that reads Pulumi config or knows which stack it is in. Layers are
built in order (cloud, platform, delivery, github); each takes what it needs from the
layer above as typed Args, and the stack outputs are exported at the end.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config
from pulumi_azure_native import containerregistry, resources

from components.cloud.ghcr import Ghcr, GhcrArgs
from components.cloud.registry import ContainerRegistry, ContainerRegistryArgs
from settings import NAMESPACE, Settings, acr_registry_name, load_settings, secret_output


def read_settings(stack: str) -> Settings:
    """Every `slipway:*` key of the stack config, validated (unknown sections included)."""
    keys = set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())
    raw: dict[str, Any] = {}
    for key in sorted(k for k in keys if k.startswith(f"{NAMESPACE}:")):
        text = runtime_config.get_config(key)
        try:
            raw[key.removeprefix(f"{NAMESPACE}:")] = json.loads(text)
        except (TypeError, json.JSONDecodeError):
            raw[key.removeprefix(f"{NAMESPACE}:")] = text
    return load_settings(raw, stack)


@dataclass(frozen=True)
class Cloud:
    """What the cloud layer hands down."""

    resource_group_name: pulumi.Output[str]
    acr: ContainerRegistry | None
    ghcr: Ghcr | None


def build_cloud(settings: Settings, stack: str) -> Cloud:
    azure = settings.azure
    base = f"{azure.name_prefix}-{stack}"
    tags = {"app": "slipway", "stack": stack, **azure.tags}
    stateful = pulumi.ResourceOptions(protect=azure.protect)
    group = resources.ResourceGroup(
        base,
        resources.ResourceGroupArgs(resource_group_name=f"rg-{base}", location=azure.location, tags=tags),
        stateful,
    )
    acr_settings = settings.registries.acr
    acr = None
    if acr_settings.enabled:
        acr = ContainerRegistry(
            base,
            ContainerRegistryArgs(
                resource_group_name=group.name,
                registry_name=acr_registry_name(settings, stack),
                location=azure.location,
                sku=containerregistry.SkuName(acr_settings.sku.value),
                public_network_access=acr_settings.public_network_access,
                zone_redundant=acr_settings.zone_redundant,
                geo_replicas=acr_settings.geo_replicas,
                untagged_retention_days=acr_settings.untagged_retention_days,
                tags=tags,
            ),
            stateful,
        )
    return Cloud(resource_group_name=group.name, acr=acr, ghcr=wire_ghcr(settings))


def wire_ghcr(settings: Settings) -> Ghcr | None:
    ghcr = settings.registries.ghcr
    if ghcr is None or not ghcr.enabled:
        return None
    token = secret_output(ghcr.pull_token) if ghcr.private and ghcr.pull_token is not None else None
    return Ghcr.wire(GhcrArgs(owner=ghcr.owner, pull_username=ghcr.pull_username, pull_token=token))


def export_cloud(cloud: Cloud) -> None:
    pulumi.export("resourceGroupName", cloud.resource_group_name)
    if cloud.acr is not None:
        pulumi.export("acrLoginServer", cloud.acr.login_server)
    if cloud.ghcr is not None:
        pulumi.export("ghcrImagePrefix", cloud.ghcr.image_prefix)


def main() -> None:
    stack = pulumi.get_stack()
    settings = read_settings(stack)
    if settings.azure.enabled:
        export_cloud(build_cloud(settings, stack))


main()
