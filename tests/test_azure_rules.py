"""Rules Azure applies that neither the SDK nor the ARM schemas state (#30), each checked against the
documentation excerpt vendored in offline/reference/azure-docs/ (SOURCE.md there names each source)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from components.cloud.roles import RBAC_PROPAGATION_MINUTES
from offline.engine import Recording

DOCS = Path(__file__).resolve().parent.parent / "offline" / "reference" / "azure-docs"


def excerpt(name: str) -> str:
    return (DOCS / name).read_text()


# --- the Kubernetes providers wait for the deploy identity's cluster-admin grant (#30.2) ----------------


def test_role_propagation_bound_is_akss() -> None:

    documented = re.search(r"can take up to (\d+) ?min to propagate", excerpt("aks-manage-azure-rbac.txt"))
    assert documented is not None and int(documented.group(1)) == RBAC_PROPAGATION_MINUTES


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_kubernetes_providers_wait_for_the_deploy_cluster_admin_grant(
    recorded: Callable[[str], Recording], stack: str
) -> None:
    """A first `up` from CI signs in to each cluster as the deploy identity: its provider must not be used
    before that identity's cluster-admin assignment exists and has had time to reach the cluster."""
    recording = recorded(stack)
    providers = recording.of_type("pulumi:providers:kubernetes")
    assert providers
    for provider in providers:
        role = provider.name.rsplit("-", 1)[-1]
        grant = recording.one(
            "azure-native:authorization:RoleAssignment", f"slipway-{stack}-deploy-{role}-cluster-admin"
        )
        waits = [recording.by_urn(urn) for urn in provider.dependencies if "time:index/sleep:Sleep" in urn]
        assert len(waits) == 1, provider.name
        (wait,) = waits
        assert grant.urn in wait.dependencies
        assert wait.plain()["createDuration"] == f"{RBAC_PROPAGATION_MINUTES}m"


# --- the two clusters' maintenance windows are staggered (#30.8) -----------------------------------------

MAINTENANCE_CONFIG = "azure-native:containerservice:MaintenanceConfiguration"


def _week_minutes(window: dict[str, Any]) -> tuple[int, int]:
    """A weekly window as [start, end) minutes of the UTC week; `startTime` is read in the zone `utcOffset` names
    (planned-maintenance excerpt)."""
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    hours, minutes = (int(part) for part in window["startTime"].split(":"))
    sign = -1 if window["utcOffset"].startswith("-") else 1
    offset_hours, offset_minutes = (int(part) for part in window["utcOffset"][1:].split(":"))
    day = days.index(window["schedule"]["weekly"]["dayOfWeek"])
    start = day * 1440 + hours * 60 + minutes - sign * (offset_hours * 60 + offset_minutes)
    return start, start + window["durationHours"] * 60


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    week = 7 * 1440
    return any(a[0] < b[1] + shift and b[0] + shift < a[1] for shift in (-week, 0, week))


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_two_clusters_never_share_a_maintenance_window(recorded: Callable[[str], Recording], stack: str) -> None:
    assert "based on the time zone determined by `utcOffset`" in excerpt("aks-planned-maintenance.txt")
    windows: dict[str, dict[str, tuple[int, int]]] = {}
    for config in recorded(stack).of_type(MAINTENANCE_CONFIG):
        inputs = config.plain()
        windows.setdefault(inputs["configName"], {})[inputs["resourceName"]] = _week_minutes(
            inputs["maintenanceWindow"]
        )
    assert windows
    for config_name, by_cluster in windows.items():
        assert len(by_cluster) == 2, config_name
        hub, gpu = by_cluster.values()
        assert not _overlap(hub, gpu), (stack, config_name, by_cluster)


def test_overlapping_windows_are_refused() -> None:
    from settings import ClustersSettings

    window = {"dayOfWeek": "Sunday", "startTime": "02:00", "durationHours": 6}
    cluster = {
        "kubernetesVersion": "1.33",
        "environments": ["dev"],
        "adminGroupObjectIds": ["6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"],
    }
    gpu_pool = {"name": "t4", "vmSize": "Standard_NC4as_T4_v3", "zones": [], "maxCount": 1}
    gpu = {**cluster, "gpuPools": [gpu_pool], "maintenance": {"autoUpgrade": {**window, "startTime": "07:00"}}}
    with pytest.raises(ValueError, match=r"gpu\.maintenance\.autoUpgrade: .* overlaps the hub's"):
        ClustersSettings.model_validate({"hub": cluster, "gpu": gpu, "maintenance": {"autoUpgrade": window}})
    staggered = ClustersSettings.model_validate({"hub": cluster, "gpu": {**cluster, "gpuPools": [gpu_pool]}})
    assert staggered.windows("gpu").node_os.day_of_week != staggered.windows("hub").node_os.day_of_week


# --- combinations Azure refuses, which the preview accepted (#30.4) ----------------------------------------

CLUSTER = {
    "kubernetesVersion": "1.33.5",
    "environments": ["dev"],
    "adminGroupObjectIds": ["6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"],
}


