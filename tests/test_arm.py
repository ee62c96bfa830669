"""ARM validation: every Azure resource of every stack passes Azure's schema; wrong values fail with their rule."""

from __future__ import annotations

import importlib
import inspect
import json
import re
import time
from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from conftest import PROJECT_DIR, declared, run_component
from pulumi.output import Unknown
from pulumi.runtime import rpc
from pulumi.runtime.rpc import UNKNOWN
from pulumi_azure_native import containerregistry, containerservice

import offline.__main__ as cli
from components.cloud.registry import ContainerRegistry, ContainerRegistryArgs
from offline import arm
from offline.engine import RecordedResource, Recording

REGISTRY = "azure-native:containerregistry:Registry"
POOL = "azure-native:containerservice:AgentPool"
CLUSTER = "azure-native:containerservice:ManagedCluster"
MAINTENANCE = "azure-native:containerservice:MaintenanceConfiguration"


def resource(type_: str, inputs: dict[str, Any]) -> RecordedResource:
    return declared(type_, inputs, name="bad")


def rules(violations: list[arm.Violation]) -> set[tuple[str, Any, str]]:
    return {(v.input, v.value, v.rule) for v in violations}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_azure_resource_of_the_stack_passes_its_arm_schema(
    recorded: Callable[[str], Recording], stack: str
) -> None:
    recording = recorded(stack)
    azure = list(arm.azure_resources(recording.resources))
    assert len(azure) > 20 and {r.type for r in azure} <= set(arm.TYPES)
    assert [str(v) for v in arm.validate(recording)] == []


def test_prod_validates_in_well_under_a_third_of_a_second(recorded: Callable[[str], Recording]) -> None:
    recording = recorded("prod")
    arm._document.cache_clear()  # schemas loaded and parsed inside the measurement
    start = time.perf_counter()
    arm.validate(recording)
    assert time.perf_counter() - start < 0.3


def bad_program() -> None:
    """An ACR name with a hyphen (through the real component) and an agent pool Azure would refuse."""
    ContainerRegistry(
        "acr",
        ContainerRegistryArgs(
            resource_group_name="rg-x",
            registry_name="slipway-x-acr",
            location="westeurope",
            sku=containerregistry.SkuName.STANDARD,
            tags={},
        ),
    )
    containerservice.AgentPool(
        "pool",
        resource_group_name="rg-x",
        resource_name_="aks-x",
        agent_pool_name="gpupoolnumber1",
        vm_size="Standard_NC4as_T4_v3",
        count=1,
        mode=containerservice.AgentPoolMode.USER,
        os_disk_size_gb=4096,
        opts=pulumi.ResourceOptions(parent=None),
    )


def test_wrong_names_and_values_are_rejected_with_the_rule_they_break() -> None:
    found = rules(arm.validate(run_component(bad_program)))
    assert found == {
        ("registryName", "slipway-x-acr", "pattern ^[a-zA-Z0-9]*$"),
        ("agentPoolName", "gpupoolnumber1", "pattern ^[a-z][a-z0-9]{0,11}$"),
        ("agentPoolName", "gpupoolnumber1", "maxLength 12"),
        ("osDiskSizeGB", 4096, "maximum 2048"),
    }


def test_enum_values_are_checked_as_written_and_a_case_slip_says_so() -> None:
    violations = arm.check_resource(
        resource(REGISTRY, {"registryName": "slipwayacr", "sku": {"name": "Standrd"}, "zoneRedundancy": "enabled"})
    )
    assert rules(violations) == {
        ("sku.name", "Standrd", "enum ['Classic', 'Basic', 'Standard', 'Premium']"),
        ("zoneRedundancy", "enabled", "enum ['Enabled', 'Disabled'] (differs only in case)"),
    }
    assert {v.path for v in violations} == {"sku.name", "properties.zoneRedundancy"}


