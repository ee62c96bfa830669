"""The whole program per stack: roles and scopes, protection, layer switches, secrets."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT_DIR, STACKS, project_copy, run_stack_document, slipway, stack_document

from offline import __main__ as offline_main
from offline.__main__ import main
from offline.engine import Recording, run_project

RoleAssignment = "azure-native:authorization:RoleAssignment"
ROLE_TABLE = json.loads((PROJECT_DIR / "contracts" / "builtin_roles.json").read_text())
CLUSTER = "azure-native:containerservice:ManagedCluster"
FIC = "azure-native:managedidentity:FederatedIdentityCredential"
ARGOCD_SUBJECTS = {
    f"system:serviceaccount:argocd:{sa}"
    for sa in ("argocd-application-controller", "argocd-applicationset-controller", "argocd-server")
}
AZURE_STATEFUL = (
    "azure-native:resources:ResourceGroup",
    "azure-native:containerregistry:Registry",
    "azure-native:containerservice:ManagedCluster",
    "azure-native:managedidentity:UserAssignedIdentity",
)


def assignments(recording: Recording) -> dict[str, tuple[str, str, str]]:
    """name -> (role id, principal id, scope) of every role assignment."""
    found = {}
    for r in recording.of_type(RoleAssignment):
        inputs = r.plain()
        found[r.name] = (inputs["roleDefinitionId"].rsplit("/", 1)[-1], inputs["principalId"], inputs["scope"])
    return found


def role(name: str) -> str:
    """A role definition GUID by name, from the vendored role table (never a literal GUID here)."""
    return str(next(r["id"] for r in ROLE_TABLE["roles"] if r["roleName"] == name))


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_role_assignment_is_least_privilege_on_one_resource(
    recorded: Callable[[str], Recording], stack: str
) -> None:
    recording = recorded(stack)
    registry = recording.one("azure-native:containerregistry:Registry").outputs["id"]
    group = recording.one("azure-native:resources:ResourceGroup").outputs["id"]
    clusters = {
        r.name.rsplit("-", 1)[-1]: r.outputs for r in recording.of_type("azure-native:containerservice:ManagedCluster")
    }

    def principal(purpose: str) -> str:
        uai = recording.one("azure-native:managedidentity:UserAssignedIdentity", f"slipway-{stack}-{purpose}")
        return str(uai.outputs["principalId"])

    kubelet = {role: c["identityProfile"]["kubeletidentity"]["objectId"] for role, c in clusters.items()}
    # A cluster in the stack's network: its control plane manages its node subnet and its egress prefix.
    network: dict[str, tuple[str, str, str]] = {}
    for cluster in clusters:
        plane = recording.one(
            "azure-native:managedidentity:UserAssignedIdentity", f"slipway-{stack}-{cluster}-control-plane"
        )
        for kind, type_, name in (
            ("subnet", "azure-native:network:Subnet", f"slipway-{stack}-snet-{cluster}-nodes"),
            ("egress", "azure-native:network:PublicIPPrefix", f"slipway-{stack}-egress-{cluster}"),
        ):
            for scope in recording.of_type(type_):
                if scope.name == name:
                    network[f"slipway-{stack}-{cluster}-control-plane-{kind}"] = (
                        role("Network Contributor"),
                        plane.outputs["principalId"],
                        scope.outputs["id"],
                    )
    assert (stack, len(network)) in (("dev", 0), ("prod", 4))
    deploy, preview = principal("deploy"), principal("preview")
    expected = {
        f"slipway-{stack}-hub-kubelet-acr-pull": (role("AcrPull"), kubelet["hub"], registry),
        f"slipway-{stack}-gpu-kubelet-acr-pull": (role("AcrPull"), kubelet["gpu"], registry),
        f"slipway-{stack}-argocd-gpu-cluster-admin": (
            role("Azure Kubernetes Service RBAC Cluster Admin"),
            principal("argocd"),
            clusters["gpu"]["id"],
        ),
        f"slipway-{stack}-deploy-contributor": (role("Contributor"), deploy, group),
        f"slipway-{stack}-deploy-rbac-admin": (role("Role Based Access Control Administrator"), deploy, group),
        f"slipway-{stack}-preview-reader": (role("Reader"), preview, group),
    }
    for cluster in ("hub", "gpu"):
        expected |= {
            f"slipway-{stack}-deploy-{cluster}-cluster-admin": (
                role("Azure Kubernetes Service RBAC Cluster Admin"),
                deploy,
                clusters[cluster]["id"],
            ),
            f"slipway-{stack}-preview-{cluster}-cluster-user": (
                role("Azure Kubernetes Service Cluster User Role"),
                preview,
                clusters[cluster]["id"],
            ),
            f"slipway-{stack}-preview-{cluster}-rbac-reader": (
                role("Azure Kubernetes Service RBAC Reader"),
                preview,
                clusters[cluster]["id"],
            ),
        }
    if stack == "prod":  # the stack that wires the service repositories gives each its delivery identity
        for repository in ("payments-api", "web-frontend", "inference-service"):
            name = f"slipway-{stack}-delivery-{repository}"
            expected[f"{name}-acr-push"] = (role("AcrPush"), principal(f"delivery-{repository}"), registry)
    assert assignments(recording) == expected | network
    names = [r.plain()["roleAssignmentName"] for r in recording.of_type(RoleAssignment)]
    assert len(set(names)) == len(names)


def test_assignment_names_are_stable_across_runs(recorded: Callable[[str], Recording]) -> None:
    again = run_stack_document("dev", stack_document("dev"))
    first = {r.name: r.plain()["roleAssignmentName"] for r in recorded("dev").of_type(RoleAssignment)}
    assert first == {r.name: r.plain()["roleAssignmentName"] for r in again.of_type(RoleAssignment)}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_each_identity_trusts_only_the_subjects_of_its_purpose(
    recorded: Callable[[str], Recording], stack: str
) -> None:
    trusted: dict[str, set[str]] = {}
    for credential in recorded(stack).of_type(FIC):
        trusted.setdefault(credential.plain()["resourceName"], set()).add(credential.plain()["subject"])
    slipway_repo = "repo:acme-platform/slipway"
    expected = {
        f"id-slipway-{stack}-deploy": {f"{slipway_repo}:environment:{stack}"},
        f"id-slipway-{stack}-preview": {f"{slipway_repo}:pull_request", f"{slipway_repo}:environment:{stack}-drift"},
        f"id-slipway-{stack}-argocd": ARGOCD_SUBJECTS,
    }
    if stack == "prod":
        for repository in ("payments-api", "web-frontend", "inference-service"):
            expected[f"id-slipway-prod-delivery-{repository}"] = {
                f"repo:acme-platform/{repository}:environment:{env}" for env in ("dev", "staging", "prod")
            }
    assert trusted == expected


def test_deploy_identity_assigns_only_the_roles_the_program_assigns(recorded: Callable[[str], Recording]) -> None:
    """Its Role Based Access Control Administrator condition lists every role the program hands out
    (so a real run is not refused) and nothing that could widen its own rights."""
    recording = recorded("prod")
    admin = recording.one(RoleAssignment, "slipway-prod-deploy-rbac-admin").plain()
    condition = admin["condition"]
    assert admin["conditionVersion"] == "2.0"
    listed = set(re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", condition))
    own = {"slipway-prod-deploy-contributor", "slipway-prod-deploy-rbac-admin"}  # only the bootstrap grants these
    handed_out = {guid for name, (guid, _, _) in assignments(recording).items() if name not in own}
    assert listed == handed_out
    assert not listed & {role(name) for name in ("Owner", "Contributor", "User Access Administrator")}
    assert role("Role Based Access Control Administrator") not in listed
    assert condition.count("{'ServicePrincipal'}") == 2


def test_argocd_trusts_the_hub_issuer(recorded: Callable[[str], Recording]) -> None:
    recording = recorded("prod")
    hub = recording.one(CLUSTER, "slipway-prod-hub")
    issuer = hub.outputs["oidcIssuerProfile"]["issuerURL"]
    argocd = [
        r for r in recording.of_type("azure-native:managedidentity:FederatedIdentityCredential") if "argocd" in r.name
    ]
    assert len(argocd) == 3 and all(r.plain()["issuer"] == issuer for r in argocd)


def test_prod_protects_stateful_and_identity_resources_and_dev_protects_nothing(
    recorded: Callable[[str], Recording],
) -> None:
    prod, dev = recorded("prod"), recorded("dev")
    for type_ in AZURE_STATEFUL:
        assert prod.of_type(type_) and all(r.protect for r in prod.of_type(type_)), type_
    assert not any(r.protect for r in dev.resources)


def test_prod_clusters_are_zonal_standard_tier_and_dev_is_free(recorded: Callable[[str], Recording]) -> None:
    for stack, tier, zones in (("prod", "Standard", ["1", "2", "3"]), ("dev", "Free", None)):
        for cluster in recorded(stack).of_type(CLUSTER):
            inputs = cluster.plain()
            assert inputs["sku"]["tier"] == tier
            assert inputs["agentPoolProfiles"][0].get("availabilityZones") == zones


def test_local_stack_declares_nothing_in_azure(recorded: Callable[[str], Recording]) -> None:
    assert not [r for r in recorded("local").resources if r.type.startswith("azure")]


def urns(recording: Recording) -> set[str]:
    return {r.urn for r in recording.resources}


def test_switching_the_registry_off_removes_exactly_its_resources(recorded: Callable[[str], Recording]) -> None:
    document = stack_document("prod")
    slipway(document, "registries")["acr"] = {"enabled": False}
    without = run_stack_document("prod", document)
    removed = {r.split("::")[-1] for r in urns(recorded("prod")) - urns(without)}
    assert urns(without) <= urns(recorded("prod"))
    # every ACR_LOGIN_SERVER variable goes too (Slipway's prod and prod-drift environments, the
    # services' organisation variable), the delivery identities (AcrPush was all they held) with
    # their client ids, and the golden images, which prod pushes to ACR only (no GHCR push token)
    variables = {name for name in removed if name.endswith("-acr_login_server")}
    assert variables == {"slipway-prod-prod-acr_login_server", "slipway-prod-prod-drift-acr_login_server"} | {
        "services-acr_login_server"
    }
    delivery = {name for name in removed if name.startswith("slipway-prod-delivery-")}
    assert {name for name in delivery if name.endswith("-acr-push")} == {
        f"slipway-prod-delivery-{repository}-acr-push"
        for repository in ("payments-api", "web-frontend", "inference-service")
    }
    assert removed - variables - delivery == {
        "slipway-prod",  # the ContainerRegistry component and its Registry
        "slipway-prod-northeurope",
        # its private endpoint, DNS zone, zone group and VNet link, and its diagnostic setting
        "slipway-prod-endpoint",
        "slipway-prod-endpoint-dns",
        "slipway-prod-dns",
        "slipway-prod-dns-vnet",
        "slipway-prod-registry",
        "slipway-prod-hub-kubelet-acr-pull",
        "slipway-prod-gpu-kubelet-acr-pull",
        "payments-api-azure_client_id",
        "web-frontend-azure_client_id",
        "inference-service-azure_client_id",
        "golden-images",
        "golden-images-python",
        "golden-images-cuda",
    }
    assert "acrLoginServer" not in without.outputs


def test_switching_the_gpu_cluster_off_removes_exactly_its_resources(recorded: Callable[[str], Recording]) -> None:
    document = stack_document("dev")
    slipway(document, "clusters")["gpu"]["enabled"] = False
    slipway(document, "delivery")["services"] = [
        s for s in slipway(document, "delivery")["services"] if not s.get("gpu")
    ]
    without = run_stack_document("dev", document)
    removed = {r.name for r in recorded("dev").resources if r.urn in urns(recorded("dev")) - urns(without)}
    assert urns(without) <= urns(recorded("dev"))
    # the GPU cluster, ArgoCD's way in, its sealing key, registration and add-on, and the
    # project of the team whose only service was the GPU service
    gpu_only: tuple[str, ...] = ("slipway-dev-gpu", "slipway-dev-argocd", "sealed-secrets-gpu", "gpu-operator")
    gpu_only += (
        "clusters-gpu",
        "traces-gpu-",
        "slipway-dev-deploy-gpu-",
        "slipway-dev-preview-gpu-",
    )  # and CI's rights there
    assert all(name.startswith(gpu_only) or name == "projects-team-ml" for name in removed)
    assert {"sealed-secrets-gpu-key", "gpu-operator-applicationset", "clusters-gpu", "projects-team-ml"} <= removed
    assert {
        "slipway-dev-gpu",
        "slipway-dev-gpu-t4",
        "slipway-dev-argocd",
        "slipway-dev-argocd-gpu-cluster-admin",
    } <= removed
    assert not {"gpuCluster", "gpuKubeconfig", "argocdClientId"} & set(without.outputs)


def test_switching_ghcr_off_removes_its_output_and_variable(recorded: Callable[[str], Recording]) -> None:
    document = stack_document("dev")
    slipway(document, "registries")["ghcr"]["enabled"] = False
    without = run_stack_document("dev", document)
    assert urns(without) <= urns(recorded("dev"))
    removed = {r.split("::")[-1] for r in urns(recorded("dev")) - urns(without)}
    assert removed == {"slipway-dev-dev-ghcr_image_prefix", "slipway-dev-dev-drift-ghcr_image_prefix"}
    assert "ghcrImagePrefix" in recorded("dev").outputs and "ghcrImagePrefix" not in without.outputs


def test_application_mode_with_client_secret_exports_it_as_a_secret() -> None:
    document = stack_document("dev")
    slipway(document, "identity").update(mode="application", credential="clientSecret", secretRotationDays=60)
    recording = run_stack_document("dev", document)
    assert recording.outputs["deployClientSecret"].secret and recording.outputs["previewClientSecret"].secret
    principals = {
        r.name: r.outputs["objectId"] for r in recording.of_type("azuread:index/servicePrincipal:ServicePrincipal")
    }
    assert assignments(recording)["slipway-dev-deploy-contributor"][1] == principals["slipway-dev-deploy"]
    assert assignments(recording)["slipway-dev-preview-reader"][1] == principals["slipway-dev-preview"]


KNOWN_SECRETS = ("ghp_KNOWN_pull_token_0001", "xoxb-KNOWN-slack-token-0002")


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("stored", ["plain", "placeholder"])
def test_known_secret_values_appear_nowhere(
    stack: str, stored: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Secrets set in the stack file reach no view: tree, --json, --manifests, stderr, outputs, recorded inputs.

    Any in plain text in the prod stack file stops the preview (exit 2), without being shown.
    """
    document = stack_document(stack)
    ghcr = slipway(document, "registries").setdefault("ghcr", {"owner": "acme"})
    ghcr.update(private=True, pullToken=KNOWN_SECRETS[0])
    slipway(document, "platform")["argocd"] = {"notifications": {"slackToken": KNOWN_SECRETS[1]}}
    if stored == "placeholder":  # as `pulumi config set --secret` stores them; the engine substitutes
        ghcr["pullToken"] = {"secure": "v1:" + base64.b64encode(KNOWN_SECRETS[0].encode()).decode()}
    project = project_copy(tmp_path, stack, document)
    refused = stack == "prod"  # the Slack token is in plain text in both variants
    # Both CLI calls load the same stack file: the program runs once and each call renders that run.
    runs: dict[str, Recording] = {}

    def run_once(project_dir: Path, **options: Any) -> Recording:
        key = repr((project_dir, sorted(options.items())))
        if key not in runs:
            runs[key] = run_project(project_dir, **options)
        return runs[key]

    monkeypatch.setattr(offline_main, "run_project", run_once)
    views: list[str] = []
    for flags in ([], ["--json", "--manifests", str(tmp_path / "manifests")]):
        code = main(["preview", "--stack", stack, "--project-dir", str(project), *flags])
        captured = capsys.readouterr()
        assert code == (2 if refused else 0)
        views += [captured.out, captured.err]
    views += [p.read_text() for p in (tmp_path / "manifests").rglob("*.yaml")]
    # A refused stack file never ran: run the program once to check its inputs and outputs too.
    [recording] = runs.values() if runs else [run_stack_document(stack, document)]
    views.append(json.dumps([r.masked() for r in recording.resources]))
    views += [str(o.value) for o in recording.outputs.values() if not o.secret]
    for secret in KNOWN_SECRETS:
        for form in (secret, base64.b64encode(secret.encode()).decode()):
            assert not [view for view in views if form in view]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_kubeconfigs_are_exported_only_as_secrets(recorded: Callable[[str], Recording], stack: str) -> None:
    outputs = recorded(stack).outputs
    assert outputs["hubKubeconfig"].secret and outputs["gpuKubeconfig"].secret
    assert "kubelogin" in outputs["hubKubeconfig"].value
