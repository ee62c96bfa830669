"""An AKS cluster with the AKS security baseline on: the hub (CPU) and the GPU cluster.

Baseline: no local accounts (Entra ID only, Azure RBAC for Kubernetes authorisation,
the admin groups it is given), OIDC issuer and workload identity on, auto-upgrade and
node-OS upgrade channels set with their maintenance windows, Azure CNI overlay with a
network policy engine, a system pool tainted so it runs only critical add-ons, a
user-assigned control-plane identity, the API server reached the way the stack's network
model says (public with Entra ID only, allow-listed to the stack's static egress, or
private), Defender for Containers where asked, and the Azure Policy add-on off
(Gatekeeper comes from the platform layer). Comments cite mspnp/aks-baseline
(`workload-team/cluster-stamp.bicep` @ 0b468aa858bb9ca568f2967b90c08252e45cd84c), the
reference implementation these choices follow.

Every pool beyond the system pool is its own `AgentPool`: a CPU pool for workloads and,
on the GPU cluster, GPU pools tainted `nvidia.com/gpu=present:NoSchedule` that scale from
zero. Pools follow the control plane's version (no `orchestratorVersion`), share one OS
SKU, and are deleted before they are replaced (a pool's name is its identity in Azure).

The system pool is the cluster's one `agentPoolProfiles` entry: AKS needs it to create the
cluster, and an `AgentPool` cannot take it over (azure-native refuses to create a resource that
exists). Edits to it reach Azure as in-place updates of the cluster (azure-native forces no
replacement on `agentPoolProfiles`); only the autoscaler's `count` is left to Azure. Properties AKS
fixes at a pool's creation (VM size, zones, OS disk, max pods) cannot change that way: AKS refuses
the update, and a new pool cannot be added through the cluster either (offline/reference/pulumi-docs).

The kubeconfig comes from the list-user-credentials invoke and is rewritten for
non-interactive `kubelogin` (Entra ID, `azurecli` login); it is always a Pulumi secret.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import yaml
from pulumi_azure_native import authorization, containerservice, managedidentity

from components.cloud.roles import assign_role
from contracts.aks import (
    ApiServerAccess,
    ClusterTier,
    GpuDriver,
    NetworkPolicy,
    NodeOsUpgradeChannel,
    OsSku,
    UpgradeChannel,
    WeekDay,
)
from contracts.gitops import GPU_NODE_LABEL, GPU_TAINT, SPOT_NODE_LABEL, SPOT_TAINT

CRITICAL_ADDONS_ONLY = "CriticalAddonsOnly=true:NoSchedule"
# The cluster's ignore_changes path of the autoscaler's count in every agent pool profile (a Pulumi property path).
SYSTEM_POOL_COUNT = "agentPoolProfiles[*].count"
# The Entra ID application of the AKS AAD server: the audience kubelogin asks tokens for.
AKS_AAD_SERVER_APP = "6dae42f8-4368-4678-94ff-3960e28e3630"


# The names AKS gives its two managed maintenance configurations (planned maintenance).
AUTO_UPGRADE_SCHEDULE = "aksManagedAutoUpgradeSchedule"
NODE_OS_UPGRADE_SCHEDULE = "aksManagedNodeOSUpgradeSchedule"


@dataclass(frozen=True)
class ClusterNetwork:
    """Where the cluster sits in the stack's network; unset parts are left to AKS (its own VNet, egress IP)."""

    node_subnet_id: pulumi.Input[str] | None = None
    outbound_prefix_id: pulumi.Input[str] | None = None
    # For an allowListed API server: every source allowed (the stack's static egress and extra ranges).
    authorized_ip_ranges: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None


@dataclass(frozen=True)
class Pool:
    """An autoscaling CPU pool: its VM size and the autoscaler's bounds."""

    vm_size: str
    min_count: int
    max_count: int


@dataclass(frozen=True)
class GpuPool:
    """An autoscaling GPU pool, tainted for GPU workloads; `zones` empty leaves the placement to Azure."""

    name: str
    vm_size: str
    zones: tuple[str, ...]
    min_count: int
    max_count: int
    spot: bool = False
    # -1: pay up to the on-demand price.
    spot_max_price: float = -1
    driver: GpuDriver = GpuDriver.NONE


@dataclass(frozen=True)
class MaintenanceWindow:
    """A weekly window in which AKS may upgrade."""

    day_of_week: WeekDay
    start_time: str
    duration_hours: int
    utc_offset: str
    interval_weeks: int


