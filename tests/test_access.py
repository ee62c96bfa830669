"""Who can obtain which Azure role: the access report, its rules, and the defects of issue #13."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from conftest import PROJECT_DIR, run_component, run_stack_document, slipway, stack_document

from components.cloud.roles import assign_role
from contracts.azure_roles import role_id
from offline import access
from offline.__main__ import main
from offline.engine import Recording
from offline.policy import load_pack, run_policies
from policypack.policies import access_violations
from wiring.cloud import assignable_roles_condition

PACK = load_pack(PROJECT_DIR / "policypack")
FIC = "azure-native:managedidentity:FederatedIdentityCredential"
ASSIGNMENT = "azure-native:authorization:RoleAssignment"
TABLE = {r["id"]: r for r in json.loads((PROJECT_DIR / "contracts/builtin_roles.json").read_text())["roles"]}


def by_principal(recording: Recording) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for grant in access.document(recording):
        found.setdefault(grant["principal"], []).append(grant)
    return found


def test_prod_report_shows_three_purposes_plus_argocd_the_kubelets_and_control_planes(
    recorded: Callable[[str], Recording],
) -> None:
    principals = by_principal(recorded("prod"))
    assert set(principals) == {
        "managed identity id-slipway-prod-deploy",
        "managed identity id-slipway-prod-preview",
        *(
            f"managed identity id-slipway-prod-delivery-{r}"
            for r in ("payments-api", "web-frontend", "inference-service")
        ),
        "managed identity id-slipway-prod-argocd",
        "kubelet of aks-slipway-prod-hub",
        "kubelet of aks-slipway-prod-gpu",
        # each cluster's control plane manages its node subnet and egress prefix (Network Contributor)
        "managed identity id-aks-slipway-prod-hub-control-plane",
        "managed identity id-aks-slipway-prod-gpu-control-plane",
    }
    roles = {p: sorted({g["role"] for g in grants}) for p, grants in principals.items()}
    assert roles["managed identity id-slipway-prod-deploy"] == [
        "Azure Kubernetes Service RBAC Cluster Admin",
        "Contributor",
        "Role Based Access Control Administrator",
    ]
    assert roles["managed identity id-slipway-prod-preview"] == [
        "Azure Kubernetes Service Cluster User Role",
        "Azure Kubernetes Service RBAC Reader",
        "Reader",
    ]
    assert roles["managed identity id-slipway-prod-delivery-payments-api"] == ["AcrPush"]
    deploy = principals["managed identity id-slipway-prod-deploy"][0]
    assert deploy["obtainableBy"] == ["repo:acme-platform/slipway:environment:prod"]
    assert principals["kubelet of aks-slipway-prod-hub"][0]["obtainableBy"] == ["nodes of cluster aks-slipway-prod-hub"]
    for grant in access.document(recorded("prod")):
        assert set(grant) >= {"principal", "role", "roleDefinitionId", "scope", "obtainableBy"}
        assert grant["scope"].startswith("/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_role_id_is_in_the_vendored_table_and_the_rules_hold(
    recorded: Callable[[str], Recording], stack: str
) -> None:
    """Defect: AcrPush's id was wrong (RoleDefinitionDoesNotExist); every id now comes from the table."""
    recording = recorded(stack)
    for assignment in recording.of_type(ASSIGNMENT):
        guid = assignment.plain()["roleDefinitionId"].rsplit("/", 1)[-1]
        assert guid in TABLE, (assignment.name, guid)
    assert access_violations(access.grants(recording), stack) == []


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_no_write_role_from_a_pull_request(recorded: Callable[[str], Recording], stack: str) -> None:
    """Defect: one CI identity trusted pull_request and every environment; a PR could obtain prod rights."""
    for grant in access.document(recorded(stack)):
        if any(subject.endswith(":pull_request") for subject in grant["obtainableBy"]):
            assert not grant["writes"], grant


def test_production_writes_only_from_the_prod_environment(recorded: Callable[[str], Recording]) -> None:
    for grant in access.document(recorded("prod")):
        github = [s for s in grant["obtainableBy"] if s.startswith("repo:")]
        if grant["writes"] and grant["role"] != "AcrPush":
            assert all(s.endswith(":environment:prod") for s in github), grant


