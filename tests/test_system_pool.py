"""The system pool's edits reach Azure the way AKS allows (#30.5).

The system pool is the cluster's `agentPoolProfiles` entry. Pulumi diffs a resource's inputs after
putting the old value back at every `ignore_changes` path (pulumi.com, ignoreChanges): an edit reaches
Azure only where no path covers it. `offline.plan` applies those paths as Pulumi's property paths
read (offline/reference/pulumi-docs/property-paths.txt) and shows the steps; each fact below is an
excerpt vendored in offline/reference/ (SOURCE.md there names each source and commit).
"""

from __future__ import annotations

import copy
import inspect
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import run_component
from pulumi_azure_native import containerservice
from test_cluster import CLUSTER, CLUSTER_SETTINGS, build

from components.cloud.cluster import SYSTEM_POOL_COUNT
from offline.engine import Recording
from offline.plan import FIXED_AT_CREATION, after_ignore_changes, force_new, plan
from offline.render import preview_json

REFERENCE = Path(__file__).resolve().parent.parent / "offline" / "reference"


def excerpt(folder: str, name: str) -> str:
    return (REFERENCE / folder / name).read_text()


def cluster_inputs(**overrides: Any) -> tuple[dict[str, Any], list[str]]:
    cluster = run_component(lambda: build(**overrides)).one(CLUSTER)
    return cluster.plain(), cluster.ignore_changes


@pytest.fixture(scope="module")
def base() -> Recording:
    return run_component(build)


def _edited(**system_pool: Any) -> dict[str, Any]:
    return {"systemPool": {**CLUSTER_SETTINGS["systemPool"], **system_pool}}


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param({"minCount": 4, "maxCount": 8}, id="autoscaler-bounds"),
        pytest.param({"vmSize": "Standard_D8ds_v5"}, id="vm-size"),
    ],
)
def test_an_edited_system_pool_reaches_azure(base: Recording, edit: dict[str, Any]) -> None:
    """Failed before #30.5: `ignore_changes=["agentPoolProfiles"]` put the old pool back, so nothing was sent."""
    old = base.one(CLUSTER).plain()
    new, ignored = cluster_inputs(**_edited(**edit))
    sent = after_ignore_changes(old, new, ignored)
    assert sent["agentPoolProfiles"] != old["agentPoolProfiles"]
    (pool,) = sent["agentPoolProfiles"]
    for key, value in edit.items():
        assert pool[key] == value


def test_the_autoscalers_count_stays_azures(base: Recording) -> None:
    """The count the autoscaler set is not reset to the declared minimum on every `up`."""
    old = copy.deepcopy(base.one(CLUSTER).plain())
    old["agentPoolProfiles"][0]["count"] = 5  # what the autoscaler set, after a refresh
    new, ignored = cluster_inputs()
    assert after_ignore_changes(old, new, ignored)["agentPoolProfiles"][0]["count"] == 5


def test_the_count_path_is_a_pulumi_property_path() -> None:
    """`array[*].field` is a form Pulumi's property-path reference lists; the test's reading of it is that form."""
    documented = excerpt("pulumi-docs", "property-paths.txt").split()
    assert "root.array[*].field" in documented
    assert SYSTEM_POOL_COUNT.replace("agentPoolProfiles", "root.array").replace("count", "field") in documented


def test_an_edited_profile_is_an_update_not_a_new_cluster() -> None:
    """azure-native forces replacement of a standalone AgentPool on `vmSize`, and lists no agentPoolProfiles
    property for the cluster: an edited system pool is an in-place update of the cluster, not a new cluster."""
    rules = force_new()
    assert "vmSize" in rules["azure-native:containerservice:AgentPool"]
    assert not {"agentPoolProfiles", "vmSize", "count"} & rules["azure-native:containerservice:ManagedCluster"]


def test_what_aks_fixes_at_a_pools_creation() -> None:
    """The properties AKS does not change in an existing pool: an edit to them is refused by AKS at `up`,
    since the pinned API version predates in-place resize and no pool can be added through the cluster."""
    assert "You can't change the virtual machine (VM) size of a node pool after you create it." in excerpt(
        "azure-docs", "aks-create-node-pools.txt"
    )
    assert "You can't change the max pods setting" in excerpt("azure-docs", "aks-create-node-pools.txt")
    assert "can't change_ the number of availability zones" in excerpt("azure-docs", "aks-availability-zones.txt")
    assert "You can't change the OS disk size" in excerpt("azure-docs", "aks-os-disk.txt")
    assert "Adding agent pools to an existing cluster is not allowed through managed cluster operations" in (
        excerpt("pulumi-docs", "aks-no-pool-added-through-cluster.txt")
    )
    required = re.search(r"AKS API version `(\S+)` or later", excerpt("azure-docs", "aks-resize-node-pool.txt"))
    pinned = re.search(r"Uses Azure REST API version (\S+?)\.", inspect.getsource(containerservice.ManagedCluster))
    assert required is not None and pinned is not None
    # ISO dates compare as text: the provider's version is older than the one in-place resize needs.
    assert pinned.group(1) < required.group(1)


