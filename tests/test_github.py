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


def environments(recording: Recording) -> dict[tuple[str, str], dict[str, object]]:
    return {(r.plain()["repository"], r.plain()["environment"]): r.plain() for r in recording.of_type(ENVIRONMENT)}


def variables(recording: Recording, repository: str, environment: str) -> dict[str, str]:
    return {
        r.plain()["variableName"]: r.plain()["value"]
        for r in recording.of_type(VARIABLE)
        if (r.plain()["repository"], r.plain()["environment"]) == (repository, environment)
    }


def test_prod_environments_have_reviewers_and_a_deployment_policy(recorded: Callable[[str], Recording]) -> None:
    recording = recorded("prod")
    found = environments(recording)
    team = next(i for i in recording.invokes if i.token == "github:index/getTeam:getTeam")
    user = next(i for i in recording.invokes if i.token == "github:index/getUser:getUser")
    assert (team.args["slug"], user.args["username"]) == ("platform-leads", "octo-oncall")
    for (repository, environment), spec in found.items():
        protected = environment == "prod"
        if protected:
            assert spec["reviewers"] == [{"teams": [int(team.result["id"])], "users": [int(user.result["id"])]}]
            assert spec["preventSelfReview"] is True and spec["canAdminsBypass"] is False
        else:
            assert "reviewers" not in spec and "deploymentBranchPolicy" not in spec, (repository, environment)
    assert found[("slipway", "prod")]["deploymentBranchPolicy"] == {
        "protectedBranches": True,
        "customBranchPolicies": False,
    }
    assert found[("payments-api", "prod")]["deploymentBranchPolicy"] == {
        "protectedBranches": False,
        "customBranchPolicies": True,
    }
    policies = {(p.plain()["repository"], p.plain()["tagPattern"]) for p in recording.of_type(POLICY)}
    assert policies == {("payments-api", "v*"), ("web-frontend", "v*"), ("inference-service", "v*")}


def test_dev_stack_manages_only_its_own_environment_of_slipway(recorded: Callable[[str], Recording]) -> None:
    assert set(environments(recorded("dev"))) == {("slipway", "dev")}


def test_variables_carry_the_cloud_layer_outputs(recorded: Callable[[str], Recording]) -> None:
    recording = recorded("prod")
    outputs = {name: output.value for name, output in recording.outputs.items()}
    expected = {
        "AZURE_CLIENT_ID": outputs["ciClientId"],
        "AZURE_TENANT_ID": outputs["tenantId"],
        "AZURE_SUBSCRIPTION_ID": outputs["subscriptionId"],
        "ACR_LOGIN_SERVER": outputs["acrLoginServer"],
        "GHCR_IMAGE_PREFIX": outputs["ghcrImagePrefix"],
        "GITOPS_REPOSITORY": "acme-platform/gitops",
    }
    assert variables(recording, "slipway", "prod") == {**expected, "PULUMI_STACK": "prod"}
    for environment in ("dev", "staging", "prod"):
        service = variables(recording, "inference-service", environment)
        assert service == {
            **expected,
            "SERVICE_NAME": "inference",
            "SEALED_SECRETS_CERT": outputs["gpuSealingCertificate"],
        }
    assert variables(recording, "payments-api", "dev")["SEALED_SECRETS_CERT"] == outputs["hubSealingCertificate"]


def test_secrets_only_where_a_secret_exists_and_only_from_secrets(recorded: Callable[[str], Recording]) -> None:
    assert recorded("prod").of_type(SECRET) == []
    document = stack_document("prod")
    slipway(document, "identity")["ci"].update(mode="application", credential="clientSecret")
    slipway(document, "github")["notificationWebhook"] = "https://hooks.example/T000/B000/XXXX"
    recording = run_stack_document("prod", document)
    secrets = recording.of_type(SECRET)
    assert {s.plain()["secretName"] for s in secrets} == {"AZURE_CLIENT_SECRET", "NOTIFICATION_WEBHOOK"}
    assert len(secrets) == 2 * (1 + 3 * 3)
    for secret in secrets:
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
        "slipway:github:ActionsEnvironments",
        "slipway:github:GoldenImages",
        ENVIRONMENT,
        VARIABLE,
        POLICY,
        IMAGE,
    }
    assert "goldenImageDigests" not in without.outputs
