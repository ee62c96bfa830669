"""ContainerRegistry and GHCR wiring: recorded inputs, one by one."""

from __future__ import annotations

import base64
import json

import pulumi
from conftest import run_component
from pulumi_azure_native import containerregistry

from components.cloud.ghcr import Ghcr, GhcrArgs
from components.cloud.registry import ContainerRegistry, ContainerRegistryArgs

REGISTRY = "azure-native:containerregistry:Registry"
REPLICATION = "azure-native:containerregistry:Replication"


def registry(**overrides: object) -> ContainerRegistry:
    args: dict[str, object] = {
        "resource_group_name": "rg-x",
        "registry_name": "slipwayxacr",
        "location": "westeurope",
        "sku": containerregistry.SkuName.STANDARD,
        "tags": {"app": "slipway"},
    }
    args.update(overrides)
    component = ContainerRegistry("acr", ContainerRegistryArgs(**args))  # type: ignore[arg-type]
    pulumi.export("loginServer", component.login_server)
    return component


def test_registry_is_private_with_no_admin_user() -> None:
    recording = run_component(registry)
    inputs = recording.one(REGISTRY).plain()
    assert inputs["adminUserEnabled"] is False
    assert inputs["anonymousPullEnabled"] is False
    assert inputs["sku"] == {"name": "Standard"}
    assert inputs["registryName"] == "slipwayxacr" and inputs["resourceGroupName"] == "rg-x"
    assert inputs["zoneRedundancy"] == "Disabled" and inputs["publicNetworkAccess"] == "Enabled"
    assert "policies" not in inputs
    assert recording.of_type(REPLICATION) == []
    assert recording.one(REGISTRY).parent == recording.one("slipway:cloud:ContainerRegistry").urn
    assert recording.outputs["loginServer"].value == "slipwayxacr.azurecr.io"


def test_premium_registry_gets_zones_replicas_retention_and_no_public_access() -> None:
    recording = run_component(
        lambda: registry(
            sku=containerregistry.SkuName.PREMIUM,
            zone_redundant=True,
            geo_replicas=["northeurope", "swedencentral"],
            untagged_retention_days=30,
            public_network_access=False,
        )
    )
    inputs = recording.one(REGISTRY).plain()
    assert inputs["zoneRedundancy"] == "Enabled" and inputs["publicNetworkAccess"] == "Disabled"
    assert inputs["policies"] == {"retentionPolicy": {"days": 30, "status": "enabled"}}
    replicas = {r.plain()["location"]: r.plain() for r in recording.of_type(REPLICATION)}
    assert set(replicas) == {"northeurope", "swedencentral"}
    for region, replica in replicas.items():
        assert replica["registryName"] == "slipwayxacr" and replica["replicationName"] == region
        assert replica["zoneRedundancy"] == "Enabled"


def test_zone_redundancy_is_never_asked_of_a_non_premium_registry() -> None:
    recording = run_component(lambda: registry(zone_redundant=True))
    assert recording.one(REGISTRY).plain()["zoneRedundancy"] == "Disabled"


def test_ghcr_prefix_is_lowercase_and_pull_config_is_a_secret() -> None:
    def program() -> None:
        ghcr = Ghcr.wire(GhcrArgs(owner="Acme-Platform", pull_token=pulumi.Output.secret("ghp_abc")))
        pulumi.export("prefix", ghcr.image_prefix)
        pulumi.export("dockerConfig", ghcr.pull_docker_config)

    outputs = run_component(program).outputs
    assert outputs["prefix"].value == "ghcr.io/acme-platform"
    assert outputs["dockerConfig"].secret
    auths = json.loads(outputs["dockerConfig"].value)["auths"]["ghcr.io"]
    assert auths["username"] == "Acme-Platform" and auths["password"] == "ghp_abc"
    assert base64.b64decode(auths["auth"]).decode() == "Acme-Platform:ghp_abc"


def test_ghcr_without_token_has_no_pull_config() -> None:
    assert Ghcr.wire(GhcrArgs(owner="acme")).pull_docker_config is None
