"""ContainerRegistry and GHCR wiring: recorded inputs, one by one; the registry settings Azure would refuse."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pulumi
import pytest
from conftest import run_component, slipway, stack_document
from pulumi_azure_native import containerregistry

from components.cloud.ghcr import Ghcr, GhcrArgs
from components.cloud.registry import (
    ACR_PRIVATE_DNS_ZONE,
    ACR_PRIVATE_LINK_GROUP,
    ContainerRegistry,
    ContainerRegistryArgs,
    PrivateAccess,
)
from offline.engine import Recording
from settings import ACR_NAME, AcrSettings, SettingsError, load_settings, sections_from_config

SCHEMAS = Path(__file__).parent / "schemas" / "azure"
ACR_ARM = json.loads((SCHEMAS / "arm-extract.json").read_text())["2023-01-01-preview/Microsoft.ContainerRegistry.json"]
BASELINE = json.loads((SCHEMAS / "aks-baseline.json").read_text())["acr-stamp.bicep"]
VNET = "/subscriptions/s/resourceGroups/rg-x/providers/Microsoft.Network/virtualNetworks/vnet-x"

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


def private_registry() -> None:
    registry(
        sku=containerregistry.SkuName.PREMIUM,
        zone_redundant=True,
        geo_replicas=["northeurope", "swedencentral"],
        untagged_retention_days=30,
        private=PrivateAccess(subnet_id=f"{VNET}/subnets/snet-endpoints", vnet_ids={"vnet": VNET}),
        export_enabled=False,
        data_endpoint=True,
    )


@pytest.fixture(scope="module")
def private() -> Recording:
    return run_component(private_registry)


def test_premium_registry_gets_zones_replicas_retention_and_no_public_access(private: Recording) -> None:
    recording = private
    inputs = recording.one(REGISTRY).plain()
    assert inputs["zoneRedundancy"] == "Enabled" and inputs["publicNetworkAccess"] == "Disabled"
    assert inputs["policies"]["retentionPolicy"] == {"days": 30, "status": "enabled"}
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


def test_export_is_off_and_a_data_endpoint_on(private: Recording) -> None:
    inputs = private.one(REGISTRY).plain()
    assert inputs["policies"]["exportPolicy"] == {"status": BASELINE["policies.exportPolicy.status"]}
    assert inputs["dataEndpointEnabled"] is BASELINE["dataEndpointEnabled"]
    # Both exist in the registry API version the provider uses.
    assert "disabled" in ACR_ARM["/definitions/ExportPolicy/properties/status/oneOf/0/enum"]
    assert ACR_ARM["/definitions/RegistryProperties/properties/dataEndpointEnabled/description"]
    public = run_component(registry).one(REGISTRY).plain()
    assert "policies" not in public and "dataEndpointEnabled" not in public


def test_private_endpoint_zone_and_vnet_links(private: Recording) -> None:
    registry_id = private.one(REGISTRY).outputs["id"]
    endpoint = private.one("azure-native:network:PrivateEndpoint").plain()
    assert endpoint["subnet"]["id"] == f"{VNET}/subnets/snet-endpoints"
    (connection,) = endpoint["privateLinkServiceConnections"]
    assert connection["privateLinkServiceId"] == registry_id
    assert connection["groupIds"] == [ACR_PRIVATE_LINK_GROUP] == BASELINE["privateEndpoint.groupIds"]
    zone = private.one("azure-native:privatedns:PrivateZone")
    assert zone.plain()["privateZoneName"] == ACR_PRIVATE_DNS_ZONE == BASELINE["dnsPrivateZoneAcr.name"]
    (group,) = private.of_type("azure-native:network:PrivateDnsZoneGroup")
    assert group.plain()["privateEndpointName"] == endpoint["privateEndpointName"]
    assert [c["privateDnsZoneId"] for c in group.plain()["privateDnsZoneConfigs"]] == [zone.outputs["id"]]
    (link,) = private.of_type("azure-native:privatedns:VirtualNetworkLink")
    assert link.plain()["virtualNetwork"] == {"id": VNET} and link.plain()["privateZoneName"] == ACR_PRIVATE_DNS_ZONE
    assert link.plain()["registrationEnabled"] is False


def test_allow_listed_registry_denies_all_but_the_listed_ranges() -> None:
    recording = run_component(
        lambda: registry(sku=containerregistry.SkuName.PREMIUM, allowed_ranges=["20.1.2.0/31", "198.51.100.0/24"])
    )
    inputs = recording.one(REGISTRY).plain()
    assert inputs["publicNetworkAccess"] == "Enabled"
    assert inputs["networkRuleSet"] == {
        "defaultAction": "Deny",
        "ipRules": [
            {"iPAddressOrRange": "20.1.2.0/31", "action": "Allow"},
            {"iPAddressOrRange": "198.51.100.0/24", "action": "Allow"},
        ],
    }
    assert recording.of_type("azure-native:network:PrivateEndpoint") == []


# --- settings ------------------------------------------------------------------------


def problems(document: dict[str, Any], stack: str) -> list[str]:
    from offline.stackfile import parse_stack_config

    with pytest.raises(SettingsError) as caught:
        load_settings(sections_from_config(parse_stack_config(document, "slipway", "test").config), stack)
    return caught.value.problems


def test_geo_replica_in_the_home_region_is_rejected() -> None:
    document = stack_document("prod")
    slipway(document, "registries")["acr"]["geoReplicas"] = ["northeurope", "westeurope"]
    assert (
        "slipway:registries.acr.geoReplicas[1]: got 'westeurope', the registry's home region (azure.location), "
        "expected another region: the home region holds the registry itself"
    ) in problems(document, "prod")


def test_registry_name_is_never_silently_lower_cased() -> None:
    with pytest.raises(SettingsError, match="got 'SlipwayACR', expected a registry name of 5-50 lowercase"):
        load_settings({"registries": {"acr": {"name": "SlipwayACR"}}, "azure": {"enabled": False}}, "dev")
    # The derived name keeps a stack's upper case and is rejected, naming the key to set.
    found = problems(stack_document("dev"), "Dev-EU")
    assert any(
        p.startswith("slipway:registries.acr.name: the name derived for stack 'Dev-EU' is 'slipwayDevEUacr'")
        for p in found
    )
    # ARM itself takes upper case: ours is the lower-case subset, as the login server is spelt.
    arm = ACR_ARM["/resourceDefinitions/registries/properties/name/oneOf/0"]
    assert (arm["pattern"], arm["minLength"], arm["maxLength"]) == ("^[a-zA-Z0-9]*$", 5, 50)
    assert ACR_NAME == "^[a-z0-9]{5,50}$"


@pytest.mark.parametrize("access", ["privateEndpoint", "allowListed"])
def test_private_endpoint_and_network_rules_need_premium(access: str) -> None:
    with pytest.raises(ValueError, match=f"access {access}: only with sku Premium, got sku Standard"):
        AcrSettings.model_validate({"sku": "Standard", "access": access})