def test_deploy_identity_is_cluster_admin_on_every_cluster(recorded: Callable[[str], Recording]) -> None:
    """Defect: with Azure RBAC for Kubernetes CI held no data-plane role and got 403 on the clusters."""
    for stack in ("dev", "prod"):
        recording = recorded(stack)
        clusters = {c.outputs["id"] for c in recording.of_type("azure-native:containerservice:ManagedCluster")}
        grants = by_principal(recording)[f"managed identity id-slipway-{stack}-deploy"]
        admin = {g["scope"] for g in grants if g["role"] == "Azure Kubernetes Service RBAC Cluster Admin"}
        assert admin == clusters and len(clusters) == 2


def test_every_service_repository_can_sign_in_as_its_delivery_identity(recorded: Callable[[str], Recording]) -> None:
    """Defect: service repositories got AZURE_CLIENT_ID but no credential trusted their subjects."""
    recording = recorded("prod")
    identities = {
        r.outputs["clientId"]: r.outputs["name"]
        for r in recording.of_type("azure-native:managedidentity:UserAssignedIdentity")
    }
    trusted: dict[str, set[str]] = {}
    for credential in recording.of_type(FIC):
        trusted.setdefault(credential.plain()["resourceName"], set()).add(credential.plain()["subject"])
    variables = recording.of_type("github:index/actionsVariable:ActionsVariable")
    client_ids = {
        v.plain()["repository"]: v.plain()["value"] for v in variables if v.plain()["variableName"] == "AZURE_CLIENT_ID"
    }
    assert set(client_ids) == {"payments-api", "web-frontend", "inference-service"}
    for repository, client_id in client_ids.items():
        assert trusted[identities[client_id]] == {
            f"repo:acme-platform/{repository}:environment:{env}" for env in ("dev", "staging", "prod")
        }


def test_assignment_names_follow_scope_principal_and_role() -> None:
    """Defect: names came from logical names only, so a replaced principal or a second deployment collided."""

    def names(*assignments: tuple[str, str, str]) -> list[str]:
        def program() -> None:
            for logical, principal, scope in assignments:
                assign_role(
                    logical,
                    role="AcrPull",
                    principal_id=principal,
                    scope=scope,
                    subscription_id="s",
                    opts=pulumi.ResourceOptions(),
                )

        return [r.plain()["roleAssignmentName"] for r in run_component(program).of_type(ASSIGNMENT)]

    replaced = names(("pull", "principal-1", "/registry"), ("pull-2", "principal-2", "/registry"))
    assert replaced[0] != replaced[1]
    renamed = names(("pull", "principal-1", "/registry"), ("another-name", "principal-1", "/registry"))
    assert renamed[0] == renamed[1]


def test_unknown_role_name_is_an_error_naming_the_known_roles() -> None:
    with pytest.raises(ValueError, match=r"unknown built-in role 'Acr Push': the role table knows AcrDelete, "):
        role_id("Acr Push")


def test_condition_has_the_documented_constrain_roles_form() -> None:
    """Ported from MicrosoftDocs/azure-docs articles/role-based-access-control/delegate-role-assignments-examples.md
    @ 0b8729eaf7eb0aabc6390cb17348d19761285f12, "Example: Constrain roles and principal types" (PowerShell tab):
    the same expression with that example's two role ids and principal types in place of ours."""
    documented = (
        "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR "
        "(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals "
        "{5e467623-bb1f-42f4-a55d-6e525e11384b, a795c7a0-d4a2-40c1-ae25-d81f01202912} AND "
        "@Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase "
        "{'User', 'Group'})) AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR "
        "(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals "
        "{5e467623-bb1f-42f4-a55d-6e525e11384b, a795c7a0-d4a2-40c1-ae25-d81f01202912} AND "
        "@Resource[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase "
        "{'User', 'Group'}))"
    )
    ours = assignable_roles_condition(("AcrPull", "Reader"))
    ids = f"{role_id('AcrPull')}, {role_id('Reader')}"
    example_ids = "5e467623-bb1f-42f4-a55d-6e525e11384b, a795c7a0-d4a2-40c1-ae25-d81f01202912"
    assert ours.replace(ids, example_ids).replace("{'ServicePrincipal'}", "{'User', 'Group'}") == documented


