"""The drift report, on the documents `pulumi refresh --preview-only --json` prints.

Two kinds of samples: Pulumi's own refresh test cases, and the reads of two of its tests
(tests/samples/pulumi, event streams recorded by pulumi/pulumi's lifecycle tests at v3.259.0,
replayed through the port of its JSON digest in tests/pulumi_digest.py), and Slipway-shaped documents in the same shape
(tests/samples/refresh-*.json).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pulumi_digest import preview_digest

from drift.__main__ import main
from drift.report import MAX_VALUE, Verdict, analyse

SAMPLES = Path(__file__).parent / "samples"
PULUMI = SAMPLES / "pulumi"

# (case, verdict, resources with drift rows, changes the summary counts that no step shows)
# Each expectation restates the Go test's own comment or assertion.
PULUMI_CASES = [
    # TestRefreshBasics: "B::1 has output-only changes which will not be reported as a refresh diff."
    ("TestRefreshBasics/1-0-0-preview", Verdict.NO_DRIFT, set(), {}),
    # "A::4 will have input and output changes. The changes that impact the inputs will be reported as a refresh diff."
    ("TestRefreshBasics/0-0-0-preview", Verdict.DRIFT, {"resA"}, {}),
    # "C::2 and C::5 will be deleted."
    ("TestRefreshBasics/3-0-0-preview", Verdict.DRIFT, {"resC"}, {}),
    ("TestRefreshBasics/all-0-0-preview", Verdict.DRIFT, {"resA", "resC"}, {}),
    # TestRefreshBasicsWithLegacyDiff: "refresh diffs only consider outputs"; "B::1 and A::4 will have
    # changes": the engine counts an update but the step keeps op `refresh` and `detailedDiff: null`.
    ("TestRefreshBasicsWithLegacyDiff/1-0-0-preview", Verdict.DRIFT, set(), {"update": 1}),
    ("TestRefreshBasicsWithLegacyDiff/2-0-0-preview", Verdict.DRIFT, set(), {"update": 1}),
    ("TestRefreshBasicsWithLegacyDiff/all-0-0-preview", Verdict.DRIFT, {"resC"}, {"update": 2}),
    # TestRefreshPreservesInputsWhenReadReturnsNoInputs: the provider's Diff returns DiffSome with
    # changed keys and no detailed diff.
    ("TestRefreshPreservesInputsWhenReadReturnsNoInputs/-1-0-preview", Verdict.DRIFT, set(), {"update": 1}),
    # TestExternalRefresh: the provider reads the resource back unchanged.
    ("TestExternalRefresh/1-0-0-preview", Verdict.NO_DRIFT, set(), {}),
    # Its first step: "The read should place "resA" in the snapshot with the "External" bit set". A
    # `read` step (a program's `Resource.get`), which a refresh that runs the program also makes.
    ("TestExternalRefresh/0-0-0-preview", Verdict.NO_DRIFT, set(), {}),
    # TestStackReference reads an external resource whose state is held: read back with the same
    # outputs it is not counted (engine/update.go, shouldRecordReadStep: "when things haven't
    # actually changed, but a user app did any 'reads' these don't show up in the resource
    # summary"); read back with other outputs it is counted `read`, and its step holds the state
    # from before the read (`outputs: {}`), so the summary alone shows it.
    ("TestStackReference/-2-0-preview", Verdict.NO_DRIFT, set(), {}),
    ("TestStackReference/-0-1", Verdict.DRIFT, set(), {"read": 1}),
    # TestExternalRefreshDoesNotCallDiff: the read returns nothing: the resource is gone.
    ("TestExternalRefreshDoesNotCallDiff/1-0-0-preview", Verdict.DRIFT, {"resA"}, {}),
    # TestRefreshDeleteDependencies: refreshing only resources that still exist changes nothing;
    # refreshing resA finds it deleted.
    ("TestRefreshDeleteDependencies/1-0-0-preview", Verdict.NO_DRIFT, set(), {}),
    ("TestRefreshDeleteDependencies/5-0-0-preview", Verdict.NO_DRIFT, set(), {}),
    ("TestRefreshDeleteDependencies/6-0-0-preview", Verdict.DRIFT, {"resA"}, {}),
    # TestRefreshInitFailure: "Partial failure SHOULD NOT cause refresh to fail" (a warning only).
    ("TestRefreshInitFailure/-0-0-preview", Verdict.NO_DRIFT, set(), {}),
    # TestViewsRefresh*: a view read back the same, updated, deleted, or deleted and re-created.
    ("TestViewsRefreshSame/-0-1-preview", Verdict.NO_DRIFT, set(), {}),
    ("TestViewsRefreshUpdate/-0-1-preview", Verdict.DRIFT, {"resA-child"}, {}),
    ("TestViewsRefreshDelete/-0-1-preview", Verdict.DRIFT, {"resA-child"}, {}),
    ("TestViewsRefreshDriftDeleteCreate_RefreshProgram/-0-1-preview", Verdict.DRIFT, {"resA", "resA-child"}, {}),
    # TestRefreshV2FailedRead: "read failure"; TestCanceledRefresh: "update canceled".
    ("TestRefreshV2FailedRead/1", Verdict.FAILED, set(), {}),
    ("TestCanceledRefresh", Verdict.FAILED, set(), {}),
]


def digest(case: str) -> str:
    return json.dumps(preview_digest((PULUMI / case / "eventstream.json").read_text()))


def run(capsys: pytest.CaptureFixture[str], path: Path, *flags: str) -> tuple[int, str, str]:
    code = main(["report", str(path), "--stack", "prod", *flags])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def table_rows(out: str) -> list[list[str]]:
    """The body rows of the Markdown table, split into cells as GFM does (`\\|` does not split)."""
    lines = [line for line in out.splitlines() if line.startswith("| ") and not line.startswith("| resource |")]
    return [re.split(r"(?<!\\)\|", line.strip())[1:-1] for line in lines]


def test_every_pulumi_case_is_vendored_and_checked() -> None:
    vendored = {str(p.parent.relative_to(PULUMI)) for p in PULUMI.rglob("eventstream.json")}
    assert vendored == {case for case, *_ in PULUMI_CASES}
    assert len(vendored) == 23


def test_pulumi_writes_null_detailed_diffs_and_refresh_steps() -> None:
    document = json.loads(digest("TestRefreshBasics/1-0-0-preview"))
    assert [(s["op"], s["detailedDiff"]) for s in document["steps"]] == [("refresh", None)]
    assert document["changeSummary"] == {"same": 1}


@pytest.mark.parametrize(("case", "verdict", "resources", "unexplained"), PULUMI_CASES)
def test_verdict_on_pulumis_refresh_cases(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    case: str,
    verdict: Verdict,
    resources: set[str],
    unexplained: dict[str, int],
) -> None:
    sample = tmp_path / "refresh.json"
    sample.write_text(digest(case))
    code, out, err = run(capsys, sample, "--exit-code")
    assert code == verdict
    if verdict is Verdict.FAILED:
        assert "failed" in out and "error:" in err and "No drift" not in out
        return
    report = analyse(json.loads(sample.read_text()))
    assert {row.resource for row in report.rows} == resources
    assert report.unexplained == unexplained
    assert ("No drift" in out) == (verdict is Verdict.NO_DRIFT)


def test_slipway_drift_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, SAMPLES / "refresh-drift.json", "--exit-code")
    assert code == 1
    assert [line for line in out.splitlines() if line.startswith("| `")] == [
        "| `slipway-prod` | `azure-native:containerregistry:Registry` | `adminUserEnabled` | `update` | `false` | `true` |",
        '| `slipway-prod` | `azure-native:containerregistry:Registry` | `tags.description` | `add` | `(absent)` | `"a tag value far longer than a table cell should show, added from the portal by…` |',
        '| `slipway-prod` | `azure-native:containerregistry:Registry` | `tags.note` | `add` | `(absent)` | ``"set by `az acr update`\\nby hand"`` |',
        '| `slipway-prod` | `azure-native:containerregistry:Registry` | `tags.owner` | `update` | `"platform-team"` | `"someone\\|else"` |',
        '| `argocd-notifications-secret` | `kubernetes:core/v1:Secret` | `stringData["slack-token"]` | `update` | `[secret]` | `[secret]` |',
        "| `slipway-prod-ci-acr-push` | `azure-native:authorization:RoleAssignment` | `(resource)` | `delete` | `exists` | `gone from the cloud` |",
    ]
    # The GPU pool's provider gave no detailed diff: only the change summary shows it.
    assert "4 resource(s) differ" in out
    assert "counts 1 more resource(s) with `update`" in out


def test_slipway_clean_stack(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, SAMPLES / "refresh-clean.json", "--exit-code")
    assert code == 0 and out == "No drift in stack `prod`: the cloud matches Pulumi's state.\n"


def test_without_exit_code_drift_exits_zero_but_failures_exit_two(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, SAMPLES / "refresh-drift.json")[0] == 0
    failed = tmp_path / "refresh.json"
    failed.write_text(digest("TestRefreshV2FailedRead/1"))
    code, out, _ = run(capsys, failed)
    assert code == 2 and "read failure for urn:pulumi:test-stack::test-project::pkgA:m:typA::resA" in out


def step(op: str, name: str, old: object, new: object, detailed: object = None) -> dict[str, object]:
    urn = f"urn:pulumi:prod::slipway::azure-native:resources:ResourceGroup::{name}"
    state = {"urn": urn, "type": "azure-native:resources:ResourceGroup", "custom": True}
    return {
        "op": op,
        "urn": urn,
        "oldState": {**state, "inputs": old, "outputs": old},
        "newState": {**state, "inputs": new, "outputs": new},
        "detailedDiff": detailed,
    }


def write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "refresh.json"
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("error: failed to log in", "is not the JSON of a preview-only refresh"),
        ([], "not a JSON object"),
        ({}, "no `changeSummary` and no `duration`"),
        ({"steps": [], "duration": 10**9, "changeSummary": []}, "not a JSON object"),
        ({"steps": {}, "changeSummary": {"same": 1}}, "`steps` is not a list"),
        ({"steps": [{"op": "update"}], "changeSummary": {"same": 1}}, "has no op or no URN"),
        ({"steps": [step("replace", "rg", {}, {})], "changeSummary": {"replace": 1}}, "does not produce"),
        ({"steps": [step("refresh", "rg", {}, {})], "changeSummary": {"same": "1"}}, "not integers"),
        ({"steps": [step("refresh", "rg", {}, {})], "diagnostics": [{"severity": "error", "message": "boom"}]}, "boom"),
        (
            {"steps": [step("refresh", "rg", {}, {})], "changeSummary": {"same": 1}, "maybeCorrupt": True},
            "maybeCorrupt",
        ),
    ],
)
def test_unreadable_or_failed_refresh_is_an_error_not_a_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], document: object, message: str
) -> None:
    path = tmp_path / "refresh.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    code, out, err = run(capsys, path, "--exit-code")
    assert code == 2 and message in err and "failed" in out and "No drift" not in out


def test_refresh_step_compared_by_old_and_new_state(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = {"steps": [step("refresh", "rg", {"location": "westeurope"}, {"location": "northeurope"})]}
    code, out, _ = run(capsys, write(tmp_path, {**document, "changeSummary": {"update": 1}}), "--exit-code")
    assert code == 1
    assert table_rows(out) == [[" `rg` ", " `azure-native:resources:ResourceGroup` ", " `location (outputs)` ",
                                " `update` ", ' `"westeurope"` ', ' `"northeurope"` ']]  # fmt: skip


def test_markdown_cannot_be_broken_by_names_or_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nasty = "x`|y\nz"
    document = {
        "steps": [step("update", nasty, {nasty: "a"}, {nasty: "``b|c``\n"}, {nasty: {"kind": "update"}})],
        "changeSummary": {"update": 1},
    }
    code, out, _ = run(capsys, write(tmp_path, document), "--exit-code")
    assert code == 1
    rows = table_rows(out)
    assert len(rows) == 1 and len(rows[0]) == 6
    for cell in rows[0]:
        fence = re.match(r" (`+)", cell)
        assert fence and cell.rstrip().endswith(fence.group(1))
        inner = cell.strip()[len(fence.group(1)) : -len(fence.group(1))]
        assert fence.group(1) not in inner and "\n" not in inner


def test_long_values_truncated_and_secrets_masked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wrapped = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "hunter2"}
    document = {
        "steps": [
            step(
                "update",
                "rg",
                {"tags": {"long": "x" * 500}, "password": wrapped, "nested": {"token": "[secret]"}},
                {"tags": {"long": "y" * 500}, "password": "[secret]", "nested": {"token": "[secret]"}},
                {
                    "tags.long": {"kind": "update"},
                    "password": {"kind": "update"},
                    "nested.token.inner": {"kind": "add"},
                },
            )
        ],
        "changeSummary": {"update": 1},
    }
    _, out, _ = run(capsys, write(tmp_path, document))
    assert "hunter2" not in out
    cells = {row[2].strip(" `"): row[4:] for row in table_rows(out)}
    assert cells["password"] == [" `[secret]` ", " `[secret]` "]
    assert cells["nested.token.inner"] == [" `[secret]` ", " `[secret]` "]
    assert all(len(cell.strip(" `")) <= MAX_VALUE for cell in cells["tags.long"])


def read_step(old_outputs: dict[str, str], new_outputs: dict[str, str]) -> dict[str, object]:
    """A `read` step as Pulumi writes it (TestStackReference), with the inputs `get` was given."""
    urn = "urn:pulumi:prod::slipway::azure-native:network:VirtualNetwork::hub"
    state = {"urn": urn, "type": "azure-native:network:VirtualNetwork", "custom": True, "external": True}
    return {
        "op": "read",
        "urn": urn,
        "oldState": {**state, "inputs": {"name": "hub"}, "outputs": old_outputs},
        "newState": {**state, "inputs": {"name": "hub-vnet"}, "outputs": new_outputs},
        "detailedDiff": None,
    }


def test_a_read_step_is_compared_on_the_outputs_it_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A read whose new state holds outputs (json.go serialises the state the read fills in) is
    compared on outputs only: its inputs are the program's arguments to `get`, not the cloud."""
    changed = {"steps": [read_step({"space": "10.0.0.0/16"}, {"space": "10.1.0.0/16"})], "changeSummary": {"read": 1}}
    code, out, _ = run(capsys, write(tmp_path, changed), "--exit-code")
    assert code == 1 and "more resource(s)" not in out
    assert [cell.strip() for cell in table_rows(out)[0]] == [
        "`hub`", "`azure-native:network:VirtualNetwork`", "`space (outputs)`", "`update`",
        '`"10.0.0.0/16"`', '`"10.1.0.0/16"`',
    ]  # fmt: skip
    # Nothing counted: Pulumi omits the empty `changeSummary` and writes only the `duration`.
    same = {"steps": [read_step({"space": "10.0.0.0/16"}, {"space": "10.0.0.0/16"})], "duration": 10**9}
    code, out, _ = run(capsys, write(tmp_path, same), "--exit-code")
    assert code == 0 and "No drift" in out


