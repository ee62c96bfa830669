"""The identities GitHub Actions signs in as, and federated identities: subjects, issuers, audiences, secrets."""

from __future__ import annotations

import itertools

import pulumi
from conftest import run_component

from components.cloud.federated_identity import (
    GITHUB_ISSUER,
    TOKEN_EXCHANGE_AUDIENCE,
    FederatedIdentity,
    FederatedIdentityArgs,
    credential_name,
)
from components.cloud.identity import GithubIdentityArgs, IdentityKind, github_identity
from offline.engine import Recording

SUBJECTS = [
    "repo:acme/slipway:ref:refs/heads/main",
    "repo:acme/slipway:pull_request",
    "repo:acme/slipway:environment:prod",
]
UAI = "azure-native:managedidentity:UserAssignedIdentity"
FIC = "azure-native:managedidentity:FederatedIdentityCredential"
APP_FIC = "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential"


def ci(kind: IdentityKind) -> Recording:
    def program() -> None:
        identity = github_identity(
            "ci",
            GithubIdentityArgs(
                kind=kind,
                display_name="id-slipway-ci",
                resource_group_name="rg-x",
                location="westeurope",
                subjects=SUBJECTS,
                secret_rotation_days=30,
            ),
        )
        pulumi.export("clientId", identity.client_id)
        if identity.client_secret is not None:
            pulumi.export("clientSecret", identity.client_secret)

    return run_component(program)


def test_managed_identity_trusts_exactly_the_github_subjects() -> None:
    recording = ci(IdentityKind.MANAGED_IDENTITY)
    identity = recording.one(UAI)
    assert identity.plain()["resourceName"] == "id-slipway-ci"
    credentials = [r.plain() for r in recording.of_type(FIC)]
    assert sorted(c["subject"] for c in credentials) == sorted(SUBJECTS)
    for credential in credentials:
        assert credential["issuer"] == GITHUB_ISSUER == "https://token.actions.githubusercontent.com"
        assert credential["audiences"] == [TOKEN_EXCHANGE_AUDIENCE] == ["api://AzureADTokenExchange"]
        assert credential["resourceName"] == "id-slipway-ci"
    assert "clientSecret" not in recording.outputs
    assert recording.outputs["clientId"].value == identity.outputs["clientId"]
    assert not recording.of_type("azuread:index/application:Application")


def test_credentials_are_written_one_after_another() -> None:
    recording = ci(IdentityKind.MANAGED_IDENTITY)
    identity = recording.one(UAI)
    chain = recording.of_type(FIC)
    assert identity.urn in chain[0].dependencies
    for before, after in itertools.pairwise(chain):
        assert before.urn in after.dependencies


def test_credential_names_are_valid_and_distinct() -> None:
    names = {credential_name(s) for s in [*SUBJECTS, "repo:acme/slipway:environment:pro-d"]}
    assert len(names) == 4
    assert all(3 <= len(n) <= 120 and n.replace("-", "").replace("_", "").isalnum() for n in names)


def test_application_with_federated_credentials_has_no_secret() -> None:
    recording = ci(IdentityKind.APPLICATION_FEDERATED)
    app = recording.one("azuread:index/application:Application")
    assert app.plain()["signInAudience"] == "AzureADMyOrg"
    assert (
        recording.one("azuread:index/servicePrincipal:ServicePrincipal").plain()["clientId"] == app.outputs["clientId"]
    )
    credentials = recording.of_type(
        "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential"
    )
    assert sorted(c.plain()["subject"] for c in credentials) == sorted(SUBJECTS)
    assert not recording.of_type("azuread:index/applicationPassword:ApplicationPassword")
    assert "clientSecret" not in recording.outputs


def test_client_secret_rotates_on_schedule_and_is_only_a_secret() -> None:
    recording = ci(IdentityKind.APPLICATION_CLIENT_SECRET)
    schedule = recording.one("time:index/rotating:Rotating")
    password = recording.one("azuread:index/applicationPassword:ApplicationPassword")
    assert schedule.plain()["rotationDays"] == 30
    assert password.plain()["rotateWhenChanged"] == {"rotation": schedule.outputs["id"]}
    # valid for one more rotation period past its rotation date: a late run never locks CI out
    assert schedule.outputs["rotationRfc3339"] == "2026-01-31T00:00:00Z"
    assert password.plain()["endDate"] == "2026-03-02T00:00:00Z"
    assert recording.outputs["clientSecret"].secret
    assert not recording.of_type(FIC)


def test_workload_identity_for_kubernetes_service_accounts() -> None:
    def program() -> None:
        FederatedIdentity(
            "argocd",
            FederatedIdentityArgs(
                resource_group_name="rg-x",
                identity_name="id-argocd",
                location="westeurope",
                issuer=pulumi.Output.from_input("https://westeurope.oic.prod-aks.azure.com/t/i/"),
                subjects=["system:serviceaccount:argocd:argocd-application-controller"],
            ),
        )

    (credential,) = run_component(program).of_type(FIC)
    assert credential.plain()["issuer"] == "https://westeurope.oic.prod-aks.azure.com/t/i/"
    assert credential.plain()["subject"] == "system:serviceaccount:argocd:argocd-application-controller"
