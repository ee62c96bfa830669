"""The identities GitHub Actions signs in as, with no long-lived secret by default.

Two modes, chosen in settings:
- `managedIdentity` (default): a user-assigned managed identity with one federated
  credential per trusted GitHub subject (`FederatedIdentity`). Nothing secret exists.
- `application`: an Entra ID application and service principal (`EntraApplication`, in
  `entra_application.py`), for
  tenants that want CI in the directory. Its credential is either federated (again no
  secret) or a client secret that rotates on a schedule: the secret exists only as a
  Pulumi secret.
Either way the caller gets a `SignIn`: what a workflow needs, and the principal to grant roles to.
Role assignments are made by whoever owns the scope (the registry, the clusters).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import pulumi

from components.cloud.federated_identity import GITHUB_ISSUER, FederatedIdentity, FederatedIdentityArgs


class IdentityKind(StrEnum):
    MANAGED_IDENTITY = "managedIdentity"
    APPLICATION_FEDERATED = "applicationFederated"
    APPLICATION_CLIENT_SECRET = "applicationClientSecret"


@dataclass(frozen=True)
class GithubIdentityArgs:
    kind: IdentityKind
    display_name: str
    resource_group_name: pulumi.Input[str]
    location: str
    subjects: Sequence[str]
    secret_rotation_days: int = 90
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SignIn:
    """What a workflow signs in with (client id, a secret only in that mode) and whom roles go to."""

    client_id: pulumi.Output[str]
    principal_id: pulumi.Output[str]
    client_secret: pulumi.Output[str] | None = None


def github_identity(name: str, args: GithubIdentityArgs, opts: pulumi.ResourceOptions | None = None) -> SignIn:
    """An identity GitHub Actions signs in as, trusting exactly `args.subjects`."""
    if args.kind is IdentityKind.MANAGED_IDENTITY:
        identity = FederatedIdentity(
            name,
            FederatedIdentityArgs(
                resource_group_name=args.resource_group_name,
                identity_name=args.display_name,
                location=args.location,
                issuer=GITHUB_ISSUER,
                subjects=args.subjects,
                tags=args.tags,
            ),
            opts,
        )
        return SignIn(identity.client_id, identity.principal_id)
    # Only stacks in application mode load the Entra ID and time SDKs (about 0.2 s of imports).
    from components.cloud.entra_application import EntraApplication, EntraApplicationArgs

    client_secret = args.kind is IdentityKind.APPLICATION_CLIENT_SECRET
    application = EntraApplication(
        name,
        EntraApplicationArgs(args.display_name, args.subjects, client_secret, args.secret_rotation_days),
        opts,
    )
    return SignIn(application.client_id, application.principal_id, application.client_secret)