def test_the_cluster_keeps_one_system_pool(base: Recording) -> None:
    """AKS requires at least one system pool at all times: the cluster's own profile is it."""
    assert "requires at least one system node pool" in excerpt("azure-docs", "aks-use-system-pools.txt")
    profiles = base.one(CLUSTER).plain()["agentPoolProfiles"]
    assert [profile["mode"] for profile in profiles] == ["System"]
    pools = base.of_type("azure-native:containerservice:AgentPool")
    assert pools and all(pool.plain()["mode"] == "User" for pool in pools)


def test_no_agent_pool_takes_over_the_clusters_pool(base: Recording) -> None:
    """azure-native refuses to create a resource that exists: no AgentPool may name the cluster's own pool."""
    assert "cannot create already existing resource" in excerpt(
        "pulumi-docs", "azure-native-create-refuses-existing.txt"
    )
    (system,) = base.one(CLUSTER).plain()["agentPoolProfiles"]
    assert system["name"] not in {
        pool.plain()["agentPoolName"] for pool in base.of_type("azure-native:containerservice:AgentPool")
    }


def _steps(base: Recording, edited: Recording) -> dict[str, dict[str, Any]]:
    previous = preview_json(base, {}, [])
    return {step["urn"].rsplit("::", 1)[-1]: step for step in plan(previous, edited).steps}


def test_the_preview_shows_a_system_pool_edit_as_an_update_of_the_cluster(base: Recording) -> None:
    """`offline preview --previous`: the edited system pool is an update of the cluster; nothing else moves.
    Failed before #30.5 (the step was `same`)."""
    edited = plan(preview_json(base, {}, []), run_component(lambda: build(**_edited(minCount=2, maxCount=7))))
    steps = {step["urn"].rsplit("::", 1)[-1]: step for step in edited.steps}
    assert steps["gpu"]["op"] == "update"
    assert steps["gpu"]["diffReasons"] == ["agentPoolProfiles[0].maxCount", "agentPoolProfiles[0].minCount"]
    assert {step["op"] for name, step in steps.items() if name != "gpu"} == {"same"}
    assert edited.refusals == []


def test_the_preview_refuses_what_aks_fixes_at_a_pools_creation(base: Recording) -> None:
    """A new VM size or zones for the system pool is an update AKS refuses: the preview says so, with the rule.
    The cluster's zones are the workload pool's too: its in-place zone change is refused as well."""
    edited = run_component(lambda: build(**_edited(vmSize="Standard_D8ds_v5"), availabilityZones=["1", "2"]))
    refusals = plan(preview_json(base, {}, []), edited).refusals
    refused = [
        (urn.rsplit("::", 1)[-1], rest.split(" ")[0])
        for urn, rest in (r.split(": AKS refuses to change ") for r in refusals)
    ]
    assert refused == [
        ("gpu", "agentPoolProfiles[0].availabilityZones"),
        ("gpu", "agentPoolProfiles[0].vmSize"),
        ("gpu-workload", "availabilityZones"),
    ]


@pytest.mark.parametrize("key", sorted(FIXED_AT_CREATION))
def test_each_fixed_property_is_akss(key: str) -> None:
    source, rule = FIXED_AT_CREATION[key]
    assert rule in excerpt("azure-docs", source)


def test_the_preview_shows_a_resized_gpu_pool_as_a_replacement(base: Recording) -> None:
    """A standalone AgentPool's `vmSize` is in azure-native's forceNewMap: a replacement (deleted first, as
    the pool declares, since its name is its identity)."""
    pools = [dict(pool) for pool in CLUSTER_SETTINGS["gpuPools"]]
    pools[0]["vmSize"] = "Standard_NC48ads_A100_v4"
    steps = _steps(base, run_component(lambda: build(gpuPools=pools)))
    assert steps["gpu-a100"]["op"] == "replace" and steps["gpu-a100"]["replaceReasons"] == ["vmSize"]


def test_the_preview_shows_autoscaler_drift_as_no_change(base: Recording) -> None:
    previous = preview_json(base, {}, [])
    for step in previous["steps"]:
        if step["newState"]["type"] == CLUSTER:
            step["newState"]["inputs"]["agentPoolProfiles"][0]["count"] = 5
    assert {step["op"] for step in plan(previous, run_component(build)).steps} == {"same"}
