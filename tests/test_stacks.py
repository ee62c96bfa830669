"""The whole program per stack: roles and scopes, protection, layer switches, secrets."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import STACKS, project_copy, run_stack_document, slipway, stack_document

from components.cloud.roles import BuiltInRole
from offline import __main__ as offline_main
from offline.__main__ import main
from offline.engine import Recording, run_project

RoleAssignment = "azure-native:authorization:RoleAssignment"
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
    "azure-native:managedidentity:FederatedIdentityCredential",
)


def assignments(recording: Recording) -> dict[str, tuple[str, str, str]]:
    """name -> (role id, principal id, scope) of every role assignment."""
    found = {}
    for r in recording.of_type(RoleAssignment):
        inputs = r.plain()
        found[r.name] = (inputs["roleDefinitionId"].rsplit("/", 1)[-1], inputs["principalId"], inputs["scope"])
    return found


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_role_assignment_is_least_privilege_on_one_resource(
    recorded: Callable[[str], Recording], stack: str
) -> None:
    recording = recorded(stack)
    registry = recording.one("azure-native:containerregistry:Registry").outputs["id"]
    clusters = {
        r.name.rsplit("-", 1)[-1]: r.outputs for r in recording.of_type("azure-native:containerservice:ManagedCluster")
    }
    ci = recording.one("azure-native:managedidentity:UserAssignedIdentity", f"slipway-{stack}-ci").outputs
    argocd = recording.one("azure-native:managedidentity:UserAssignedIdentity", f"slipway-{stack}-argocd").outputs
    kubelet = {role: c["identityProfile"]["kubeletidentity"]["objectId"] for role, c in clusters.items()}
    assert assignments(recording) == {
        f"slipway-{stack}-ci-acr-push": (BuiltInRole.ACR_PUSH.value, ci["principalId"], registry),
        f"slipway-{stack}-hub-kubelet-acr-pull": (BuiltInRole.ACR_PULL.value, kubelet["hub"], registry),
        f"slipway-{stack}-gpu-kubelet-acr-pull": (BuiltInRole.ACR_PULL.value, kubelet["gpu"], registry),
        f"slipway-{stack}-argocd-gpu-cluster-admin": (
            BuiltInRole.AKS_RBAC_CLUSTER_ADMIN.value,
            argocd["principalId"],
            clusters["gpu"]["id"],
        ),
    }
    names = [r.plain()["roleAssignmentName"] for r in recording.of_type(RoleAssignment)]
    assert len(set(names)) == len(names)


def test_assignment_names_are_stable_across_runs(recorded: Callable[[str], Recording]) -> None:
    again = run_stack_document("dev", stack_document("dev"))
    first = {r.name: r.plain()["roleAssignmentName"] for r in recorded("dev").of_type(RoleAssignment)}
    assert first == {r.name: r.plain()["roleAssignmentName"] for r in again.of_type(RoleAssignment)}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_ci_federated_subjects_follow_settings(recorded: Callable[[str], Recording], stack: str) -> None:
    environments = slipway(stack_document(stack), "delivery")["environments"]
    subjects = {
        r.plain()["subject"]
        for r in recorded(stack).of_type("azure-native:managedidentity:FederatedIdentityCredential")
    }
    expected = set()
    for repo in ("acme-platform/slipway", "acme-platform/gitops"):
        expected |= {f"repo:{repo}:ref:refs/heads/main", f"repo:{repo}:pull_request"}
        expected |= {f"repo:{repo}:environment:{env}" for env in environments}
    expected |= {
        f"system:serviceaccount:argocd:{sa}"
        for sa in ("argocd-application-controller", "argocd-applicationset-controller", "argocd-server")
    }
    assert subjects == expected


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
    # every ACR_LOGIN_SERVER variable goes too, and the golden images, which prod pushes to ACR
    # only (no GHCR push token is set)
    variables = {name for name in removed if name.endswith("-acr_login_server")}
    assert len(variables) == 1 + 3 * 3  # Slipway's prod environment, 3 services x 3 environments
    assert removed - variables == {
        "slipway-prod",  # the ContainerRegistry component and its Registry
        "slipway-prod-northeurope",
        "slipway-prod-ci-acr-push",
        "slipway-prod-hub-kubelet-acr-pull",
        "slipway-prod-gpu-kubelet-acr-pull",
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
    gpu_only = ("slipway-dev-gpu", "slipway-dev-argocd", "sealed-secrets-gpu", "gpu-operator", "clusters-gpu")
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
    assert removed == {"slipway-dev-dev-ghcr_image_prefix"}
    assert "ghcrImagePrefix" in recorded("dev").outputs and "ghcrImagePrefix" not in without.outputs


def test_application_mode_with_client_secret_exports_it_as_a_secret() -> None:
    document = stack_document("dev")
    slipway(document, "identity")["ci"].update(mode="application", credential="clientSecret", secretRotationDays=60)
    recording = run_stack_document("dev", document)
    assert recording.outputs["ciClientSecret"].secret
    principal = recording.one("azuread:index/servicePrincipal:ServicePrincipal").outputs["objectId"]
    assert assignments(recording)["slipway-dev-ci-acr-push"][1] == principal


KNOWN_SECRETS = ("ghp_KNOWN_pull_token_0001", "xoxb-KNOWN-slack-token-0002")


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("stored", ["plain", "placeholder"])
def test_known_secret_values_appear_nowhere(
    stack: str, stored: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Secrets set in the stack file reach no view: tree, --json, --manifests, outputs, recorded inputs."""
    document = stack_document(stack)
    ghcr = slipway(document, "registries").setdefault("ghcr", {"owner": "acme"})
    ghcr.update(private=True, pullToken=KNOWN_SECRETS[0])
    slipway(document, "platform")["argocd"] = {"notifications": {"slackToken": KNOWN_SECRETS[1]}}
    if stored == "placeholder":  # as `pulumi config set --secret` stores them; the engine substitutes
        ghcr["pullToken"] = {"secure": "v1:" + base64.b64encode(KNOWN_SECRETS[0].encode()).decode()}
    project = project_copy(tmp_path, stack, document)
    # Both CLI calls load the same stack file: the program runs once and each call renders that run.
    runs: dict[str, Recording] = {}

    def run_once(project_dir: Path, **options: Any) -> Recording:
        key = repr((project_dir, sorted(options.items())))
        if key not in runs:
            runs[key] = run_project(project_dir, **options)
        return runs[key]

    monkeypatch.setattr(offline_main, "run_project", run_once)
    views = []
    for flags in ([], ["--json", "--manifests", str(tmp_path / "manifests")]):
        assert main(["preview", "--stack", stack, "--project-dir", str(project), *flags]) == 0
        views.append(capsys.readouterr().out)
    views += [p.read_text() for p in (tmp_path / "manifests").rglob("*.yaml")]
    [recording] = runs.values()
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
