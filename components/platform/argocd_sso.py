"""The federated credential that lets ArgoCD's server sign users in to Entra ID without a secret.

With `azure.useWorkloadIdentity` in its OIDC config, argocd-server redeems the sign-in code with
its projected service-account token as the client assertion (argoproj/argo-cd v3.4.4,
util/oidc/oidc.go lines 472-546: `AZURE_FEDERATED_TOKEN_FILE`, `client_assertion_type
urn:ietf:params:oauth:client-assertion-type:jwt-bearer`), and Entra ID accepts it only if the SSO
app registration trusts that token: a federated credential with the hub cluster's OIDC issuer and
the subject `system:serviceaccount:argocd:argocd-server` (docs/operator-manual/user-management/
microsoft.md, "Using Workload Identity Federation", lines 33-43). Without it, or a client secret,
Entra refuses the code exchange (AADSTS7000218) and nobody can sign in.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azuread as azuread

from contracts.gitops import ARGOCD_NAMESPACE

SERVER_SUBJECT = f"system:serviceaccount:{ARGOCD_NAMESPACE}:argocd-server"
TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"


@dataclass(frozen=True)
class ArgoSsoFederationArgs:
    # The SSO app registration's object id (not its client id).
    application_object_id: str
    # The hub cluster's OIDC issuer, which signs argocd-server's service-account tokens.
    issuer: pulumi.Input[str]


class ArgoSsoFederation(pulumi.ComponentResource):
    """The SSO app registration trusts argocd-server's service account on the hub."""

    def __init__(self, name: str, args: ArgoSsoFederationArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("slipway:platform:ArgoSsoFederation", name, None, opts)
        azuread.ApplicationFederatedIdentityCredential(
            f"{name}-argocd-server",
            azuread.ApplicationFederatedIdentityCredentialArgs(
                # pulumi-azuread 6.11.1 (application.py, Import): an application's resource id is
                # `/applications/<object id>`.
                application_id=f"/applications/{args.application_object_id}",
                display_name="argocd-server",
                issuer=args.issuer,
                subject=SERVER_SUBJECT,
                audiences=[TOKEN_EXCHANGE_AUDIENCE],
            ),
            pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})
