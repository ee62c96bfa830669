"""The Azure Container Registry CI pushes to and the clusters pull from.

Private by construction: no admin user (so no shared password exists), no anonymous
pull; pushes and pulls go through Entra ID role assignments made elsewhere. Premium
registries also get zone redundancy, geo-replicas, a retention policy for untagged
manifests and, where asked, no public network access.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import containerregistry


@dataclass(frozen=True)
class ContainerRegistryArgs:
    resource_group_name: pulumi.Input[str]
    registry_name: str
    location: str
    sku: containerregistry.SkuName
    public_network_access: bool = True
    zone_redundant: bool = False
    geo_replicas: Sequence[str] = ()
    untagged_retention_days: int | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


def _enabled(on: bool) -> str:
    return "Enabled" if on else "Disabled"


class ContainerRegistry(pulumi.ComponentResource):
    """An ACR registry and its geo-replicas."""

    id: pulumi.Output[str]
    name: pulumi.Output[str]
    login_server: pulumi.Output[str]

    def __init__(self, name: str, args: ContainerRegistryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("slipway:cloud:ContainerRegistry", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        premium = args.sku == containerregistry.SkuName.PREMIUM
        policies = None
        if args.untagged_retention_days is not None:
            policies = containerregistry.PoliciesArgs(
                retention_policy=containerregistry.RetentionPolicyArgs(
                    days=args.untagged_retention_days, status=containerregistry.PolicyStatus.ENABLED
                )
            )
        registry = containerregistry.Registry(
            name,
            containerregistry.RegistryArgs(
                resource_group_name=args.resource_group_name,
                registry_name=args.registry_name,
                location=args.location,
                sku=containerregistry.SkuArgs(name=args.sku),
                admin_user_enabled=False,
                anonymous_pull_enabled=False,
                public_network_access=containerregistry.PublicNetworkAccess(_enabled(args.public_network_access)),
                zone_redundancy=containerregistry.ZoneRedundancy(_enabled(premium and args.zone_redundant)),
                policies=policies,
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
        self.id = registry.id
        self.name = registry.name
        self.login_server = registry.login_server
        self.register_outputs({"id": self.id, "name": self.name, "loginServer": self.login_server})
