"""The stack's network: one VNet with a subnet per use, and the static egress others allow-list.

A stack declares a VNet when something must live in one: clusters whose API server is
private, a registry reached by private endpoint, self-hosted runners. Its address space
is split into eight equal subnets: one per cluster's nodes (Azure CNI overlay: pods take
no VNet addresses), one for private endpoints, one for the self-hosted runners.

Static egress is what makes an allow-list possible: each cluster leaves through its own
public IP prefix (the load balancer's outbound prefix) and the runners' subnet through a
NAT gateway with its own prefix. API servers and the registry's network rules then name
exactly those prefixes, no guessed or placeholder ranges.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import network

# Subnet names other modules (the reachability report) look for.
ENDPOINTS_SUBNET = "snet-endpoints"
RUNNERS_SUBNET = "snet-runners"


def node_subnet(role: str) -> str:
    return f"snet-{role}-nodes"


@dataclass(frozen=True)
class StackNetworkArgs:
    resource_group_name: pulumi.Input[str]
    location: str
    base: str
    # The VNet's range, None for no VNet.
    address_space: str | None
    # The clusters (by role) that join the VNet and get a static egress prefix.
    cluster_roles: Sequence[str]
    static_egress: bool
    self_hosted_runners: bool
    egress_prefix_length: int = 31
    tags: Mapping[str, str] = field(default_factory=dict)


class StackNetwork(pulumi.ComponentResource):
    """The VNet, its subnets, and the public IP prefixes of the stack's egress."""

    vnet_id: pulumi.Output[str] | None
    subnet_ids: dict[str, pulumi.Output[str]]
    # Egress prefixes by owner (cluster role or "runners"): resource id, and the range once allocated.
    egress_prefix_ids: dict[str, pulumi.Output[str]]
    egress_ranges: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: StackNetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("slipway:cloud:StackNetwork", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.subnet_ids = {}
        self.egress_prefix_ids = {}
        self.egress_ranges = {}
        owners = list(args.cluster_roles) if args.static_egress else []
        if args.self_hosted_runners:
            owners.append("runners")
        for owner in owners:
            prefix = network.PublicIPPrefix(
                f"{name}-egress-{owner}",
                resource_group_name=args.resource_group_name,
                public_ip_prefix_name=f"ippre-{args.base}-{owner}",
                location=args.location,
                prefix_length=args.egress_prefix_length,
                public_ip_address_version=network.IPVersion.I_PV4,
                sku=network.PublicIPPrefixSkuArgs(
                    name=network.PublicIPPrefixSkuName.STANDARD, tier=network.PublicIPPrefixSkuTier.REGIONAL
                ),
                tags=dict(args.tags),
                opts=child,
            )
            self.egress_prefix_ids[owner] = prefix.id
            self.egress_ranges[owner] = prefix.ip_prefix
        self.vnet_id = None
        if args.address_space is None:
            self.register_outputs({})
            return
        vnet = network.VirtualNetwork(
            name,
            resource_group_name=args.resource_group_name,
            virtual_network_name=f"vnet-{args.base}",
            location=args.location,
            address_space=network.AddressSpaceArgs(address_prefixes=[args.address_space]),
            tags=dict(args.tags),
            # The subnets are their own resources below.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["subnets"]),
        )
        self.vnet_id = vnet.id
        ranges = ipaddress.ip_network(args.address_space).subnets(prefixlen_diff=3)
        uses = [node_subnet(role) for role in args.cluster_roles] + [ENDPOINTS_SUBNET, RUNNERS_SUBNET]
        nat = None
        if args.self_hosted_runners:
            nat = network.NatGateway(
                f"{name}-runners-nat",
                resource_group_name=args.resource_group_name,
                nat_gateway_name=f"ng-{args.base}-runners",
                location=args.location,
                sku=network.NatGatewaySkuArgs(name=network.NatGatewaySkuName.STANDARD),
                public_ip_prefixes=[network.SubResourceArgs(id=self.egress_prefix_ids["runners"])],
                tags=dict(args.tags),
                opts=child,
            )
        for subnet_name, address_range in zip(uses, ranges, strict=False):
            if subnet_name == RUNNERS_SUBNET and nat is None:
                continue
            subnet = network.Subnet(
                f"{name}-{subnet_name}",
                resource_group_name=args.resource_group_name,
                virtual_network_name=vnet.name,
                subnet_name=subnet_name,
                address_prefix=str(address_range),
                # The runners leave through the NAT gateway's prefix, the one the API servers allow.
                nat_gateway=network.SubResourceArgs(id=nat.id) if subnet_name == RUNNERS_SUBNET and nat else None,
                opts=child,
            )
            self.subnet_ids[subnet_name] = subnet.id
        self.register_outputs({"vnetId": self.vnet_id})
