"""The stack's network model: StackNetwork, and combinations settings reject (who cannot reach what)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import run_component, slipway, stack_document

from components.cloud.monitoring import CLUSTER_LOG_CATEGORIES, REGISTRY_LOG_CATEGORIES
from components.cloud.network import ENDPOINTS_SUBNET, RUNNERS_SUBNET, StackNetwork, StackNetworkArgs, node_subnet
from offline.engine import Recording
from offline.stackfile import parse_stack_config
from settings import WORKSPACE_NAME, Settings, SettingsError, load_settings, sections_from_config

SCHEMAS = Path(__file__).parent / "schemas" / "azure"
PREFIX = "azure-native:network:PublicIPPrefix"
SUBNET = "azure-native:network:Subnet"


def load(document: dict[str, Any], stack: str = "dev") -> Settings:
    return load_settings(sections_from_config(parse_stack_config(document, "slipway", "test").config), stack)


def problems_of(document: dict[str, Any], stack: str = "dev") -> list[str]:
    with pytest.raises(SettingsError) as caught:
        load(document, stack)
    return caught.value.problems


# --- StackNetwork ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def network() -> Recording:
    return run_component(
        lambda: StackNetwork(
            "net",
            StackNetworkArgs(
                resource_group_name="rg-x",
                location="westeurope",
                base="x",
                address_space="10.40.0.0/16",
                cluster_roles=["hub", "gpu"],
                static_egress=True,
                self_hosted_runners=True,
                egress_prefix_length=30,
            ),
        )
    )


def test_vnet_is_split_into_a_subnet_per_use(network: Recording) -> None:
    vnet = network.one("azure-native:network:VirtualNetwork").plain()
    assert vnet["addressSpace"] == {"addressPrefixes": ["10.40.0.0/16"]}
    subnets = {s.plain()["subnetName"]: s.plain()["addressPrefix"] for s in network.of_type(SUBNET)}
    assert subnets == {
        node_subnet("hub"): "10.40.0.0/19",
        node_subnet("gpu"): "10.40.32.0/19",
        ENDPOINTS_SUBNET: "10.40.64.0/19",
        RUNNERS_SUBNET: "10.40.96.0/19",
    }


def test_every_egress_is_a_declared_public_ip_prefix(network: Recording) -> None:
    prefixes = {p.plain()["publicIpPrefixName"]: p for p in network.of_type(PREFIX)}
    assert set(prefixes) == {"ippre-x-hub", "ippre-x-gpu", "ippre-x-runners"}
    assert all(p.plain()["prefixLength"] == 30 and p.plain()["sku"]["name"] == "Standard" for p in prefixes.values())
    nat = network.one("azure-native:network:NatGateway")
    assert nat.plain()["publicIpPrefixes"] == [{"id": prefixes["ippre-x-runners"].outputs["id"]}]
    runners = next(s for s in network.of_type(SUBNET) if s.plain()["subnetName"] == RUNNERS_SUBNET)
    assert runners.plain()["natGateway"] == {"id": nat.outputs["id"]}


def test_no_vnet_no_static_egress_no_resources() -> None:
    recording = run_component(
        lambda: StackNetwork(
            "net",
            StackNetworkArgs(
                resource_group_name="rg-x",
                location="westeurope",
                base="x",
                address_space=None,
                cluster_roles=["hub"],
                static_egress=False,
                self_hosted_runners=False,
            ),
        )
    )
    assert [r.type for r in recording.resources if r.custom] == []


# --- the stacks' models -------------------------------------------------------------------


def test_dev_is_public_and_prod_allow_listed_and_private(recorded: Any) -> None:
    dev, prod = recorded("dev"), recorded("prod")
    for cluster in dev.of_type("azure-native:containerservice:ManagedCluster"):
        assert cluster.plain()["apiServerAccessProfile"] == {"enablePrivateCluster": False, "disableRunCommand": True}
    assert dev.one("azure-native:containerregistry:Registry").plain()["publicNetworkAccess"] == "Enabled"
    assert dev.of_type("azure-native:network:VirtualNetwork") == []
    ranges = {str(p.outputs["ipPrefix"]) for p in prod.of_type(PREFIX)}
    for cluster in prod.of_type("azure-native:containerservice:ManagedCluster"):
        # Exactly the declared egress: no placeholder or documentation range.
        assert set(cluster.plain()["apiServerAccessProfile"]["authorizedIPRanges"]) == ranges
    assert prod.one("azure-native:containerregistry:Registry").plain()["publicNetworkAccess"] == "Disabled"
    assert prod.one("azure-native:network:PrivateEndpoint")


def test_every_cluster_and_registry_sends_its_logs(recorded: Any) -> None:
    baseline = json.loads((SCHEMAS / "aks-baseline.json").read_text())
    assert list(CLUSTER_LOG_CATEGORIES) == baseline["cluster-stamp.bicep"]["mc_diagnosticSettings.logs.enabled"]
    assert list(REGISTRY_LOG_CATEGORIES) == baseline["acr-stamp.bicep"]["diagnosticSettings.logs"]
    for stack in ("dev", "prod"):
        recording = recorded(stack)
        workspace = recording.one("azure-native:operationalinsights:Workspace")
        watched = {
            d.plain()["resourceUri"]: [log["category"] for log in d.plain()["logs"]]
            for d in recording.of_type("azure-native:monitor:DiagnosticSetting")
            if d.plain()["workspaceId"] == workspace.outputs["id"]
        }
        clusters = [c.outputs["id"] for c in recording.of_type("azure-native:containerservice:ManagedCluster")]
        registry = recording.one("azure-native:containerregistry:Registry").outputs["id"]
        assert watched == {
            **{c: list(CLUSTER_LOG_CATEGORIES) for c in clusters},
            registry: list(REGISTRY_LOG_CATEGORIES),
        }
    prod = recorded("prod")
    workspace_id = prod.one("azure-native:operationalinsights:Workspace").outputs["id"]
    for cluster in prod.of_type("azure-native:containerservice:ManagedCluster"):
        assert cluster.plain()["securityProfile"]["defender"]["logAnalyticsWorkspaceResourceId"] == workspace_id
    assert all(
        "defender" not in c.plain()["securityProfile"]
        for c in recorded("dev").of_type("azure-native:containerservice:ManagedCluster")
    )


def test_prod_registry_exports_nothing_and_has_a_data_endpoint(recorded: Any) -> None:
    registry = recorded("prod").one("azure-native:containerregistry:Registry").plain()
    assert registry["policies"]["exportPolicy"] == {"status": "disabled"} and registry["dataEndpointEnabled"] is True


# --- combinations that cannot work ------------------------------------------------------


def test_github_hosted_runners_cannot_reach_an_allow_listed_api_server() -> None:
    document = stack_document("dev")
    slipway(document, "clusters")["gpu"]["apiServer"] = "allowListed"
    assert problems_of(document) == [
        "slipway:azure.network.runners: deploy-ci on GitHub-hosted runners could not reach api-server@gpu "
        "(apiServer allowListed): GitHub-hosted runners have no egress range this stack declares; expected runners "
        "selfHosted, apiServer public, or the row in azure.network.expectedUnreachable with a reason"
    ]
    # Marked expected, with a reason, the same stack loads.
    slipway(document, "azure")["network"]["expectedUnreachable"] = [
        {"caller": "deploy-ci", "target": "api-server@gpu", "reason": "the GPU cluster is deployed from the office"}
    ]
    assert load(document).azure.network.expected("deploy-ci", "api-server@gpu")


def test_github_hosted_runners_cannot_push_to_a_private_registry() -> None:
    document = stack_document("prod")
    slipway(document, "azure")["network"]["runners"] = "githubHosted"
    found = problems_of(document, "prod")
    for who, what in [
        ("deploy-ci", "api-server@hub"),
        ("deploy-ci", "api-server@gpu"),
        ("deploy-ci", "registry@acr"),
        ("golden-image-build", "registry@acr"),
    ]:
        assert any(
            p.startswith(f"slipway:azure.network.runners: {who} on GitHub-hosted runners could not reach {what}")
            for p in found
        )


@pytest.mark.parametrize(
    ("section", "change", "needed_by"),
    [
        ("clusters", {"hub": {"apiServer": "private"}}, "clusters.hub.apiServer private"),
        ("azure", {"network": {"runners": "selfHosted"}}, "azure.network.runners selfHosted"),
        (
            "registries",
            {"acr": {"sku": "Premium", "access": "privateEndpoint"}},
            "registries.acr.access privateEndpoint",
        ),
    ],
)
def test_what_needs_a_vnet_says_so(section: str, change: dict[str, Any], needed_by: str) -> None:
    document = stack_document("dev")
    for key, values in change.items():
        slipway(document, section).setdefault(key, {}).update(values)
    slipway(document, "azure")["network"]["expectedUnreachable"] = [
        {"caller": c, "target": t, "reason": "tested elsewhere in this file"}
        for c in ("deploy-ci", "golden-image-build")
        for t in ("api-server@hub", "registry@acr")
    ]
    assert any(
        p.startswith("slipway:azure.network.addressSpace: required by") and needed_by in p
        for p in problems_of(document)
    )


def test_authorized_ranges_stop_at_azures_limit() -> None:
    document = stack_document("prod")
    slipway(document, "clusters")["hub"]["authorizedIpRanges"] = [f"198.51.{i // 256}.{i % 256}/32" for i in range(198)]
    assert any(
        p.startswith("slipway:clusters.hub.authorizedIpRanges: 201 ranges with the stack's static egress")
        and "at most 200" in p
        for p in problems_of(document, "prod")
    )


def test_stack_names_that_break_azures_name_rules() -> None:
    found = problems_of(stack_document("dev"), "feature.x")
    assert any(
        p.startswith(
            "slipway:clusters.hub: stack 'feature.x' makes the cluster name and dnsPrefix 'aks-slipway-feature.x-hub'"
        )
        for p in found
    )
    assert any(p.startswith("slipway:azure.monitoring: stack 'feature.x' makes the workspace name") for p in found)
    arm = json.loads((SCHEMAS / "arm-extract.json").read_text())["2023-09-01/Microsoft.OperationalInsights.json"]
    assert arm["/resourceDefinitions/workspaces/properties/name/oneOf/0"]["pattern"] == WORKSPACE_NAME


def test_defender_needs_the_workspace() -> None:
    document = stack_document("dev")
    slipway(document, "azure")["monitoring"] = {"enabled": False, "defender": True}
    assert any("defender: got true with enabled false" in p for p in problems_of(document))


def test_two_private_clusters_in_one_vnet_are_not_modelled() -> None:
    document = stack_document("prod")
    for role in ("hub", "gpu"):
        slipway(document, "clusters")[role]["apiServer"] = "private"
    assert any(
        p.startswith("slipway:clusters.gpu.apiServer: got private beside the private hub cluster")
        and "not modelled" in p
        for p in problems_of(document, "prod")
    )