# --- the rules, enforced by the policy pack, on recordings altered to break them -----------------


def with_subject(recording: Recording, identity: str, subject: str) -> Recording:
    """The recording with one more federated credential on `identity` (a UserAssignedIdentity name)."""
    template = next(r for r in recording.of_type(FIC) if r.plain()["resourceName"] == identity)
    extra = dataclasses.replace(template, urn=template.urn + "-extra", inputs={**template.inputs, "subject": subject})
    return dataclasses.replace(recording, resources=[*recording.resources, extra])


def with_assignment(recording: Recording, principal: str, role: str, scope: str) -> Recording:
    template = recording.of_type(ASSIGNMENT)[0]
    inputs = {
        **template.inputs,
        "principalId": principal,
        "roleDefinitionId": f"/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/{role_id(role)}",
        "scope": scope,
    }
    extra = dataclasses.replace(template, urn=template.urn + "-extra", inputs=inputs, outputs={})
    return dataclasses.replace(recording, resources=[*recording.resources, extra])


def violations(recording: Recording) -> list[str]:
    return [v.message for v in run_policies(recording, PACK) if v.policy == "access-least-privilege"]


def test_policy_rejects_a_write_role_from_a_pull_request(recorded: Callable[[str], Recording]) -> None:
    bad = with_subject(recorded("dev"), "id-slipway-dev-deploy", "repo:acme-platform/slipway:pull_request")
    (first, *rest) = violations(bad)
    assert "managed identity id-slipway-dev-deploy holds" in first and "obtainable from a pull request" in first
    assert all("pull request" in message for message in rest)


def test_policy_rejects_production_writes_from_elsewhere_than_its_environment(
    recorded: Callable[[str], Recording],
) -> None:
    bad = with_subject(recorded("prod"), "id-slipway-prod-deploy", "repo:acme-platform/slipway:ref:refs/heads/main")
    assert violations(bad) and all(
        m.endswith("obtainable from repo:acme-platform/slipway:ref:refs/heads/main") for m in violations(bad)
    )
    # a delivery identity pushes from each service environment, but holds nothing else from there
    prod = recorded("prod")
    delivery = prod.one("azure-native:managedidentity:UserAssignedIdentity", "slipway-prod-delivery-payments-api")
    group = prod.one("azure-native:resources:ResourceGroup").outputs["id"]
    widened = with_assignment(prod, delivery.outputs["principalId"], "AcrPush", group)
    assert len(violations(widened)) == 2  # from its dev and staging environments (prod is allowed)


@pytest.mark.parametrize("role", ["Owner", "Contributor", "User Access Administrator"])
def test_policy_rejects_subscription_wide_roles(recorded: Callable[[str], Recording], role: str) -> None:
    dev = recorded("dev")
    kubelet = dev.one("azure-native:containerservice:ManagedCluster", "slipway-dev-hub")
    principal = kubelet.outputs["identityProfile"]["kubeletidentity"]["objectId"]
    bad = with_assignment(dev, principal, role, "/subscriptions/00000000-0000-4000-8000-000000000001")
    assert violations(bad) == [
        f"kubelet of aks-slipway-dev-hub holds {role} on /subscriptions/00000000-0000-4000-8000-000000000001: "
        "never on a subscription or wider, scope it to the stack's resources"
    ]


def test_cli_prints_the_report_as_json(
    recorded: Callable[[str], Recording], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["access", "--stack", "dev", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == access.full_document(recorded("dev"))
    assert printed["azure"] == access.document(recorded("dev")) and printed["argocd"]["violations"] == []
    assert "\naccess rules: 0 violation(s)\n" in access.text(recorded("dev"))
    assert access.text(recorded("dev")).endswith("ArgoCD access rules: 0 violation(s)\n")


def test_application_mode_reports_the_applications() -> None:
    document = stack_document("dev")
    slipway(document, "identity").update(mode="application")
    principals = by_principal(run_stack_document("dev", document))
    preview = principals["application id-slipway-dev-preview"]
    assert set(preview[0]["obtainableBy"]) == {
        "repo:acme-platform/slipway:pull_request",
        "repo:acme-platform/slipway:environment:dev-drift",
    }
    assert not any(g["writes"] for g in preview)
