"""The GitHub layer: environments, variables and secrets from stack outputs; golden images."""

from __future__ import annotations

from collections.abc import Callable

from conftest import run_stack_document, slipway, stack_document

from components.github.images import IMAGES_DIR, content_tag
from offline.engine import Recording

ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment"
VARIABLE = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable"
SECRET = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret"
POLICY = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy"
IMAGE = "docker-build:index:Image"


REPO_VARIABLE = "github:index/actionsVariable:ActionsVariable"
REPO_SECRET = "github:index/actionsSecret:ActionsSecret"
ORG_VARIABLE = "github:index/actionsOrganizationVariable:ActionsOrganizationVariable"
SERVICES = ("payments-api", "web-frontend", "inference-service")


def environments(recording: Recording) -> dict[tuple[str, str], dict[str, object]]:
    return {(r.plain()["repository"], r.plain()["environment"]): r.plain() for r in recording.of_type(ENVIRONMENT)}


def variables(recording: Recording, repository: str, environment: str | None = None) -> dict[str, str]:
    """An environment's variables, or with no environment the repository's own."""
    if environment is None:
        found = recording.of_type(REPO_VARIABLE)
        return {r.plain()["variableName"]: r.plain()["value"] for r in found if r.plain()["repository"] == repository}
    return {
        r.plain()["variableName"]: r.plain()["value"]
        for r in recording.of_type(VARIABLE)
        if (r.plain()["repository"], r.plain()["environment"]) == (repository, environment)
    }


def deployment_policies(recording: Recording) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    return {
        (p.plain()["repository"], p.plain()["environment"]): (
            p.plain().get("branchPattern"),
            p.plain().get("tagPattern"),
        )
        for p in recording.of_type(POLICY)
    }


def test_every_environment_has_a_deployment_policy_and_production_reviewers(
    recorded: Callable[[str], Recording],
) -> None:
    recording = recorded("prod")
    found = environments(recording)
    team = next(i for i in recording.invokes if i.token == "github:index/getTeam:getTeam")
    user = next(i for i in recording.invokes if i.token == "github:index/getUser:getUser")
    assert (team.args["slug"], user.args["username"]) == ("platform-leads", "octo-oncall")
    # non-production environments of the service repositories are not declared: nothing differs there
    assert set(found) == {("slipway", "prod"), ("slipway", "prod-drift")} | {(repo, "prod") for repo in SERVICES}
    for (repository, environment), spec in found.items():
        reviewed = environment == "prod"
        assert "deploymentBranchPolicy" in spec, (repository, environment)
        if reviewed:
            assert spec["reviewers"] == [{"teams": [int(team.result["id"])], "users": [int(user.result["id"])]}]
            assert spec["preventSelfReview"] is True and spec["canAdminsBypass"] is False
        else:
            assert "reviewers" not in spec and spec["canAdminsBypass"] is True
    protected = {"protectedBranches": True, "customBranchPolicies": False}
    custom = {"protectedBranches": False, "customBranchPolicies": True}
    assert found[("slipway", "prod")]["deploymentBranchPolicy"] == protected
    assert found[("slipway", "prod-drift")]["deploymentBranchPolicy"] == custom
    assert found[("payments-api", "prod")]["deploymentBranchPolicy"] == custom
    assert deployment_policies(recording) == {
        ("slipway", "prod-drift"): ("main", None),
        **{(repo, "prod"): (None, "v*") for repo in SERVICES},
    }


def test_reviewers_are_looked_up_once_per_stack(recorded: Callable[[str], Recording]) -> None:
    tokens = [i.token for i in recorded("prod").invokes if i.token.startswith("github:index/get")]
    assert tokens.count("github:index/getTeam:getTeam") == 1 and tokens.count("github:index/getUser:getUser") == 1


def test_dev_stack_wires_only_its_own_environments_of_slipway(recorded: Callable[[str], Recording]) -> None:
    recording = recorded("dev")
    found = environments(recording)
    assert set(found) == {("slipway", "dev"), ("slipway", "dev-drift")}
    assert found[("slipway", "dev")]["deploymentBranchPolicy"] == {
        "protectedBranches": True,
        "customBranchPolicies": False,
    }
    assert deployment_policies(recording) == {("slipway", "dev-drift"): ("main", None)}


