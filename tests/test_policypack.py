"""The policy pack: every policy against passing (the repo's stacks) and failing recordings."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT_DIR, STACKS, declared

from offline.__main__ import report_policies
from offline.engine import Recording, run
from offline.policy import load_pack, run_policies

PACK = load_pack(PROJECT_DIR / "policypack")
SECRET_SIG = "4dabf18193072939515e22adb298388d"


def secret(value: Any) -> dict[str, Any]:
    return {SECRET_SIG: "1b47061264138c4ac30d75fd1eb44270", "value": value}


def altered(recording: Recording, type_: str, name: str | None = None, **changes: Any) -> Recording:
    """The recording with one resource's inputs (or `protect`) changed."""
    target = recording.one(type_, name)
    inputs = {**target.inputs, **changes.pop("inputs", {})}
    replaced = dataclasses.replace(target, inputs=inputs, **changes)
    resources = [replaced if r is target else r for r in recording.resources]
    return dataclasses.replace(recording, resources=resources)


def added(recording: Recording, type_: str, inputs: dict[str, Any]) -> Recording:
    extra = declared(type_, inputs, stack=recording.stack)
    return dataclasses.replace(recording, resources=[*recording.resources, extra])


def policies_violated(recording: Recording, levels: dict[str, str] | None = None) -> set[str]:
    return {v.policy for v in run_policies(recording, PACK, levels)}


@pytest.mark.parametrize("stack", STACKS)
def test_repo_stacks_pass_every_policy(recorded: Callable[[str], Recording], stack: str) -> None:
    assert run_policies(recorded(stack), PACK) == []


def test_acr_admin_user(recorded: Callable[[str], Recording]) -> None:
    bad = altered(recorded("dev"), "azure-native:containerregistry:Registry", inputs={"adminUserEnabled": True})
    assert policies_violated(bad) == {"acr-admin-user-disabled"}


@pytest.mark.parametrize(
    "change",
    [
        {"disableLocalAccounts": False},
        {"aadProfile": {"managed": True, "enableAzureRBAC": False}},
        {"oidcIssuerProfile": {"enabled": False}},
        {"securityProfile": {}},
    ],
)
def test_aks_security_baseline(recorded: Callable[[str], Recording], change: dict[str, Any]) -> None:
    bad = altered(recorded("dev"), "azure-native:containerservice:ManagedCluster", "slipway-dev-hub", inputs=change)
    assert policies_violated(bad) == {"aks-security-baseline"}


def test_production_protection(recorded: Callable[[str], Recording]) -> None:
    for type_, name in (
        ("azure-native:containerservice:ManagedCluster", "slipway-prod-gpu"),
        ("tls:index/privateKey:PrivateKey", "sealed-secrets-hub-key"),
    ):
        bad = altered(recorded("prod"), type_, name, protect=False)
        assert policies_violated(bad) == {"production-resources-protected"}
    # dev protects nothing and that is fine
    assert "production-resources-protected" not in policies_violated(recorded("dev"))


def test_helm_versions_pinned(recorded: Callable[[str], Recording]) -> None:
    bad = altered(recorded("dev"), "kubernetes:helm.sh/v3:Release", inputs={"version": "^10.1"})
    assert policies_violated(bad) == {"helm-versions-pinned"}
    appset = recorded("dev").one("kubernetes:argoproj.io/v1alpha1:ApplicationSet", "argo-rollouts-applicationset")
    spec = appset.plain()["spec"]
    spec["template"]["spec"]["sources"][0]["targetRevision"] = "2.*"
    bad = altered(recorded("dev"), appset.type, appset.name, inputs={"spec": spec})
    assert policies_violated(bad) == {"helm-versions-pinned"}


@pytest.mark.parametrize(
    ("image", "mutable"),
    [
        ("docker.io/library/nginx:latest", True),
        ("ghcr.io/acme/api", True),
        ("ghcr.io/acme/api:1.4.2", False),
        ("acr.azurecr.io/api@sha256:" + "0" * 64, False),
    ],
)
def test_no_mutable_image_tags(recorded: Callable[[str], Recording], image: str, mutable: bool) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [{"name": "c", "image": image}]}}
    recording = added(recorded("dev"), "kubernetes:core/v1:Pod", pod)
    assert ("no-mutable-image-tags" in policies_violated(recording)) is mutable


def test_github_secrets_only_from_secrets(recorded: Callable[[str], Recording]) -> None:
    base = {"repository": "slipway", "environment": "dev", "secretName": "TOKEN"}
    type_ = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret"
    assert policies_violated(added(recorded("dev"), type_, {**base, "value": secret("s3cr3t")})) == set()
    assert policies_violated(added(recorded("dev"), type_, {**base, "value": "s3cr3t"})) == {
        "github-secrets-from-secrets"
    }
    assert policies_violated(added(recorded("dev"), type_, {**base, "plaintextValue": secret("x")})) == {
        "github-secrets-from-secrets"
    }


def test_production_applicationsets_never_auto_sync(recorded: Callable[[str], Recording]) -> None:
    appset = recorded("prod").one("kubernetes:argoproj.io/v1alpha1:ApplicationSet", "services-prod")
    assert appset.plain()["metadata"]["labels"]["slipway.io/production"] == "true"
    spec = appset.plain()["spec"]
    spec["template"]["spec"]["syncPolicy"]["automated"] = {"prune": True, "selfHeal": True}
    bad = altered(recorded("prod"), appset.type, appset.name, inputs={"spec": spec})
    assert policies_violated(bad) == {"production-applicationsets-manual-sync"}


def test_tags_are_advisory_and_levels_are_configurable(recorded: Callable[[str], Recording]) -> None:
    bad = altered(recorded("dev"), "azure-native:resources:ResourceGroup", inputs={"tags": {}})
    (violation,) = run_policies(bad, PACK)
    assert (violation.policy, violation.level) == ("azure-resources-tagged", "advisory")
    assert run_policies(bad, PACK, {"azure-resources-tagged": "disabled"}) == []
    (violation,) = run_policies(bad, PACK, {"azure-resources-tagged": "mandatory"})
    assert violation.level == "mandatory"
    with pytest.raises(KeyError, match="no policy named 'typo'"):
        run_policies(bad, PACK, {"typo": "advisory"})


def test_cli_fails_only_on_mandatory_violations(
    recorded: Callable[[str], Recording], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    advisory = altered(recorded("dev"), "azure-native:resources:ResourceGroup", inputs={"tags": {}})
    assert report_policies(advisory, PROJECT_DIR / "policypack", None) == 0
    mandatory = altered(recorded("dev"), "azure-native:containerregistry:Registry", inputs={"adminUserEnabled": True})
    assert report_policies(mandatory, PROJECT_DIR / "policypack", None) == 1
    config = tmp_path / "levels.json"
    config.write_text('{"acr-admin-user-disabled": "advisory"}')
    assert report_policies(mandatory, PROJECT_DIR / "policypack", config) == 0
    assert "[acr-admin-user-disabled]" in capsys.readouterr().err


def test_the_pack_program_declares_every_policy_with_its_level() -> None:
    source = (PROJECT_DIR / "policypack" / "__main__.py").read_text()
    assert "initial_config=dict(DEFAULT_LEVELS)" in source
    assert {p.name for p in PACK.policies()} == set(PACK.DEFAULT_LEVELS)


def test_run_records_nothing_for_components_only() -> None:
    assert run_policies(run(lambda: None), PACK) == []