@dataclass(frozen=True)
class Maintenance:
    """When AKS's managed upgrades run: Kubernetes versions (`auto_upgrade`) and node OS images (`node_os`)."""

    auto_upgrade: MaintenanceWindow
    node_os: MaintenanceWindow


@dataclass(frozen=True)
class ClusterSpec:
    """What the cluster is: version and channels, access, network policy and pools (one OS for every pool)."""

    kubernetes_version: str
    tier: ClusterTier
    admin_group_object_ids: tuple[str, ...]
    api_server: ApiServerAccess
    upgrade_channel: UpgradeChannel
    node_os_upgrade_channel: NodeOsUpgradeChannel
    network_policy: NetworkPolicy
    os_sku: OsSku
    system_pool: Pool
    user_pool: Pool
    availability_zones: tuple[str, ...] = ()
    gpu_pools: tuple[GpuPool, ...] = ()


@dataclass(frozen=True)
class AksClusterArgs:
    """Where the cluster goes and what it is."""

    cluster: ClusterSpec
    cluster_name: str
    resource_group_name: pulumi.Input[str]
    location: str
    tenant_id: pulumi.Input[str]
    subscription_id: pulumi.Input[str]
    acr_id: pulumi.Input[str] | None = None
    network: ClusterNetwork = field(default_factory=ClusterNetwork)
    maintenance: Maintenance | None = None
    # Log Analytics workspace Defender for Containers reports to; None: Defender off.
    defender_workspace_id: pulumi.Input[str] | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


def kubelogin_kubeconfig(config: dict[str, Any]) -> str:
    """The AKS user kubeconfig, its users switched to non-interactive kubelogin.

    `--login azurecli` uses the signed-in Azure CLI: `az login` on a laptop, `azure/login`
    (OIDC) in GitHub Actions. kubelogin's `AAD_LOGIN_METHOD` variable overrides it (for
    example `workloadidentity` in a pod).
    """
    exec_user = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": "kubelogin",
            "args": ["get-token", "--login", "azurecli", "--server-id", AKS_AAD_SERVER_APP],
            "interactiveMode": "Never",
            "provideClusterInfo": False,
        }
    }
    users = [{**user, "user": exec_user} for user in config.get("users", [])]
    return str(yaml.safe_dump({**config, "users": users}, sort_keys=False))


