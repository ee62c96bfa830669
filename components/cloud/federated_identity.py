"""A user-assigned managed identity that trusts tokens from one OIDC issuer, no secret.

Used for every identity GitHub Actions signs in as (deploy, preview, delivery: trusting
`repo:OWNER/REPO:...` subjects) and for ArgoCD on the hub, trusting the hub's own OIDC
issuer for its service accounts (Azure workload identity). Nothing long-lived exists to
leak: a workload proves itself with a short-lived token from the issuer, exchanged for an
Entra ID token. Settings keep each identity within Azure's cap on federated credentials.

Azure rejects concurrent writes of federated credentials on one identity ("too many
federated identity credentials written concurrently"), so each credential waits for
the one before it: a serialisation the bench's critical path shows on purpose.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import managedidentity

TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"


@dataclass(frozen=True)
class FederatedIdentityArgs:
    resource_group_name: pulumi.Input[str]
    identity_name: str
    location: str
    issuer: pulumi.Input[str]
    subjects: Sequence[str]
    tags: Mapping[str, str] = field(default_factory=dict)


def credential_name(subject: str) -> str:
    """A valid, stable credential name (3-120 of [A-Za-z0-9_-]) for a subject."""
    readable = re.sub(r"[^A-Za-z0-9_-]+", "-", subject).strip("-_")[:100]
    return f"{readable}-{hashlib.sha256(subject.encode()).hexdigest()[:8]}"


class FederatedIdentity(pulumi.ComponentResource):
    """A managed identity and one federated credential per trusted subject."""

    id: pulumi.Output[str]
    client_id: pulumi.Output[str]
    principal_id: pulumi.Output[str]
    tenant_id: pulumi.Output[str]

    def __init__(self, name: str, args: FederatedIdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("slipway:cloud:FederatedIdentity", name, None, opts)
        identity = managedidentity.UserAssignedIdentity(
            name,
            resource_group_name=args.resource_group_name,
            resource_name_=args.identity_name,
            location=args.location,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        previous: pulumi.Resource = identity
        for subject in args.subjects:
            cred_name = credential_name(subject)
            previous = managedidentity.FederatedIdentityCredential(
                f"{name}-{cred_name}",
                resource_group_name=args.resource_group_name,
                resource_name_=identity.name,
                federated_identity_credential_resource_name=cred_name,
                issuer=args.issuer,
                subject=subject,
                audiences=[TOKEN_EXCHANGE_AUDIENCE],
                opts=pulumi.ResourceOptions(parent=self, depends_on=[previous]),
            )
        self.id = identity.id
        self.client_id = identity.client_id
        self.principal_id = identity.principal_id
        self.tenant_id = identity.tenant_id
        self.register_outputs({"clientId": self.client_id, "principalId": self.principal_id})