def test_slipway_environments_follow_the_identity_contract(recorded: Callable[[str], Recording]) -> None:
    """Environment S: the deploy identity; S-drift: the preview identity; repository variables
    `<S>_...` for the pull-request preview, which names no environment."""
    for stack in ("dev", "prod"):
        recording = recorded(stack)
        outputs = {name: output.value for name, output in recording.outputs.items()}
        shared = {
            "AZURE_TENANT_ID": outputs["tenantId"],
            "AZURE_SUBSCRIPTION_ID": outputs["subscriptionId"],
            "ACR_LOGIN_SERVER": outputs["acrLoginServer"],
            "GHCR_IMAGE_PREFIX": outputs["ghcrImagePrefix"],
            "PULUMI_STACK": stack,
        }
        assert variables(recording, "slipway", stack) == {"AZURE_CLIENT_ID": outputs["deployClientId"], **shared}
        assert variables(recording, "slipway", f"{stack}-drift") == {
            "AZURE_CLIENT_ID": outputs["previewClientId"],
            **shared,
        }
        upper = stack.upper()
        assert variables(recording, "slipway") == {
            f"{upper}_PREVIEW_AZURE_CLIENT_ID": outputs["previewClientId"],
            f"{upper}_AZURE_TENANT_ID": outputs["tenantId"],
            f"{upper}_AZURE_SUBSCRIPTION_ID": outputs["subscriptionId"],
        }


def test_service_repositories_get_their_delivery_identity_and_shared_values_once(
    recorded: Callable[[str], Recording],
) -> None:
    recording = recorded("prod")
    outputs = {name: output.value for name, output in recording.outputs.items()}
    delivery = outputs["deliveryClientIds"]
    assert set(delivery) == set(SERVICES) and len(set(delivery.values())) == 3
    for repository, service in zip(SERVICES, ("payments-api", "web-frontend", "inference"), strict=True):
        certificate = outputs["gpuSealingCertificate" if service == "inference" else "hubSealingCertificate"]
        assert variables(recording, repository) == {
            "AZURE_CLIENT_ID": delivery[repository],
            "SERVICE_NAME": service,
            "SEALED_SECRETS_CERT": certificate,
            # prod's registry has no public access: delivery runs on the stack's self-hosted runners (#30.3)
            "DELIVERY_RUNS_ON": '["self-hosted", "slipway-prod"]',
        }
        assert variables(recording, repository, "prod") == {}
    repository_ids = sorted(
        int(i.result["repoId"]) for i in recording.invokes if i.token == "github:index/getRepository:getRepository"
    )
    shared = {r.plain()["variableName"]: r.plain() for r in recording.of_type(ORG_VARIABLE)}
    assert {name: spec["value"] for name, spec in shared.items()} == {
        "AZURE_TENANT_ID": outputs["tenantId"],
        "AZURE_SUBSCRIPTION_ID": outputs["subscriptionId"],
        "ACR_LOGIN_SERVER": outputs["acrLoginServer"],
        "GHCR_IMAGE_PREFIX": outputs["ghcrImagePrefix"],
        "GITOPS_REPOSITORY": "acme-platform/gitops",
    }
    for spec in shared.values():
        assert spec["visibility"] == "selected" and sorted(spec["selectedRepositoryIds"]) == repository_ids
    assert len(repository_ids) == 3


def test_shared_values_per_repository_by_setting() -> None:
    document = stack_document("prod")
    slipway(document, "github")["sharedVariables"] = "repository"
    recording = run_stack_document("prod", document)
    assert not recording.of_type(ORG_VARIABLE)
    assert set(variables(recording, "payments-api")) == {
        "AZURE_CLIENT_ID",
        "SERVICE_NAME",
        "SEALED_SECRETS_CERT",
        "DELIVERY_RUNS_ON",
        "AZURE_TENANT_ID",
        "AZURE_SUBSCRIPTION_ID",
        "ACR_LOGIN_SERVER",
        "GHCR_IMAGE_PREFIX",
        "GITOPS_REPOSITORY",
    }


def test_secrets_only_where_a_secret_exists_and_only_from_secrets(recorded: Callable[[str], Recording]) -> None:
    assert recorded("prod").of_type(SECRET) == [] and recorded("prod").of_type(REPO_SECRET) == []
    document = stack_document("prod")
    slipway(document, "identity").update(mode="application", credential="clientSecret")
    slipway(document, "github")["notificationWebhook"] = "https://hooks.example/T000/B000/XXXX"
    recording = run_stack_document("prod", document)
    in_environments = {(s.plain()["environment"], s.plain()["secretName"]) for s in recording.of_type(SECRET)}
    assert in_environments == {
        (env, name) for env in ("prod", "prod-drift") for name in ("AZURE_CLIENT_SECRET", "NOTIFICATION_WEBHOOK")
    }
    in_repositories = {(s.plain()["repository"], s.plain()["secretName"]) for s in recording.of_type(REPO_SECRET)}
    assert in_repositories == {("slipway", "PROD_PREVIEW_AZURE_CLIENT_SECRET")} | {
        (repo, name) for repo in SERVICES for name in ("AZURE_CLIENT_SECRET", "NOTIFICATION_WEBHOOK")
    }
    for secret in [*recording.of_type(SECRET), *recording.of_type(REPO_SECRET)]:
        assert secret.secret_inputs() == {"value"}, secret.name
        assert "plaintextValue" not in secret.plain()