class AksCluster(pulumi.ComponentResource):
    """One AKS cluster, its pools, its kubelet's AcrPull and its kubeconfig."""

    name: pulumi.Output[str]
    id: pulumi.Output[str]
    oidc_issuer_url: pulumi.Output[str]
    kubelet_object_id: pulumi.Output[str]
    kubelet_client_id: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    api_server: pulumi.Output[str]
    ca_data: pulumi.Output[str]

    def __init__(self, name: str, args: AksClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("slipway:cloud:AksCluster", name, None, opts)
        control_plane, network_grants = self._control_plane(name, args)
        cluster = self._managed_cluster(name, args, control_plane, network_grants)
        self._user_pools(name, cluster, args)
        self._maintenance_windows(name, cluster, args)
        self._kubelet(name, cluster, args)
        self._kubeconfig(cluster, args)
        self.name = cluster.name
        self.id = cluster.id
        self.oidc_issuer_url = cluster.oidc_issuer_profile.apply(
            lambda profile: str((profile and profile.issuer_url) or "")
        )
        self.register_outputs(
            {"name": self.name, "id": self.id, "oidcIssuerUrl": self.oidc_issuer_url, "kubeconfig": self.kubeconfig}
        )

    def _control_plane(
        self, name: str, args: AksClusterArgs
    ) -> tuple[managedidentity.UserAssignedIdentity, list[authorization.RoleAssignment]]:
        """The user-assigned control-plane identity, and its rights on the stack's subnet and egress."""
        child = pulumi.ResourceOptions(parent=self)
        control_plane = managedidentity.UserAssignedIdentity(
            f"{name}-control-plane",
            resource_group_name=args.resource_group_name,
            resource_name_=f"id-{args.cluster_name}-control-plane",
            location=args.location,
            tags=dict(args.tags),
            opts=child,
        )
        network = args.network
        # A cluster in the stack's VNet and egress needs rights on both (cluster-stamp.bicep grants its
        # control-plane identity Network Contributor on the subnets it uses).
        grants: list[authorization.RoleAssignment] = []
        for scope_name, scope in (("subnet", network.node_subnet_id), ("egress", network.outbound_prefix_id)):
            if scope is not None:
                grant = assign_role(
                    f"{name}-control-plane-{scope_name}",
                    role="Network Contributor",
                    principal_id=control_plane.principal_id,
                    scope=scope,
                    subscription_id=args.subscription_id,
                    opts=child,
                    description=f"the AKS control plane manages its {scope_name}",
                )
                grants.append(grant)
        return control_plane, grants

    def _managed_cluster(
        self,
        name: str,
        args: AksClusterArgs,
        control_plane: managedidentity.UserAssignedIdentity,
        network_grants: list[authorization.RoleAssignment],
    ) -> containerservice.ManagedCluster:
        """The cluster itself: Entra ID only, workload identity, upgrade channels, network and system pool.

        It waits for the control plane's network grants: AKS uses them while it creates the cluster
        (its load balancer on the egress prefix, its nodes in the subnet).
        """
        spec = args.cluster
        # The autoscaler owns each profile's node count; everything else declared on the system pool is ours.
        ignored = [SYSTEM_POOL_COUNT]
        if spec.upgrade_channel in (UpgradeChannel.STABLE, UpgradeChannel.RAPID):
            # These channels move the minor version too: the channel owns the version after creation, and
            # Pulumi must not try to set the older minor back.
            ignored.append("kubernetesVersion")
        return containerservice.ManagedCluster(
            name,
            resource_group_name=args.resource_group_name,
            resource_name_=args.cluster_name,
            location=args.location,
            dns_prefix=args.cluster_name,
            node_resource_group=f"rg-{args.cluster_name}-nodes",
            # major.minor with a version channel (AKS picks the patch and keeps the value), or a full patch with none.
            kubernetes_version=spec.kubernetes_version,
            sku=containerservice.ManagedClusterSKUArgs(
                name=containerservice.ManagedClusterSKUName.BASE, tier=spec.tier
            ),
            # A user-assigned control-plane identity survives cluster re-creation and can be granted rights
            # before the cluster exists (cluster-stamp.bicep: miClusterControlPlane).
            identity=containerservice.ManagedClusterIdentityArgs(
                type=containerservice.ResourceIdentityType.USER_ASSIGNED,
                user_assigned_identities=[control_plane.id],
            ),
            disable_local_accounts=True,  # no static admin credential: every call is an Entra ID identity
            enable_rbac=True,
            aad_profile=containerservice.ManagedClusterAADProfileArgs(
                managed=True,
                enable_azure_rbac=True,  # who may do what in Kubernetes is an Azure role assignment, audited
                admin_group_object_ids=list(spec.admin_group_object_ids),
                tenant_id=args.tenant_id,
            ),
            oidc_issuer_profile=containerservice.ManagedClusterOIDCIssuerProfileArgs(enabled=True),
            security_profile=_security_profile(args.defender_workspace_id),
            # Patches and node images arrive without anyone running an upgrade, inside the maintenance windows.
            auto_upgrade_profile=containerservice.ManagedClusterAutoUpgradeProfileArgs(
                upgrade_channel=spec.upgrade_channel, node_os_upgrade_channel=spec.node_os_upgrade_channel
            ),
            network_profile=_network_profile(spec, args.network),
            api_server_access_profile=containerservice.ManagedClusterAPIServerAccessProfileArgs(
                enable_private_cluster=spec.api_server is ApiServerAccess.PRIVATE,
                authorized_ip_ranges=args.network.authorized_ip_ranges
                if spec.api_server is ApiServerAccess.ALLOW_LISTED
                else None,
                # Commands run through Azure would bypass the API server's network model (cluster-stamp.bicep).
                disable_run_command=True,
            ),
            addon_profiles={"azurepolicy": containerservice.ManagedClusterAddonProfileArgs(enabled=False)},
            agent_pool_profiles=[_system_pool(spec, args.network)],
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=ignored, depends_on=network_grants),
        )

    def _user_pools(self, name: str, cluster: containerservice.ManagedCluster, args: AksClusterArgs) -> None:
        """The workload pool, then each GPU pool tainted (and labelled) for GPU workloads, spot ones too."""
        spec = args.cluster
        self._user_pool(name, "workload", spec.user_pool, list(spec.availability_zones) or None, cluster, args)
        for pool in spec.gpu_pools:
            self._user_pool(
                name,
                pool.name,
                pool,
                # Explicit per pool: a GPU size is often offered in fewer zones than the cluster uses.
                list(pool.zones) or None,
                cluster,
                args,
                node_taints=[str(GPU_TAINT), *([str(SPOT_TAINT)] if pool.spot else [])],
                node_labels={**GPU_NODE_LABEL, **(SPOT_NODE_LABEL if pool.spot else {})},
                gpu_profile=containerservice.GPUProfileArgs(driver=pool.driver),
                scale_set_priority=(
                    containerservice.ScaleSetPriority.SPOT if pool.spot else containerservice.ScaleSetPriority.REGULAR
                ),
                scale_set_eviction_policy=containerservice.ScaleSetEvictionPolicy.DELETE if pool.spot else None,
                spot_max_price=pool.spot_max_price if pool.spot else None,
            )

    def _user_pool(
        self,
        name: str,
        pool_name: str,
        size: Pool | GpuPool,
        zones: Sequence[str] | None,
        cluster: containerservice.ManagedCluster,
        args: AksClusterArgs,
        **extra: Any,
    ) -> containerservice.AgentPool:
        """An autoscaling user pool on the control plane's version; the autoscaler owns its `count`."""
        return containerservice.AgentPool(
            f"{name}-{pool_name}",
            resource_group_name=args.resource_group_name,
            resource_name_=cluster.name,
            agent_pool_name=pool_name,
            mode=containerservice.AgentPoolMode.USER,
            vm_size=size.vm_size,
            os_type=containerservice.OSType.LINUX,
            os_sku=containerservice.OSSKU(args.cluster.os_sku.value),
            enable_auto_scaling=True,
            count=size.min_count,
            min_count=size.min_count,
            max_count=size.max_count,
            availability_zones=zones,
            vnet_subnet_id=args.network.node_subnet_id,
            tags=dict(args.tags),
            # A replaced pool keeps its name, which Azure holds until the old pool is gone.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["count"], delete_before_replace=True),
            **extra,
        )

    def _maintenance_windows(self, name: str, cluster: containerservice.ManagedCluster, args: AksClusterArgs) -> None:
        """The node OS window, and the auto-upgrade window of every auto-upgrade channel (node-image's too:
        AKS schedules a channel's upgrades in `aksManagedAutoUpgradeSchedule`)."""
        if args.maintenance is None:
            return
        windows = {NODE_OS_UPGRADE_SCHEDULE: args.maintenance.node_os}
        if args.cluster.upgrade_channel is not UpgradeChannel.NONE:
            windows[AUTO_UPGRADE_SCHEDULE] = args.maintenance.auto_upgrade
        for config_name, window in windows.items():
            _maintenance(
                f"{name}-{config_name}", config_name, window, cluster, args, pulumi.ResourceOptions(parent=self)
            )

    def _kubelet(self, name: str, cluster: containerservice.ManagedCluster, args: AksClusterArgs) -> None:
        """The kubelet's identity, and its AcrPull on the stack's registry."""
        kubelet = cluster.identity_profile.apply(lambda profile: (profile or {})["kubeletidentity"])
        self.kubelet_object_id = kubelet.apply(lambda identity: str(identity.object_id))
        self.kubelet_client_id = kubelet.apply(lambda identity: str(identity.client_id))
        if args.acr_id is not None:
            assign_role(
                f"{name}-kubelet-acr-pull",
                role="AcrPull",
                principal_id=self.kubelet_object_id,
                scope=args.acr_id,
                subscription_id=args.subscription_id,
                opts=pulumi.ResourceOptions(parent=self),
                description="the kubelet pulls images",
            )

    def _kubeconfig(self, cluster: containerservice.ManagedCluster, args: AksClusterArgs) -> None:
        """The kubelogin kubeconfig (secret), and the API server's address and CA (public facts)."""
        credentials = containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=args.resource_group_name,
            resource_name=cluster.name,
            format="exec",
        )
        # Decoded and parsed once; every view below reads the same document.
        config = credentials.kubeconfigs[0].value.apply(lambda encoded: dict(yaml.safe_load(base64.b64decode(encoded))))
        self.kubeconfig = pulumi.Output.secret(config.apply(kubelogin_kubeconfig))
        # The API server's address and CA are public facts, needed to register the cluster with ArgoCD.
        entry = pulumi.Output.unsecret(config.apply(lambda c: dict(c["clusters"][0]["cluster"])))
        self.api_server = entry.apply(lambda e: str(e["server"]))
        self.ca_data = entry.apply(lambda e: str(e["certificate-authority-data"]))


