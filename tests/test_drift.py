"""The drift report, on recorded preview-only refresh documents (tests/samples)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.__main__ import main

SAMPLES = Path(__file__).parent / "samples"


def report(capsys: pytest.CaptureFixture[str], sample: str, *flags: str) -> tuple[int, str]:
    code = main(["report", str(SAMPLES / sample), "--stack", "prod", *flags])
    return code, capsys.readouterr().out


def test_drift_table_rows(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = report(capsys, "refresh-drift.json")
    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith("| `")]
    assert rows == [
        "| `slipway-prod` | `azure-native:containerregistry:Registry` | `adminUserEnabled` | update | false | true |",
        '| `slipway-prod` | `azure-native:containerregistry:Registry` | `tags.owner` | update | "platform-team" | "someone\\|else" |',
        '| `argocd-notifications-secret` | `kubernetes:core/v1:Secret` | `stringData["slack-token"]` | update | [secret] | [secret] |',
        "| `slipway-prod-gpu-a100` | `azure-native:containerservice:AgentPool` | `vmSize` | replace |  | would be replaced |",
        '| `slipway-prod-gpu-a100` | `azure-native:containerservice:AgentPool` | `nodeTaints[0]` | delete | "nvidia.com/gpu=present:NoSchedule" | (absent) |',
        '| `slipway-prod-gpu-a100` | `azure-native:containerservice:AgentPool` | `vmSize` | update-replace | "Standard_NC24ads_A100_v4" | "Standard_NC48ads_A100_v4" |',
        "| `slipway-prod-ci-acr-push` | `azure-native:authorization:RoleAssignment` | `(resource)` | deleted | exists | gone from the cloud |",
    ]
    assert "4 resource(s) differ" in out


def test_secrets_never_appear(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = report(capsys, "refresh-drift.json")
    assert "xoxb-in-state" not in out


def test_no_drift(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = report(capsys, "refresh-clean.json", "--exit-code")
    assert code == 0 and out == "No drift in stack `prod`: the cloud matches Pulumi's state.\n"


def test_exit_code_on_drift(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = report(capsys, "refresh-drift.json", "--exit-code")
    assert code == 1


def test_unreadable_refresh_output_is_an_error_not_drift(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "refresh.json"
    broken.write_text("error: failed to log in")
    assert main(["report", str(broken), "--stack", "prod", "--exit-code"]) == 2
    assert "is not the JSON of a preview-only refresh" in capsys.readouterr().err
