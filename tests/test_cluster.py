"""AksCluster: the AKS security baseline and the GPU pools, asserted input by input.

Also the cluster settings Azure would refuse or that would drift (versions and channels, spot prices,
pool names, zones), each checked against the ARM schema copied in tests/schemas/azure/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from conftest import run_component

from components.cloud.cluster import (
    AKS_AAD_SERVER_APP,
    AUTO_UPGRADE_SCHEDULE,
    NODE_OS_UPGRADE_SCHEDULE,
    AksCluster,
    AksClusterArgs,
    ClusterNetwork,
    Maintenance,
    MaintenanceWindow,
)
from contracts.aks import UpgradeChannel, WeekDay
from contracts.azure_roles import role_id
from offline.engine import Recording
from settings import AGENT_POOL_NAME, CLUSTER_NAME, ClusterSettings, MaintenanceWindowSettings
from wiring.cloud import cluster_spec

SCHEMAS = Path(__file__).parent / "schemas" / "azure"
AKS_ARM = json.loads((SCHEMAS / "arm-extract.json").read_text())["2025-09-01/Microsoft.ContainerService.Aks.json"]

CLUSTER = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"
MAINTENANCE_TYPE = "azure-native:containerservice:MaintenanceConfiguration"
ADMINS = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"


CLUSTER_SETTINGS: dict[str, Any] = {
    "kubernetesVersion": "1.33",
    "tier": "Standard",
    "environments": ["dev"],
    "adminGroupObjectIds": [ADMINS],
    "upgradeChannel": "stable",
    "nodeOsUpgradeChannel": "SecurityPatch",
    "networkPolicy": "cilium",
    "systemPool": {"vmSize": "Standard_D4ds_v5", "minCount": 3, "maxCount": 5},
    "userPool": {"vmSize": "Standard_D8ds_v5", "minCount": 2, "maxCount": 6},
    "gpuPools": [
        {"name": "a100", "vmSize": "Standard_NC24ads_A100_v4", "zones": ["2"], "minCount": 0, "maxCount": 4},
        {
            "name": "t4spot",
            "vmSize": "Standard_NC4as_T4_v3",
            "zones": [],
            "maxCount": 2,
            "spot": True,
            "driver": "Install",
        },
    ],
    "availabilityZones": ["1", "2", "3"],
    "apiServer": "allowListed",
}
SUBNET = (
    "/subscriptions/sub-1/resourceGroups/rg-x/providers/Microsoft.Network/virtualNetworks/vnet-x/subnets/snet-gpu-nodes"
)
PREFIX = "/subscriptions/sub-1/resourceGroups/rg-x/providers/Microsoft.Network/publicIPPrefixes/ippre-x-gpu"
WORKSPACE = "/subscriptions/sub-1/resourceGroups/rg-x/providers/Microsoft.OperationalInsights/workspaces/log-x"
MAINTENANCE = Maintenance(
    auto_upgrade=MaintenanceWindow(
        day_of_week=WeekDay.SUNDAY, start_time="02:00", duration_hours=6, utc_offset="+00:00", interval_weeks=1
    ),
    node_os=MaintenanceWindow(
        day_of_week=WeekDay.SATURDAY, start_time="02:00", duration_hours=4, utc_offset="+01:00", interval_weeks=2
    ),
)
# Every resource's options as the component declared them, by logical name.
OPTIONS: dict[str, pulumi.ResourceOptions] = {}


def _record_options(args: pulumi.ResourceTransformationArgs) -> None:
    OPTIONS[args.name] = args.opts


ACR_ID = "/subscriptions/sub-1/resourceGroups/rg-x/providers/Microsoft.ContainerRegistry/registries/acr"


def build(acr_id: str | None = ACR_ID, **overrides: Any) -> None:
    """An AksCluster from the cluster's settings (camelCase keys, as in a stack file), with `overrides`,
    turned into the component's Args by the wiring's own `cluster_spec`."""
    cluster = AksCluster(
        "gpu",
        AksClusterArgs(
            cluster=cluster_spec(ClusterSettings.model_validate({**CLUSTER_SETTINGS, **overrides})),
            cluster_name="aks-x-gpu",
            resource_group_name="rg-x",
            location="westeurope",
            tenant_id="tenant-1",
            subscription_id="sub-1",
            acr_id=acr_id,
            network=ClusterNetwork(
                node_subnet_id=SUBNET, outbound_prefix_id=PREFIX, authorized_ip_ranges=["203.0.113.0/24"]
            ),
            maintenance=MAINTENANCE,
            defender_workspace_id=WORKSPACE,
        ),
        pulumi.ResourceOptions(transformations=[_record_options]),
    )
    pulumi.export("kubeconfig", cluster.kubeconfig)
    pulumi.export("issuer", cluster.oidc_issuer_url)


@pytest.fixture(scope="module")
def recording() -> Recording:
    return run_component(build)


def test_security_baseline(recording: Recording) -> None:
    inputs = recording.one(CLUSTER).plain()
    assert inputs["disableLocalAccounts"] is True
    assert inputs["enableRBAC"] is True
    assert inputs["aadProfile"] == {
        "managed": True,
        "enableAzureRBAC": True,
        "adminGroupObjectIDs": [ADMINS],
        "tenantID": "tenant-1",
    }
    assert inputs["oidcIssuerProfile"] == {"enabled": True}
    assert inputs["securityProfile"]["workloadIdentity"] == {"enabled": True}
    assert inputs["autoUpgradeProfile"] == {"upgradeChannel": "stable", "nodeOSUpgradeChannel": "SecurityPatch"}
    network = inputs["networkProfile"]
    assert (network["networkPlugin"], network["networkPluginMode"]) == ("azure", "overlay")
    assert (network["networkPolicy"], network["networkDataplane"]) == ("cilium", "cilium")
    assert inputs["apiServerAccessProfile"]["authorizedIPRanges"] == ["203.0.113.0/24"]
    assert inputs["apiServerAccessProfile"]["enablePrivateCluster"] is False
    assert inputs["addonProfiles"] == {"azurepolicy": {"enabled": False}}
    assert inputs["sku"] == {"name": "Base", "tier": "Standard"}
    assert inputs["kubernetesVersion"] == "1.33"
    assert inputs["apiServerAccessProfile"]["disableRunCommand"] is True


def test_user_assigned_control_plane_identity(recording: Recording) -> None:
    identity = recording.one("azure-native:managedidentity:UserAssignedIdentity")
    cluster = recording.one(CLUSTER).plain()
    assert cluster["identity"]["type"] == "UserAssigned"
    assert cluster["identity"]["userAssignedIdentities"] == [identity.outputs["id"]]


def test_system_pool_runs_only_critical_addons_across_zones(recording: Recording) -> None:
    (system,) = recording.one(CLUSTER).plain()["agentPoolProfiles"]
    assert system["mode"] == "System" and system["nodeTaints"] == ["CriticalAddonsOnly=true:NoSchedule"]
    assert system["availabilityZones"] == ["1", "2", "3"]
    assert (system["enableAutoScaling"], system["minCount"], system["maxCount"]) == (True, 3, 5)


def test_only_the_autoscalers_counts_are_ignored(recording: Recording) -> None:
    assert recording.one(CLUSTER).ignore_changes[0] == "agentPoolProfiles[*].count"
    assert all(pool.ignore_changes == ["count"] for pool in recording.of_type(POOL))


def pools(recording: Recording) -> dict[str, dict[str, Any]]:
    return {r.plain()["agentPoolName"]: r.plain() for r in recording.of_type(POOL)}


def test_gpu_pools_are_tainted_labelled_and_scale_from_zero(recording: Recording) -> None:
    found = pools(recording)
    assert set(found) == {"workload", "a100", "t4spot"}
    for name in ("a100", "t4spot"):
        pool = found[name]
        assert "nvidia.com/gpu=present:NoSchedule" in pool["nodeTaints"]
        assert pool["nodeLabels"]["slipway.io/accelerator"] == "nvidia"
        assert (pool["enableAutoScaling"], pool["minCount"], pool["count"]) == (True, 0, 0)
        assert pool["mode"] == "User" and pool["resourceName"] == "aks-x-gpu"
    assert found["a100"]["gpuProfile"] == {"driver": "None"}
    assert found["a100"]["scaleSetPriority"] == "Regular" and "scaleSetEvictionPolicy" not in found["a100"]
    assert found["t4spot"]["gpuProfile"] == {"driver": "Install"}


def test_spot_pool_has_eviction_policy_and_the_spot_taint(recording: Recording) -> None:
    spot = pools(recording)["t4spot"]
    assert (spot["scaleSetPriority"], spot["scaleSetEvictionPolicy"], spot["spotMaxPrice"]) == ("Spot", "Delete", -1)
    assert "kubernetes.azure.com/scalesetpriority=spot:NoSchedule" in spot["nodeTaints"]


def test_workload_pool_takes_no_gpu_taint(recording: Recording) -> None:
    workload = pools(recording)["workload"]
    assert "nodeTaints" not in workload and (workload["minCount"], workload["maxCount"]) == (2, 6)


def test_kubelet_gets_acr_pull_on_the_registry_only(recording: Recording) -> None:
    (assignment,) = [
        r
        for r in recording.of_type("azure-native:authorization:RoleAssignment")
        if r.plain()["roleDefinitionId"].endswith(role_id("AcrPull"))
    ]
    inputs = assignment.plain()
    kubelet = recording.one(CLUSTER).outputs["identityProfile"]["kubeletidentity"]
    assert inputs["roleDefinitionId"].endswith(f"/roleDefinitions/{role_id('AcrPull')}")
    assert inputs["roleDefinitionId"].startswith("/subscriptions/sub-1/")
    assert inputs["principalId"] == kubelet["objectId"] and inputs["principalType"] == "ServicePrincipal"
    assert inputs["scope"].endswith("/registries/acr")


def test_kubeconfig_is_a_secret_that_logs_in_through_kubelogin(recording: Recording) -> None:
    output = recording.outputs["kubeconfig"]
    assert output.secret
    (user,) = yaml.safe_load(output.value)["users"]
    exec_ = user["user"]["exec"]
    assert exec_["command"] == "kubelogin" and exec_["interactiveMode"] == "Never"
    assert exec_["args"] == ["get-token", "--login", "azurecli", "--server-id", AKS_AAD_SERVER_APP]
    (invoke,) = recording.invokes
    assert invoke.args == {"resourceGroupName": "rg-x", "resourceName": "aks-x-gpu", "format": "exec"}


def test_oidc_issuer_is_an_output(recording: Recording) -> None:
    assert recording.outputs["issuer"].value.startswith("https://westeurope.oic.prod-aks.azure.com/")


def test_private_cluster_and_dev_shape() -> None:
    recording = run_component(
        lambda: build(
            apiServer="private",
            availabilityZones=[],
            gpuPools=[],
            acr_id=None,
            tier="Free",
            networkPolicy="azure",
        )
    )
    inputs = recording.one(CLUSTER).plain()
    assert inputs["apiServerAccessProfile"]["enablePrivateCluster"] is True
    # A private API server has no public endpoint to allow-list, whatever ranges the stack holds.
    assert "authorizedIPRanges" not in inputs["apiServerAccessProfile"]
    assert "availabilityZones" not in inputs["agentPoolProfiles"][0]
    assert inputs["sku"]["tier"] == "Free" and inputs["networkProfile"]["networkDataplane"] == "azure"
    assert [r.plain()["agentPoolName"] for r in recording.of_type(POOL)] == ["workload"]
    assert not any(
        r.plain()["roleDefinitionId"].endswith(role_id("AcrPull"))
        for r in recording.of_type("azure-native:authorization:RoleAssignment")
    )


def test_public_api_server_has_no_allow_list() -> None:
    inputs = run_component(lambda: build(apiServer="public")).one(CLUSTER).plain()
    assert inputs["apiServerAccessProfile"] == {"enablePrivateCluster": False, "disableRunCommand": True}
    assert inputs["disableLocalAccounts"] is True  # Entra ID is the only way in


# --- upgrades without drift ------------------------------------------------------------


def test_pools_follow_the_control_plane_version(recording: Recording) -> None:
    (system,) = recording.one(CLUSTER).plain()["agentPoolProfiles"]
    assert "orchestratorVersion" not in system
    assert all("orchestratorVersion" not in pool.plain() for pool in recording.of_type(POOL))


def test_a_channel_that_moves_the_minor_owns_the_version(recording: Recording) -> None:
    assert recording.one(CLUSTER).ignore_changes == ["agentPoolProfiles[*].count", "kubernetesVersion"]
    patch = run_component(lambda: build(upgradeChannel="patch")).one(CLUSTER)
    assert patch.ignore_changes == ["agentPoolProfiles[*].count"] and patch.plain()["kubernetesVersion"] == "1.33"


@pytest.mark.parametrize(
    ("version", "channel", "expected"),
    [
        ("1.33.5", "patch", "expected major.minor (such as '1.33')"),
        ("1.33.5", "stable", "expected major.minor (such as '1.33')"),
        ("1.33.5", "rapid", "expected major.minor"),
        ("1.33", "none", "expected a full patch version such as '1.33.0'"),
        ("1.33", "node-image", "expected a full patch version"),
    ],
)
def test_version_and_channel_must_agree(version: str, channel: str, expected: str) -> None:
    with pytest.raises(ValueError, match="kubernetesVersion: got") as caught:
        ClusterSettings.model_validate({**CLUSTER_SETTINGS, "kubernetesVersion": version, "upgradeChannel": channel})
    assert expected in str(caught.value)
    ClusterSettings.model_validate(
        {
            **CLUSTER_SETTINGS,
            "kubernetesVersion": version + (".5" if version.count(".") == 1 else ""),
            "upgradeChannel": "none",
        }
    )


def test_upgrade_channels_are_arms() -> None:
    arm = AKS_ARM["/definitions/ManagedClusterAutoUpgradeProfile/properties/upgradeChannel/oneOf/0/enum"]
    assert sorted(channel.value for channel in UpgradeChannel) == sorted(arm)
    # ARM: a major.minor version stays as given; AKS picks the patch (so no drift on a major.minor pin).
    assert (
        "Both patch version <major.minor.patch> (e.g. 1.20.13) and <major.minor> (e.g. 1.20) are supported"
        in (AKS_ARM["/definitions/ManagedClusterProperties/properties/kubernetesVersion/description"])
    )


def test_maintenance_windows(recording: Recording) -> None:
    configs = {r.plain()["configName"]: r.plain() for r in recording.of_type(MAINTENANCE_TYPE)}
    assert configs[AUTO_UPGRADE_SCHEDULE]["maintenanceWindow"] == {
        "schedule": {"weekly": {"dayOfWeek": "Sunday", "intervalWeeks": 1}},
        "durationHours": 6,
        "startTime": "02:00",
        "utcOffset": "+00:00",
    }
    assert configs[NODE_OS_UPGRADE_SCHEDULE]["maintenanceWindow"]["schedule"]["weekly"] == {
        "dayOfWeek": "Saturday",
        "intervalWeeks": 2,
    }
    assert all(c["resourceName"] == "aks-x-gpu" and c["resourceGroupName"] == "rg-x" for c in configs.values())
    # A cluster whose version nothing upgrades has no auto-upgrade window, only the node OS one.
    pinned = run_component(lambda: build(kubernetesVersion="1.33.5", upgradeChannel="none"))
    assert [r.plain()["configName"] for r in pinned.of_type(MAINTENANCE_TYPE)] == [NODE_OS_UPGRADE_SCHEDULE]


def test_maintenance_window_bounds_are_arms() -> None:
    window = MaintenanceWindowSettings.model_json_schema(by_alias=True)["properties"]
    duration = AKS_ARM["/definitions/MaintenanceWindow/properties/durationHours/oneOf/0"]
    interval = AKS_ARM["/definitions/WeeklySchedule/properties/intervalWeeks/oneOf/0"]
    assert (window["durationHours"]["minimum"], window["durationHours"]["maximum"]) == (
        duration["minimum"],
        duration["maximum"],
    )
    assert (window["intervalWeeks"]["minimum"], window["intervalWeeks"]["maximum"]) == (
        interval["minimum"],
        interval["maximum"],
    )
    assert (
        window["startTime"]["pattern"] == AKS_ARM["/definitions/MaintenanceWindow/properties/startTime/oneOf/0/pattern"]
    )
    assert (
        window["utcOffset"]["pattern"] == AKS_ARM["/definitions/MaintenanceWindow/properties/utcOffset/oneOf/0/pattern"]
    )
    assert [day.value for day in WeekDay] == AKS_ARM["/definitions/WeeklySchedule/properties/dayOfWeek/oneOf/0/enum"]
    with pytest.raises(ValueError, match="durationHours"):
        MaintenanceWindowSettings.model_validate({"durationHours": 3})


# --- GPU cluster correctness -------------------------------------------------------------


def test_one_os_sku_on_the_gpu_cluster(recording: Recording) -> None:
    (system,) = recording.one(CLUSTER).plain()["agentPoolProfiles"]
    skus = {system["osSKU"], *(pool.plain()["osSKU"] for pool in recording.of_type(POOL))}
    assert skus == {"Ubuntu"}
    hub = run_component(lambda: build(gpuPools=[]))
    assert {p.plain()["osSKU"] for p in hub.of_type(POOL)} | {
        hub.one(CLUSTER).plain()["agentPoolProfiles"][0]["osSKU"]
    } == {"AzureLinux"}


def test_gpu_pools_take_their_own_zones(recording: Recording) -> None:
    found = pools(recording)
    assert found["a100"]["availabilityZones"] == ["2"]
    assert "availabilityZones" not in found["t4spot"]  # [] in settings: regional, Azure places the VMs
    assert found["workload"]["availabilityZones"] == ["1", "2", "3"]


def test_gpu_pool_zones_are_required() -> None:
    pool = {"name": "a100", "vmSize": "Standard_NC24ads_A100_v4", "maxCount": 1}
    with pytest.raises(ValueError, match=r"gpuPools\.0\.zones"):
        ClusterSettings.model_validate({**CLUSTER_SETTINGS, "gpuPools": [pool]})


def test_pools_are_deleted_before_they_are_replaced(recording: Recording) -> None:
    names = [pool.name for pool in recording.of_type(POOL)]
    assert names and all(OPTIONS[name].delete_before_replace for name in names)


@pytest.mark.parametrize("price", [0, -0.5, -2])
def test_spot_price_is_minus_one_or_positive(price: float) -> None:
    spot = {"name": "t4", "vmSize": "Standard_NC4as_T4_v3", "zones": [], "maxCount": 1, "spot": True}
    with pytest.raises(ValueError, match=r"expected -1 .* or a price greater than zero"):
        ClusterSettings.model_validate({**CLUSTER_SETTINGS, "gpuPools": [{**spot, "spotMaxPrice": price}]})
    ClusterSettings.model_validate({**CLUSTER_SETTINGS, "gpuPools": [{**spot, "spotMaxPrice": 0.42}]})
    arm = AKS_ARM["/definitions/ManagedClusterAgentPoolProfileProperties/properties/spotMaxPrice/description"]
    assert "any decimal value greater than zero or -1" in arm


@pytest.mark.parametrize("name", ["system", "workload"])
def test_gpu_pool_cannot_take_a_name_the_cluster_uses(name: str) -> None:
    pool = {"name": name, "vmSize": "Standard_NC4as_T4_v3", "zones": [], "maxCount": 1}
    with pytest.raises(ValueError, match=f"name: got '{name}', expected a name other than system, workload"):
        ClusterSettings.model_validate({**CLUSTER_SETTINGS, "gpuPools": [pool]})


def test_name_patterns_are_arms() -> None:
    assert (
        AKS_ARM["/resourceDefinitions/managedClusters_agentPools/properties/name/oneOf/0"]["pattern"] == AGENT_POOL_NAME
    )
    assert AKS_ARM["/resourceDefinitions/managedClusters/properties/name/oneOf/0"]["pattern"] == CLUSTER_NAME
    # dnsPrefix (the cluster name here) has no pattern of its own in the schema.
    assert "pattern" not in AKS_ARM["/definitions/ManagedClusterProperties/properties/dnsPrefix"]


# --- network and Defender ---------------------------------------------------------------


def test_cluster_joins_the_stacks_subnet_and_egress(recording: Recording) -> None:
    inputs = recording.one(CLUSTER).plain()
    assert inputs["agentPoolProfiles"][0]["vnetSubnetID"] == SUBNET
    assert all(pool.plain()["vnetSubnetID"] == SUBNET for pool in recording.of_type(POOL))
    balancer = inputs["networkProfile"]["loadBalancerProfile"]
    assert balancer["outboundIPPrefixes"] == {"publicIPPrefixes": [{"id": PREFIX}]}
    assert inputs["networkProfile"]["outboundType"] == "loadBalancer"
    control_plane = recording.one("azure-native:managedidentity:UserAssignedIdentity").outputs["principalId"]
    granted = {
        r.plain()["scope"]
        for r in recording.of_type("azure-native:authorization:RoleAssignment")
        if r.plain()["roleDefinitionId"].endswith(role_id("Network Contributor"))
        and r.plain()["principalId"] == control_plane
    }
    assert granted == {SUBNET, PREFIX}


def test_defender_reports_to_the_workspace(recording: Recording) -> None:
    defender = recording.one(CLUSTER).plain()["securityProfile"]["defender"]
    assert defender == {"logAnalyticsWorkspaceResourceId": WORKSPACE, "securityMonitoring": {"enabled": True}}


def test_the_cluster_is_created_after_its_control_planes_network_grants(recording: Recording) -> None:
    """AKS uses the control plane's rights on the subnet and egress while it creates the cluster (#30.1)."""
    grants = {
        r.urn
        for r in recording.of_type("azure-native:authorization:RoleAssignment")
        if r.plain()["roleDefinitionId"].endswith(role_id("Network Contributor"))
    }
    assert len(grants) == 2
    assert grants <= set(recording.one(CLUSTER).dependencies)
