"""What a production stack protects: the resources that hold state or identity, and nothing else.

`protect` on a component is inherited by every child, so protecting whole components made removing
a service, an environment or a GPU pool fail `pulumi up` until someone unprotected state by hand.
Instead the production options carry a transformation that sets `protect` on each resource by its
type: registries, clusters, identities, the audit workspace, the static egress prefixes (a new prefix
is a new range every allow-list would have to learn) and the sealing keys are protected; pools,
maintenance windows, role assignments, federated credentials and Kubernetes objects, which the
next `up` re-creates from the program, are not. The policy pack's `production-resources-protected`
names the same types (a test compares the two lists).
"""

from __future__ import annotations

import pulumi

PROTECTED_TYPES = frozenset(
    {
        "azure-native:resources:ResourceGroup",
        "azure-native:containerregistry:Registry",
        "azure-native:containerservice:ManagedCluster",
        "azure-native:managedidentity:UserAssignedIdentity",
        "azure-native:operationalinsights:Workspace",
        "azure-native:network:PublicIPPrefix",
        "azuread:index/application:Application",
        "azuread:index/servicePrincipal:ServicePrincipal",
        "tls:index/privateKey:PrivateKey",
    }
)


def _by_type(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult:
    """Protect the resource if its type holds state or identity; explicitly not otherwise (no inheritance)."""
    protect = pulumi.ResourceOptions(protect=args.type_ in PROTECTED_TYPES)
    return pulumi.ResourceTransformationResult(args.props, pulumi.ResourceOptions.merge(args.opts, protect))


def protection(protect: bool) -> pulumi.ResourceOptions:
    """Options for a resource or component: on a protected stack, its state and identity (children included)."""
    return pulumi.ResourceOptions(transformations=[_by_type]) if protect else pulumi.ResourceOptions()