def test_images_push_to_acr_only_without_a_ghcr_push_token(recorded: Callable[[str], Recording]) -> None:
    recording = recorded("prod")
    images = {r.name: r.plain() for r in recording.of_type(IMAGE)}
    assert set(images) == {"golden-images-python", "golden-images-cuda"}
    for image, name in (("python", "golden-images-python"), ("cuda", "golden-images-cuda")):
        inputs = images[name]
        assert inputs["push"] is True
        assert inputs["tags"] == [f"slipwayprodacr.azurecr.io/golden/{image}:{content_tag(IMAGES_DIR / image)}"]
        assert "registries" not in inputs
        assert inputs["context"]["location"].endswith(f"images/{image}")
    digests = recording.outputs["goldenImageDigests"].value
    assert set(digests) == {"python", "cuda"} and all(d.startswith("sha256:") for d in digests.values())
    assert recording.outputs["goldenImages"].value["python"] == [
        f"slipwayprodacr.azurecr.io/golden/python@{digests['python']}"
    ]


def test_images_push_to_both_registries_with_a_ghcr_push_token() -> None:
    document = stack_document("dev")
    slipway(document, "github")["images"]["ghcrPushToken"] = "ghp_push_token"
    recording = run_stack_document("dev", document)
    python = recording.one(IMAGE, "golden-images-python")
    tag = content_tag(IMAGES_DIR / "python")
    assert python.plain()["tags"] == [
        f"slipwaydevacr.azurecr.io/golden/python:{tag}",
        f"ghcr.io/acme-platform/golden-python:{tag}",
    ]
    assert python.plain()["registries"] == [
        {"address": "ghcr.io", "username": "acme-platform", "password": "ghp_push_token"}
    ]
    assert python.secret_inputs() == {"registries"}


def test_content_tag_changes_with_content(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "Dockerfile").write_text("FROM scratch\n")
    first = content_tag(folder)
    (folder / "Dockerfile").write_text("FROM scratch\nUSER 65532\n")
    assert content_tag(folder) != first and first.startswith("sha-") and len(first) == 16


def test_golden_dockerfiles_are_multi_stage_and_non_root() -> None:
    for image in ("python", "cuda"):
        text = (IMAGES_DIR / image / "Dockerfile").read_text()
        stages = [line for line in text.splitlines() if line.startswith("FROM ")]
        assert len(stages) >= 2
        runtime = text.split(stages[-1], 1)[1]
        assert "USER " in runtime and "USER root" not in runtime
        assert "build-essential" not in runtime and "gcc" not in runtime


def test_switching_github_off_removes_exactly_its_resources(recorded: Callable[[str], Recording]) -> None:
    document = stack_document("prod")
    slipway(document, "github")["enabled"] = False
    without = run_stack_document("prod", document)
    before = {r.urn: r for r in recorded("prod").resources}
    after = {r.urn for r in without.resources}
    assert after <= set(before)
    removed = {before[urn].type for urn in set(before) - after}
    assert removed == {
        "pulumi:providers:github",
        "slipway:github:RepositoryActions",
        "slipway:github:GoldenImages",
        ENVIRONMENT,
        VARIABLE,
        REPO_VARIABLE,
        ORG_VARIABLE,
        POLICY,
        IMAGE,
        # the delivery identities: only a stack that wires the service repositories gives them one
        "slipway:cloud:FederatedIdentity",
        "azure-native:managedidentity:UserAssignedIdentity",
        "azure-native:managedidentity:FederatedIdentityCredential",
        "azure-native:authorization:RoleAssignment",
    }
    assert {
        before[urn].name for urn in set(before) - after if before[urn].type == "slipway:cloud:FederatedIdentity"
    } == {f"slipway-prod-delivery-{repository}" for repository in SERVICES}
    assert "goldenImageDigests" not in without.outputs
