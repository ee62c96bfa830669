"""`python -m offline preview`: the tree, the `--json` document, `--manifests`, and bad stacks."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
import yaml
from conftest import PROJECT_DIR, project_copy, stack_document

from offline import applications
from offline.__main__ import main
from offline.engine import Recording, run
from offline.render import kubernetes_documents, preview_json, write_manifests


def preview(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["preview", *args])
    out, err = capsys.readouterr()
    return code, out, err


def succeeded_but_for_admission(code: int, err: str) -> bool:
    """Exit 0, or 1 with only ArgoCD admission refusals (tests/test_admission.py checks those)."""
    refused = any(line.startswith("not admitted: ") for line in err.splitlines())
    return code == (1 if refused else 0)


def test_tree_shows_resource_group_and_registry_with_real_inputs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    expanded: list[str] = []
    original = applications.expand

    def expand(application_set: dict[str, Any], secrets: list[dict[str, Any]]) -> list[dict[str, Any]]:
        expanded.append(application_set["metadata"]["name"])
        return original(application_set, secrets)

    monkeypatch.setattr(applications, "expand", expand)
    code, out, err = preview(capsys, "--stack", "dev", "--manifests", str(tmp_path))
    assert succeeded_but_for_admission(code, err)
    # The tree, the manifests and admission read one expansion of each ApplicationSet.
    assert expanded and sorted(expanded) == sorted(set(expanded))
    assert "azure-native:resources:ResourceGroup" in out and "azure-native:containerregistry:Registry" in out
    assert 'registryName: "slipwaydevacr"' in out and "adminUserEnabled: false" in out
    assert 'acrLoginServer: "slipwaydevacr.azurecr.io"' in out
    assert out.rstrip().splitlines()[-1].strip().endswith("to create")


def test_json_has_the_shape_of_pulumi_preview_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = preview(capsys, "--stack", "prod", "--json")
    assert succeeded_but_for_admission(code, err)
    document = json.loads(out)
    assert set(document) >= {"config", "steps", "diagnostics", "duration", "changeSummary"}
    assert document["changeSummary"] == {"create": len(document["steps"])}
    assert document["steps"][0]["newState"]["type"] == "pulumi:pulumi:Stack"
    for step in document["steps"]:
        assert step["op"] == "create"
        state = step["newState"]
        assert set(state) == {"type", "urn", "custom", "parent", "inputs", "dependencies", "protect", "provider"}
        assert state["urn"] == step["urn"] and step["urn"].startswith("urn:pulumi:prod::slipway::")
    registry = next(
        s["newState"] for s in document["steps"] if s["newState"]["type"] == "azure-native:containerregistry:Registry"
    )
    assert registry["protect"] is True and registry["inputs"]["adminUserEnabled"] is False


def test_secure_config_is_a_placeholder_and_stays_secret(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = stack_document("dev")
    document["config"]["slipway:registries"]["ghcr"]["pullToken"] = {"secure": "v1:c2VjcmV0Y2lwaGVydGV4dA=="}
    project = project_copy(tmp_path, "dev", document)
    code, out, err = preview(capsys, "--stack", "dev", "--json", "--project-dir", str(project))
    assert succeeded_but_for_admission(code, err)
    assert "v1:c2VjcmV0Y2lwaGVydGV4dA==" not in out and "offline-placeholder" not in out
    assert json.loads(out)["config"]["slipway:registries"] == "[secret]"


def test_secrets_are_masked_in_json_and_manifests(tmp_path: Path) -> None:
    def program() -> None:
        provider = k8s.Provider("hub", kubeconfig=pulumi.Output.secret("kubeconfig-text"))
        opts = pulumi.ResourceOptions(provider=provider)
        k8s.core.v1.Secret(
            "pull",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="pull", namespace="argocd"),
            string_data={".dockerconfigjson": pulumi.Output.secret("ghp_token_value")},
            opts=opts,
        )
        k8s.helm.v3.Release(
            "argocd",
            chart="argo-cd",
            version="10.1.1",
            values={"notifications": {"secret": {"items": {"slack-token": pulumi.Output.secret("xoxb-slack")}}}},
            opts=opts,
        )

    recording = run(program)
    text = json.dumps(preview_json(recording, {}, []))
    written = write_manifests(recording, tmp_path)
    assert {p.relative_to(tmp_path).as_posix() for p in written} == {
        "objects/Secret_argocd_pull.yaml",
        "helm/argocd.yaml",
    }
    for secret in ("kubeconfig-text", "ghp_token_value", "xoxb-slack"):
        assert secret not in text
        assert all(secret not in p.read_text() for p in written)
    assert yaml.safe_load((tmp_path / "objects/Secret_argocd_pull.yaml").read_text())["stringData"] == "[secret]"
    # secretness covers the whole top-level input that holds a secret, as in a real run
    assert kubernetes_documents(recording)["helm/argocd.yaml"] == "[secret]"


def test_bad_stack_file_prints_settings_errors_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = stack_document("dev")
    document["config"]["slipway:azure"]["locaton"] = "westeurope"
    document["config"]["slipway:registries"]["acr"]["sku"] = "Gold"
    project = project_copy(tmp_path, "dev", document)
    code, out, err = preview(capsys, "--stack", "dev", "--project-dir", str(project))
    assert code == 2 and out == ""
    assert "Traceback" not in err
    assert err.splitlines() == [
        "error: stack 'dev' has 2 settings problem(s):",
        "  - slipway:azure.locaton: unknown key, expected one of the keys in docs/SETTINGS.md",
        "  - slipway:registries.acr.sku: got 'Gold', expected 'Basic', 'Standard' or 'Premium'",
    ]


@pytest.mark.parametrize(("stack", "message"), [("qa", "no stack file Pulumi.qa.yaml")])
def test_missing_stack_file(capsys: pytest.CaptureFixture[str], stack: str, message: str) -> None:
    code, out, err = preview(capsys, "--stack", stack)
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_manifests_read_back_as_the_documents(recorded: Callable[[str], Recording], tmp_path: Path) -> None:
    recording = recorded("prod")
    write_manifests(recording, tmp_path)
    for relative, document in kubernetes_documents(recording).items():
        assert yaml.load((tmp_path / relative).read_text(), Loader=yaml.CSafeLoader) == document, relative


def test_preview_needs_only_the_runtime_requirements_and_the_sdks_its_stack_uses() -> None:
    """The README's first command installs requirements.txt only: the preview imports nothing from the dev set.

    Nor does it load the SDKs of what its stack does not declare: dev signs in with managed
    identities, so the Entra ID SDK (application mode's) is not loaded; the time SDK is, for the
    waits on role propagation.
    """
    blocker = textwrap.dedent(
        """
        import importlib.abc, sys
        DEV_ONLY = {"pulumi_policy", "jsonschema", "hypothesis", "regopy", "pytest", "xdist"}
        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in DEV_ONLY:
                    raise ImportError(f"{name} is a development requirement")
                return None
        sys.meta_path.insert(0, Block())
        from offline.__main__ import main
        code = main(["preview", "--stack", "dev", "--compact"])
        print("loaded:", *sorted(m for m in ("pulumi_azuread", "pulumiverse_time") if m in sys.modules))
        sys.exit(code)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", blocker], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[-1] == "loaded: pulumiverse_time"