def test_out_of_range_count_and_nested_paths() -> None:
    cluster = {
        "resourceName": "aks-x",
        "resourceGroupName": "rg-x",
        "dnsPrefix": "aks-x",
        "agentPoolProfiles": [{"name": "System", "count": 1.0, "mode": "System"}],
        "networkProfile": {"loadBalancerProfile": {"managedOutboundIPs": {"count": 101.0}}},
    }
    assert rules(arm.check_resource(resource(CLUSTER, cluster))) == {
        ("agentPoolProfiles[0].name", "System", "pattern ^[a-z][a-z0-9]{0,11}$"),
        ("networkProfile.loadBalancerProfile.managedOutboundIPs.count", 101.0, "maximum 100"),
    }


def test_types_unknown_and_required_properties() -> None:
    assignment = {"roleAssignmentName": "assignment-1", "scope": "/x", "principalId": 7}
    assert rules(arm.check_resource(resource("azure-native:authorization:RoleAssignment", assignment))) == {
        ("principalId", 7, "type string"),
        ("roleDefinitionId", None, "required"),
    }
    pool = {"agentPoolName": "gpu", "resourceName": "aks", "resourceGroupName": "rg", "count": 1.5, "gpuCount": 1}
    assert rules(arm.check_resource(resource(POOL, pool))) == {
        ("count", 1.5, "type integer"),
        ("gpuCount", 1, "unknown property (not in the ARM schema)"),
    }


def test_values_unknown_at_preview_are_skipped_not_guessed() -> None:
    inputs = {"registryName": Unknown(), "sku": {"name": UNKNOWN}, "location": None}  # type: ignore[no-untyped-call]
    assert arm.check_resource(resource(REGISTRY, inputs)) == []


def test_a_secret_value_is_never_shown_in_a_violation() -> None:
    cluster = {
        "resourceName": "aks",
        "dnsPrefix": "aks",
        "linuxProfile": {"adminUsername": rpc.wrap_rpc_secret("9-not-a-user"), "ssh": {"publicKeys": []}},
    }
    (violation,) = arm.check_resource(resource(CLUSTER, cluster))
    assert (violation.input, violation.value) == ("linuxProfile.adminUsername", "[secret]")
    assert "9-not-a-user" not in str(violation)


def test_user_assigned_identities_become_arm_s_map() -> None:
    identity = {"type": "UserAssigned", "userAssignedIdentities": ["/subscriptions/s/id-1"]}
    body, _ = arm.arm_body(arm.TYPES[CLUSTER], {"resourceName": "aks", "identity": identity, "dnsPrefix": "aks"})
    assert body["identity"]["userAssignedIdentities"] == {"/subscriptions/s/id-1": {}}
    assert body["properties"] == {"dnsPrefix": "aks"} and body["name"] == "aks"
    assert body["type"] == "Microsoft.ContainerService/managedClusters" and body["apiVersion"] == "2025-09-01"


def test_a_type_without_a_vendored_schema_is_reported_not_passed() -> None:
    (violation,) = arm.check_resource(resource("azure-native:storage:StorageAccount", {"accountName": "x"}))
    assert violation.rule.startswith("unmodelled")


def test_an_unmodelled_schema_keyword_raises() -> None:
    with pytest.raises(arm.UnsupportedSchemaError, match="multipleOf"):
        arm._Walker().check("common/definitions.json", {"multipleOf": 2}, 3, "count")


EXAMPLES = PROJECT_DIR / "tests" / "samples" / "arm-examples"
EXAMPLE_TYPES = {
    "AgentPoolsCreate_Spot": POOL,
    "ManagedClustersCreate_UpdateWithEnableAzureRBAC": CLUSTER,
    "MaintenanceConfigurationsCreate_Update_MaintenanceWindow": MAINTENANCE,
    "RegistryCreateZoneRedundant": REGISTRY,
    "ReplicationCreateZoneRedundant": "azure-native:containerregistry:Replication",
    "IdentityCreate": "azure-native:managedidentity:UserAssignedIdentity",
    "FederatedIdentityCredentialCreate": "azure-native:managedidentity:FederatedIdentityCredential",
    "RoleAssignments_CreateForResource": "azure-native:authorization:RoleAssignment",
}
# Where Azure's own example breaks the ARM template schema of the same API version, Slipway keeps the
# schema's rule: the example row is expected to fail, and says why.
EXAMPLE_EXPECTED = {
    "ManagedClustersCreate_UpdateWithEnableAzureRBAC": {
        # The example still sends the SKU name earlier API versions used; 2025-09-01 lists Base, Automatic.
        ("sku.name", "Basic", "enum ['Base', 'Automatic']"),
    },
}


