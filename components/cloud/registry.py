"""The Azure Container Registry CI pushes to and the clusters pull from.

Private by construction: no admin user (so no shared password exists), no anonymous
pull; pushes and pulls go through Entra ID role assignments made elsewhere. Premium
registries also get zone redundancy, geo-replicas, a retention policy for untagged
manifests and, where the stack's network model asks, network rules (only the stack's
static egress) or a private endpoint instead of the public one: the endpoint in the
stack's VNet, the `privatelink.azurecr.io` zone holding its records, and that zone linked
to every VNet that pulls or pushes. Comments cite mspnp/aks-baseline
(`workload-team/acr-stamp.bicep` @ 0b468aa858bb9ca568f2967b90c08252e45cd84c).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import containerregistry, network, privatedns

# The private DNS zone and private-link group of a registry's private endpoint (acr-stamp.bicep).
ACR_PRIVATE_DNS_ZONE = "privatelink.azurecr.io"
ACR_PRIVATE_LINK_GROUP = "registry"


@dataclass(frozen=True)
class PrivateAccess:
    """A private endpoint in `subnet_id`, resolvable from every VNet in `vnet_ids` (those that pull or push)."""

    subnet_id: pulumi.Input[str]
    vnet_ids: Mapping[str, pulumi.Input[str]]


@dataclass(frozen=True)
class ContainerRegistryArgs:
    resource_group_name: pulumi.Input[str]
    registry_name: str
    location: str
    sku: containerregistry.SkuName
    # Sources allowed through the network rules; None: the public endpoint takes any source.
    allowed_ranges: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    private: PrivateAccess | None = None
    zone_redundant: bool = False
    geo_replicas: Sequence[str] = ()
    untagged_retention_days: int | None = None
    export_enabled: bool = True
    data_endpoint: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)


def _enabled(on: bool) -> str:
    return "Enabled" if on else "Disabled"


class ContainerRegistry(pulumi.ComponentResource):
    """An ACR registry, its geo-replicas and, when private, its endpoint and DNS."""

    id: pulumi.Output[str]
    name: pulumi.Output[str]
    login_server: pulumi.Output[str]

    def __init__(self, name: str, args: ContainerRegistryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("slipway:cloud:ContainerRegistry", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        premium = args.sku == containerregistry.SkuName.PREMIUM
        retention = None
        if args.untagged_retention_days is not None:
            retention = containerregistry.RetentionPolicyArgs(
                days=args.untagged_retention_days, status=containerregistry.PolicyStatus.ENABLED
            )
        export = None
        if not args.export_enabled:
            # Images cannot be copied out of the registry by export pipelines (acr-stamp.bicep: exportPolicy).
            export = containerregistry.ExportPolicyArgs(status=containerregistry.ExportPolicyStatus.DISABLED)
        rules = None
        if args.allowed_ranges is not None:
            # Only the stack's declared egress reaches the public endpoint (acr-stamp.bicep: defaultAction Deny).
            rules = pulumi.Output.from_input(args.allowed_ranges).apply(
                lambda ranges: containerregistry.NetworkRuleSetArgs(
                    default_action=containerregistry.DefaultAction.DENY,
                    ip_rules=[
                        containerregistry.IPRuleArgs(i_p_address_or_range=r, action=containerregistry.Action.ALLOW)
                        for r in ranges
                    ],
                )
            )
        registry = containerregistry.Registry(
            name,
            containerregistry.RegistryArgs(
                resource_group_name=args.resource_group_name,
                registry_name=args.registry_name,
                location=args.location,
                sku=containerregistry.SkuArgs(name=args.sku),
                admin_user_enabled=False,  # no shared password: pushes and pulls are Entra ID identities
                anonymous_pull_enabled=False,
                # A private registry has no public endpoint at all (acr-stamp.bicep: publicNetworkAccess Disabled).
                public_network_access=containerregistry.PublicNetworkAccess(_enabled(args.private is None)),
                network_rule_set=rules,
                # Pulls survive the loss of a zone (acr-stamp.bicep: zoneRedundancy Enabled).
                zone_redundancy=containerregistry.ZoneRedundancy(_enabled(premium and args.zone_redundant)),
                # Layers come from a regional data endpoint a firewall can name (acr-stamp.bicep: dataEndpointEnabled).
                data_endpoint_enabled=True if args.data_endpoint else None,
                policies=containerregistry.PoliciesArgs(retention_policy=retention, export_policy=export)
                if retention is not None or export is not None
                else None,
                tags=dict(args.tags),
            ),
            child,
        )
        for region in args.geo_replicas:
            containerregistry.Replication(
                f"{name}-{region}",
                containerregistry.ReplicationArgs(
                    resource_group_name=args.resource_group_name,
                    registry_name=registry.name,
                    replication_name=region,
                    location=region,
                    zone_redundancy=containerregistry.ZoneRedundancy(_enabled(args.zone_redundant)),
                    tags=dict(args.tags),
                ),
                child,
            )
        if args.private is not None:
            self._private_endpoint(name, args, args.private, registry, child)
        self.id = registry.id
        self.name = registry.name
        self.login_server = registry.login_server
        self.register_outputs({"id": self.id, "name": self.name, "loginServer": self.login_server})

    def _private_endpoint(
        self,
        name: str,
        args: ContainerRegistryArgs,
        private: PrivateAccess,
        registry: containerregistry.Registry,
        opts: pulumi.ResourceOptions,
    ) -> None:
        """The endpoint, the zone its records live in, and the zone's link to each VNet that calls the registry."""
        zone = privatedns.PrivateZone(
            f"{name}-dns",
            resource_group_name=args.resource_group_name,
            private_zone_name=ACR_PRIVATE_DNS_ZONE,
            location="global",
            tags=dict(args.tags),
            opts=opts,
        )
        for vnet_name, vnet_id in private.vnet_ids.items():
            # Without the link, a VNet resolves the registry to its public address, which is closed.
            privatedns.VirtualNetworkLink(
                f"{name}-dns-{vnet_name}",
                resource_group_name=args.resource_group_name,
                private_zone_name=zone.name,
                virtual_network_link_name=f"link-{vnet_name}",
                location="global",
                virtual_network=privatedns.SubResourceArgs(id=vnet_id),
                registration_enabled=False,
                tags=dict(args.tags),
                opts=opts,
            )
        endpoint_name = f"pe-{args.registry_name}"
        endpoint = network.PrivateEndpoint(
            f"{name}-endpoint",
            resource_group_name=args.resource_group_name,
            private_endpoint_name=endpoint_name,
            location=args.location,
            subnet=network.SubnetArgs(id=private.subnet_id),
            private_link_service_connections=[
                network.PrivateLinkServiceConnectionArgs(
                    name=f"to-{args.registry_name}",
                    private_link_service_id=registry.id,
                    group_ids=[ACR_PRIVATE_LINK_GROUP],
                )
            ],
            tags=dict(args.tags),
            opts=opts,
        )
        # Azure writes the endpoint's A records (login server and data endpoints) into the zone.
        network.PrivateDnsZoneGroup(
            f"{name}-endpoint-dns",
            resource_group_name=args.resource_group_name,
            private_endpoint_name=endpoint.name,
            private_dns_zone_group_name="default",
            private_dns_zone_configs=[
                network.PrivateDnsZoneConfigArgs(name="privatelink-azurecr-io", private_dns_zone_id=zone.id)
            ],
            opts=opts,
        )