def _security_profile(
    defender_workspace_id: pulumi.Input[str] | None,
) -> containerservice.ManagedClusterSecurityProfileArgs:
    """Workload identity, the image cleaner and, given a workspace, Defender for Containers."""
    return containerservice.ManagedClusterSecurityProfileArgs(
        # Pods get Entra ID tokens by federation: no secrets in the cluster.
        workload_identity=containerservice.ManagedClusterSecurityProfileWorkloadIdentityArgs(enabled=True),
        # Removes unused, possibly vulnerable images from the nodes.
        image_cleaner=containerservice.ManagedClusterSecurityProfileImageCleanerArgs(enabled=True, interval_hours=48),
        # Defender for Containers' runtime sensor, reporting to the stack's workspace (cluster-stamp.bicep).
        defender=containerservice.ManagedClusterSecurityProfileDefenderArgs(
            log_analytics_workspace_resource_id=defender_workspace_id,
            security_monitoring=containerservice.ManagedClusterSecurityProfileDefenderSecurityMonitoringArgs(
                enabled=True
            ),
        )
        if defender_workspace_id is not None
        else None,
    )


def _network_profile(spec: ClusterSpec, network: ClusterNetwork) -> containerservice.ContainerServiceNetworkProfileArgs:
    """Azure CNI overlay with the stack's policy engine, leaving through the stack's static egress when given."""
    return containerservice.ContainerServiceNetworkProfileArgs(
        network_plugin=containerservice.NetworkPlugin.AZURE,
        network_plugin_mode=containerservice.NetworkPluginMode.OVERLAY,
        network_policy=spec.network_policy,  # pods are isolated by NetworkPolicy, not by trust
        # Cilium policy runs on the Cilium dataplane; the others on Azure's.
        network_dataplane=(
            containerservice.NetworkDataplane.CILIUM
            if spec.network_policy is NetworkPolicy.CILIUM
            else containerservice.NetworkDataplane.AZURE
        ),
        load_balancer_sku=containerservice.LoadBalancerSku.STANDARD,
        outbound_type=containerservice.OutboundType.LOAD_BALANCER,
        # A static egress prefix the stack declares, so other API servers can allow-list this cluster.
        load_balancer_profile=containerservice.ManagedClusterLoadBalancerProfileArgs(
            outbound_ip_prefixes=containerservice.ManagedClusterLoadBalancerProfileOutboundIPPrefixesArgs(
                public_ip_prefixes=[containerservice.ResourceReferenceArgs(id=network.outbound_prefix_id)]
            )
        )
        if network.outbound_prefix_id is not None
        else None,
    )