def test_summary_only_changes_say_why_the_document_has_no_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """TestRefreshBasicsWithLegacyDiff: a refresh without a detailed diff keeps its pre-event step,
    whose new state is the old one (deploy/step.go, NewRefreshStep: `new = old`), with no diff
    reasons: ShowPreviewDigest swaps in only updates with a detailed diff, and deletes. So no table
    of what changed can be computed from the document, and the report says so and where to look."""
    legacy = json.loads(digest("TestRefreshBasicsWithLegacyDiff/1-0-0-preview"))
    [refresh] = legacy["steps"]
    assert refresh["op"] == "refresh" and refresh["detailedDiff"] is None and "diffReasons" not in refresh
    assert refresh["oldState"] == refresh["newState"]
    _, out, _ = run(capsys, write(tmp_path, legacy), "--exit-code")
    assert "counts 1 more resource(s) with `update`" in out
    assert "holds no values for a refresh without a detailed diff" in out
    assert "`pulumi refresh --preview-only --diff`" in out
    read = tmp_path / "read.json"
    read.write_text(digest("TestStackReference/-0-1"))
    _, out, _ = run(capsys, read, "--exit-code")
    assert "counts 1 more resource(s) with `read`" in out and "state from before the read" in out


def test_a_run_that_counted_nothing_has_a_duration_and_no_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """pkg/display/json.go: `changeSummary` and `duration` are both `omitempty` and both come from the
    summary event, so a refresh that counted nothing (an empty stack) prints only its duration."""
    code, out, _ = run(capsys, write(tmp_path, {"duration": 10**9}), "--exit-code")
    assert code == 0 and "No drift" in out
