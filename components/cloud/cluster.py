"""An AKS cluster with the AKS security baseline on: the hub (CPU) and the GPU cluster.

Baseline: no local accounts (Entra ID only, Azure RBAC for Kubernetes authorisation,
admin groups from settings), OIDC issuer and workload identity on, auto-upgrade and
node-OS upgrade channels set, Azure CNI overlay with a network policy engine, a system
pool tainted so it runs only critical add-ons, a user-assigned control-plane identity,
an API server reachable only from authorised ranges (or private), a pinned Kubernetes
version, and the Azure Policy add-on off (Gatekeeper comes from the platform layer).

Every pool beyond the system pool is its own `AgentPool`: a CPU pool for workloads and,
on the GPU cluster, GPU pools tainted `nvidia.com/gpu=present:NoSchedule` that scale from
zero. The cluster ignores drift in `agentPoolProfiles`, which Azure fills with those pools
and the autoscaler's counts.

The kubeconfig comes from the list-user-credentials invoke and is rewritten for
non-interactive `kubelogin` (Entra ID, `azurecli` login); it is always a Pulumi secret.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import yaml
from pulumi_azure_native import containerservice, managedidentity

from components.cloud.roles import assign_role
from components.gitops import GPU_NODE_LABEL, GPU_TAINT, SPOT_NODE_LABEL, SPOT_TAINT
from settings import ClusterSettings, GpuPoolSettings, NetworkPolicy, PoolSettings

CRITICAL_ADDONS_ONLY = "CriticalAddonsOnly=true:NoSchedule"
# The Entra ID application of the AKS AAD server: the audience kubelogin asks tokens for.
AKS_AAD_SERVER_APP = "6dae42f8-4368-4678-94ff-3960e28e3630"


@dataclass(frozen=True)
class AksClusterArgs:
    """Where the cluster goes and what it is; `cluster` is the stack's validated settings of it."""

    cluster: ClusterSettings
    cluster_name: str
    resource_group_name: pulumi.Input[str]
    location: str
    tenant_id: pulumi.Input[str]
    subscription_id: pulumi.Input[str]
    acr_id: pulumi.Input[str] | None = None
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
        child = pulumi.ResourceOptions(parent=self)
        spec = args.cluster
        zones = list(spec.availability_zones) or None
        control_plane = managedidentity.UserAssignedIdentity(
            f"{name}-control-plane",
            resource_group_name=args.resource_group_name,
            resource_name_=f"id-{args.cluster_name}-control-plane",
            location=args.location,
            tags=dict(args.tags),
            opts=child,
        )
        cluster = containerservice.ManagedCluster(
            name,
            resource_group_name=args.resource_group_name,
            resource_name_=args.cluster_name,
            location=args.location,
            dns_prefix=args.cluster_name,
            node_resource_group=f"rg-{args.cluster_name}-nodes",
            kubernetes_version=spec.kubernetes_version,
            sku=containerservice.ManagedClusterSKUArgs(
                name=containerservice.ManagedClusterSKUName.BASE, tier=spec.tier
            ),
            identity=containerservice.ManagedClusterIdentityArgs(
                type=containerservice.ResourceIdentityType.USER_ASSIGNED,
                user_assigned_identities=[control_plane.id],
            ),
            disable_local_accounts=True,
            enable_rbac=True,
            aad_profile=containerservice.ManagedClusterAADProfileArgs(
                managed=True,
                enable_azure_rbac=True,
                admin_group_object_ids=list(spec.admin_group_object_ids),
                tenant_id=args.tenant_id,
            ),
            oidc_issuer_profile=containerservice.ManagedClusterOIDCIssuerProfileArgs(enabled=True),
            security_profile=containerservice.ManagedClusterSecurityProfileArgs(
                workload_identity=containerservice.ManagedClusterSecurityProfileWorkloadIdentityArgs(enabled=True),
                image_cleaner=containerservice.ManagedClusterSecurityProfileImageCleanerArgs(
                    enabled=True, interval_hours=48
                ),
            ),
            auto_upgrade_profile=containerservice.ManagedClusterAutoUpgradeProfileArgs(
                upgrade_channel=spec.upgrade_channel, node_os_upgrade_channel=spec.node_os_upgrade_channel
            ),
            network_profile=containerservice.ContainerServiceNetworkProfileArgs(
                network_plugin=containerservice.NetworkPlugin.AZURE,
                network_plugin_mode=containerservice.NetworkPluginMode.OVERLAY,
                network_policy=spec.network_policy,
                # Cilium policy runs on the Cilium dataplane; the others on Azure's.
                network_dataplane=(
                    containerservice.NetworkDataplane.CILIUM
                    if spec.network_policy is NetworkPolicy.CILIUM
                    else containerservice.NetworkDataplane.AZURE
                ),
                load_balancer_sku=containerservice.LoadBalancerSku.STANDARD,
                outbound_type=containerservice.OutboundType.LOAD_BALANCER,
            ),
            api_server_access_profile=containerservice.ManagedClusterAPIServerAccessProfileArgs(
                enable_private_cluster=spec.private,
                authorized_ip_ranges=list(spec.authorized_ip_ranges) or None,
                disable_run_command=True,
            ),
            addon_profiles={"azurepolicy": containerservice.ManagedClusterAddonProfileArgs(enabled=False)},
            agent_pool_profiles=[
                containerservice.ManagedClusterAgentPoolProfileArgs(
                    name="system",
                    mode=containerservice.AgentPoolMode.SYSTEM,
                    vm_size=spec.system_pool.vm_size,
                    os_type=containerservice.OSType.LINUX,
                    os_sku=containerservice.OSSKU.AZURE_LINUX,
                    type=containerservice.AgentPoolType.VIRTUAL_MACHINE_SCALE_SETS,
                    enable_auto_scaling=True,
                    count=spec.system_pool.min_count,
                    min_count=spec.system_pool.min_count,
                    max_count=spec.system_pool.max_count,
                    availability_zones=zones,
                    node_taints=[CRITICAL_ADDONS_ONLY],
                    orchestrator_version=spec.kubernetes_version,
                )
            ],
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["agentPoolProfiles"]),
        )
        self._user_pool(name, "workload", spec.user_pool, containerservice.OSSKU.AZURE_LINUX, cluster, args)
        for pool in spec.gpu_pools:
            self._user_pool(
                name,
                pool.name,
                pool,
                containerservice.OSSKU.UBUNTU,
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
                opts=child,
            )
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
        self.name = cluster.name
        self.id = cluster.id
        self.oidc_issuer_url = cluster.oidc_issuer_profile.apply(
            lambda profile: str((profile and profile.issuer_url) or "")
        )
        self.register_outputs(
            {"name": self.name, "id": self.id, "oidcIssuerUrl": self.oidc_issuer_url, "kubeconfig": self.kubeconfig}
        )

    def _user_pool(
        self,
        name: str,
        pool_name: str,
        size: PoolSettings | GpuPoolSettings,
        os_sku: containerservice.OSSKU,
        cluster: containerservice.ManagedCluster,
        args: AksClusterArgs,
        **extra: Any,
    ) -> containerservice.AgentPool:
        """An autoscaling user pool; the autoscaler owns its `count` after creation."""
        return containerservice.AgentPool(
            f"{name}-{pool_name}",
            resource_group_name=args.resource_group_name,
            resource_name_=cluster.name,
            agent_pool_name=pool_name,
            mode=containerservice.AgentPoolMode.USER,
            vm_size=size.vm_size,
            os_type=containerservice.OSType.LINUX,
            os_sku=os_sku,
            enable_auto_scaling=True,
            count=size.min_count,
            min_count=size.min_count,
            max_count=size.max_count,
            availability_zones=list(args.cluster.availability_zones) or None,
            orchestrator_version=args.cluster.kubernetes_version,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["count"]),
            **extra,
        )