def _system_pool(spec: ClusterSpec, network: ClusterNetwork) -> containerservice.ManagedClusterAgentPoolProfileArgs:
    """The system pool, tainted so only critical add-ons run on it: a noisy workload cannot starve CoreDNS."""
    return containerservice.ManagedClusterAgentPoolProfileArgs(
        name="system",
        mode=containerservice.AgentPoolMode.SYSTEM,
        vm_size=spec.system_pool.vm_size,
        os_type=containerservice.OSType.LINUX,
        os_sku=containerservice.OSSKU(spec.os_sku.value),
        type=containerservice.AgentPoolType.VIRTUAL_MACHINE_SCALE_SETS,
        enable_auto_scaling=True,
        count=spec.system_pool.min_count,
        min_count=spec.system_pool.min_count,
        max_count=spec.system_pool.max_count,
        availability_zones=list(spec.availability_zones)
        or None,  # survives the loss of a zone where the region has them
        vnet_subnet_id=network.node_subnet_id,
        node_taints=[CRITICAL_ADDONS_ONLY],
    )


def _maintenance(
    name: str,
    config_name: str,
    window: MaintenanceWindow,
    cluster: containerservice.ManagedCluster,
    args: AksClusterArgs,
    opts: pulumi.ResourceOptions,
) -> containerservice.MaintenanceConfiguration:
    """One of AKS's managed maintenance windows, weekly (cluster-stamp.bicep: aksManagedNodeOSUpgradeSchedule)."""
    return containerservice.MaintenanceConfiguration(
        name,
        resource_group_name=args.resource_group_name,
        resource_name_=cluster.name,
        config_name=config_name,
        maintenance_window=containerservice.MaintenanceWindowArgs(
            schedule=containerservice.ScheduleArgs(
                weekly=containerservice.WeeklyScheduleArgs(
                    day_of_week=containerservice.WeekDay(window.day_of_week.value),
                    interval_weeks=window.interval_weeks,
                )
            ),
            duration_hours=window.duration_hours,
            start_time=window.start_time,
            utc_offset=window.utc_offset,
        ),
        opts=opts,
    )