def test_node_image_channel_fixes_the_node_os_channel() -> None:
    from settings import ClusterSettings

    rule = excerpt("aks-auto-upgrade-node-os-image.txt")
    assert (
        "You can't change node OS auto-upgrade channel value if your cluster auto-upgrade channel is `node-image`"
        in (rule)
    )
    assert "automatically sets the node OS auto-upgrade channel to `NodeImage`" in rule
    node_image = {**CLUSTER, "upgradeChannel": "node-image"}
    with pytest.raises(ValueError, match="nodeOsUpgradeChannel: got 'SecurityPatch' with upgradeChannel 'node-image'"):
        ClusterSettings.model_validate({**node_image, "nodeOsUpgradeChannel": "SecurityPatch"})
    ClusterSettings.model_validate({**node_image, "nodeOsUpgradeChannel": "NodeImage"})
    ClusterSettings.model_validate({**CLUSTER, "upgradeChannel": "none", "nodeOsUpgradeChannel": "SecurityPatch"})


def test_a_node_image_channel_gets_its_auto_upgrade_window() -> None:
    """aksManagedAutoUpgradeSchedule schedules every auto-upgrade channel's upgrades, node-image's too."""
    from conftest import run_component
    from test_cluster import MAINTENANCE_TYPE, build

    from components.cloud.cluster import AUTO_UPGRADE_SCHEDULE, NODE_OS_UPGRADE_SCHEDULE

    assert f"`{AUTO_UPGRADE_SCHEDULE}` controls when to perform cluster upgrades scheduled by your designated " in (
        excerpt("aks-planned-maintenance.txt")
    )
    recording = run_component(
        lambda: build(kubernetesVersion="1.33.5", upgradeChannel="node-image", nodeOsUpgradeChannel="NodeImage")
    )
    names = {r.plain()["configName"] for r in recording.of_type(MAINTENANCE_TYPE)}
    assert names == {AUTO_UPGRADE_SCHEDULE, NODE_OS_UPGRADE_SCHEDULE}


@pytest.mark.parametrize(
    ("registry", "refused"),
    [
        ({"sku": "Standard"}, True),
        ({"sku": "Premium"}, True),
        ({"sku": "Premium", "access": "allowListed"}, True),
        ({"sku": "Premium", "access": "privateEndpoint"}, False),
    ],
)
def test_export_can_be_disabled_only_on_a_premium_registry_without_public_access(
    registry: dict[str, str], refused: bool
) -> None:
    from settings import AcrSettings

    rule = excerpt("acr-data-loss-prevention.txt")
    assert "A Premium container registry configured with a [private endpoint]" in rule
    assert "public access to the registry must also be disabled" in rule
    if refused:
        with pytest.raises(ValueError, match="exportEnabled: got false"):
            AcrSettings.model_validate({**registry, "exportEnabled": False})
    else:
        AcrSettings.model_validate({**registry, "exportEnabled": False})
    AcrSettings.model_validate({**registry, "exportEnabled": True})


def test_dns_prefix_is_at_most_54_characters() -> None:
    from settings import DNS_PREFIX_MAX_LENGTH, SettingsError, load_settings

    assert f"- Between 1 and {DNS_PREFIX_MAX_LENGTH} characters long." in excerpt("psrule-aks-dns-prefix.txt")
    assert "- Start and end with alphanumeric." in excerpt("psrule-aks-dns-prefix.txt")
    document = {
        "azure": {"namePrefix": "pp"},
        "identity": {"repository": "acme/slipway"},
        "clusters": {"hub": {**CLUSTER, "upgradeChannel": "none"}},
        "platform": {"enabled": False},
        "delivery": {"enabled": False},
    }
    # The stack name makes the cluster name `aks-pp-<stack>-hub`, which is also its DNS prefix.
    fits, too_long = "s" * (54 - len("aks-pp--hub")), "s" * (55 - len("aks-pp--hub"))
    load_settings(document, fits)
    with pytest.raises(SettingsError) as refused:
        load_settings(document, too_long)
    (problem,) = refused.value.problems
    assert "dnsPrefix" in problem and "expected at most 54 characters" in problem


# --- production protects what holds state or identity, and nothing else (#30.6) -----------------------------

PROTECTED = {
    "azure-native:resources:ResourceGroup",
    "azure-native:containerregistry:Registry",
    "azure-native:containerservice:ManagedCluster",
    "azure-native:managedidentity:UserAssignedIdentity",
    "azure-native:operationalinsights:Workspace",
    "azure-native:network:PublicIPPrefix",
    "tls:index/privateKey:PrivateKey",
}


def test_prod_protects_state_and_identity_only(recorded: Callable[[str], Recording]) -> None:
    """Removing a service, an environment or a GPU pool deletes only unprotected resources: its ApplicationSets,
    its federated credentials and role assignments, its AgentPool."""
    recording = recorded("prod")
    protected = {r.type for r in recording.resources if r.protect}
    assert protected == PROTECTED
    assert all(r.protect for r in recording.resources if r.type in PROTECTED)
    assert not any(r.protect for r in recording.resources if r.type.startswith("slipway:"))  # no inheritance
    assert not any(r.protect for r in recorded("dev").resources)


def test_the_policy_pack_requires_the_same_protection() -> None:
    from policypack.policies import STATEFUL_OR_IDENTITY
    from wiring.protection import PROTECTED_TYPES

    assert (
        set(STATEFUL_OR_IDENTITY)
        - {
            "azuread:index/application:Application",
            "azuread:index/servicePrincipal:ServicePrincipal",
        }
        == PROTECTED
    )
    assert set(STATEFUL_OR_IDENTITY) == PROTECTED_TYPES
