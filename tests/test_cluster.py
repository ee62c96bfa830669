"""AksCluster: the AKS security baseline and the GPU pools, asserted input by input."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
import yaml
from conftest import run_component

from components.cloud.cluster import AKS_AAD_SERVER_APP, AksCluster, AksClusterArgs
from components.cloud.roles import role_id
from offline.engine import Recording
from settings import ClusterSettings

CLUSTER = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"
ADMINS = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"


CLUSTER_SETTINGS: dict[str, Any] = {
    "kubernetesVersion": "1.33.5",
    "tier": "Standard",
    "environments": ["dev"],
    "adminGroupObjectIds": [ADMINS],
    "upgradeChannel": "stable",
    "nodeOsUpgradeChannel": "SecurityPatch",
    "networkPolicy": "cilium",
    "systemPool": {"vmSize": "Standard_D4ds_v5", "minCount": 3, "maxCount": 5},
    "userPool": {"vmSize": "Standard_D8ds_v5", "minCount": 2, "maxCount": 6},
    "gpuPools": [
        {"name": "a100", "vmSize": "Standard_NC24ads_A100_v4", "minCount": 0, "maxCount": 4},
        {"name": "t4spot", "vmSize": "Standard_NC4as_T4_v3", "maxCount": 2, "spot": True, "driver": "Install"},
    ],
    "availabilityZones": ["1", "2", "3"],
    "authorizedIpRanges": ["203.0.113.0/24"],
}
ACR_ID = "/subscriptions/sub-1/resourceGroups/rg-x/providers/Microsoft.ContainerRegistry/registries/acr"


def build(acr_id: str | None = ACR_ID, **overrides: Any) -> None:
    """An AksCluster from the cluster's settings (camelCase keys, as in a stack file), with `overrides`."""
    cluster = AksCluster(
        "gpu",
        AksClusterArgs(
            cluster=ClusterSettings.model_validate({**CLUSTER_SETTINGS, **overrides}),
            cluster_name="aks-x-gpu",
            resource_group_name="rg-x",
            location="westeurope",
            tenant_id="tenant-1",
            subscription_id="sub-1",
            acr_id=acr_id,
        ),
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
    assert inputs["kubernetesVersion"] == "1.33.5"


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


def test_pool_drift_from_azure_and_the_autoscaler_is_ignored(recording: Recording) -> None:
    assert recording.one(CLUSTER).ignore_changes == ["agentPoolProfiles"]
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
    (assignment,) = recording.of_type("azure-native:authorization:RoleAssignment")
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
            private=True,
            authorizedIpRanges=[],
            availabilityZones=[],
            gpuPools=[],
            acr_id=None,
            tier="Free",
            networkPolicy="azure",
        )
    )
    inputs = recording.one(CLUSTER).plain()
    assert inputs["apiServerAccessProfile"]["enablePrivateCluster"] is True
    assert "authorizedIPRanges" not in inputs["apiServerAccessProfile"]
    assert "availabilityZones" not in inputs["agentPoolProfiles"][0]
    assert inputs["sku"]["tier"] == "Free" and inputs["networkProfile"]["networkDataplane"] == "azure"
    assert [r.plain()["agentPoolName"] for r in recording.of_type(POOL)] == ["workload"]
    assert recording.of_type("azure-native:authorization:RoleAssignment") == []