@pytest.mark.parametrize("example", sorted(EXAMPLE_TYPES))
def test_azure_s_own_example_requests_pass(example: str) -> None:
    """Ported cases: Azure/azure-rest-api-specs x-ms-examples (tests/samples/arm-examples/SOURCE.md)."""
    request = json.loads((EXAMPLES / f"{example}.json").read_text())["parameters"]
    (body,) = [value for value in request.values() if isinstance(value, dict)]
    url = ("api-version", "subscriptionId")  # in the request URL, not azure-native inputs
    inputs = {k: v for k, v in request.items() if k not in url and not isinstance(v, dict)}
    inputs |= {k: v for k, v in body.items() if k != "properties"} | body.get("properties", {})
    found = rules(arm.check_resource(resource(EXAMPLE_TYPES[example], inputs)))
    assert found == EXAMPLE_EXPECTED.get(example, set())


def sdk_inputs(type_: str) -> set[str]:
    """The camelCase-insensitive input names of the installed SDK's Args class for `type_`."""
    _, module, name = type_.split(":")
    sdk = importlib.import_module(f"pulumi_azure_native.{module}")
    # Where a nested type takes `<Name>Args`, the resource's own inputs are `<Name>InitArgs`.
    args = getattr(sdk, f"{name}InitArgs", None) or getattr(sdk, f"{name}Args")
    return {p for p in inspect.signature(args.__init__).parameters if p != "__self__"}


def fold(name: str) -> str:
    return name.replace("_", "").casefold()


@pytest.mark.parametrize("type_", sorted(arm.TYPES))
def test_type_table_matches_the_installed_sdk(type_: str) -> None:
    """API version from the SDK's docstring; every SDK input is the name, an address, top-level or a property."""
    spec = arm.TYPES[type_]
    _, module, name = type_.split(":")
    source = inspect.getsource(getattr(importlib.import_module(f"pulumi_azure_native.{module}"), name))
    versions = set(re.findall(r"Uses Azure REST API version (\S+?)\.", source))
    assert versions == {spec.file.split("/")[0]}
    file, definition = arm.resource_definition(spec)
    top = {fold(k) for k in arm._top_level(file, definition)}
    declared: set[str] = set()
    if "properties" in definition["properties"]:  # some types (identities) have no writable properties
        properties = definition["properties"]["properties"]
        (alternative,) = [s for s in properties["oneOf"] if not arm._is_expression(s)]
        _, target = arm._resolve(file, alternative["$ref"])
        declared = {fold(k) for k in target.get("properties", {})}
    inputs = {fold(i) for i in sdk_inputs(type_)}
    assert {fold(spec.name), *map(fold, spec.address)} <= inputs
    assert inputs - {fold(spec.name), *map(fold, spec.address), *map(fold, spec.body_keys)} - top - declared == set()


def test_preview_exits_1_with_one_line_per_violation(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    recording = Recording(project="slipway", stack="dev")
    recording.resources.append(resource(REGISTRY, {"registryName": "slip-way", "zoneRedundancy": "enabled"}))
    monkeypatch.setattr(cli, "run_project", lambda *_, **__: recording)
    monkeypatch.setattr(cli, "stack_report", lambda *_: [])  # reachability is tests/test_reach.py's
    assert cli.main(["preview", "--stack", "dev", "--compact"]) == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if "ARM rule" in line]
    assert len(lines) == 2 and any("registryName = 'slip-way', which breaks" in line for line in lines)
