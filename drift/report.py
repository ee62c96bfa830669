"""Turns the JSON of `pulumi refresh --preview-only --json` into a verdict and a Markdown report.

The document is Pulumi's preview digest (pulumi/pulumi, pkg/backend/display/json.go): every
resource gets a step whose op is `refresh` when the refresh was planned; the step is rewritten
to `update` (with a `detailedDiff` and the refreshed `newState`) or to `delete` only when the
provider gave a detailed diff or the resource is gone. A resource whose provider reports a
change without a detailed diff keeps its `refresh` step (`detailedDiff: null`) and shows only in
`changeSummary`, which counts what each refresh resolved to (`same`, `update`, `delete`; views
may also be `create`d). So the verdict reads three things:

- steps: `update` rows per `detailedDiff` path with the value in state (`oldState`) and in the
  cloud (`newState`), from `inputs` for input diffs and `outputs` otherwise; `delete` (gone from
  the cloud), `create` (appeared in the cloud); a `refresh` step whose old and new state differ
  gets one row per differing property;
- `changeSummary`, cross-checked: changes it counts that the steps do not show are drift too
  (one line saying how many): a refresh without a detailed diff keeps its pre-event step, whose
  new state is the old one, so the document holds no values for it;
- `read` steps (a program's `Resource.get`, in a refresh that runs the program): the engine
  counts a read in `changeSummary` only when its outputs changed. The step's new state is the one
  the read fills in, serialised before or after the read, so a read is compared on its outputs
  only when the new state holds some, and otherwise shows only through the summary;
- diagnostics: any `error` diagnostic, or `maybeCorrupt`, means the refresh failed.

Secret values (Pulumi prints `"[secret]"`, or hands them over still wrapped) stay `[secret]`.
Anything this does not model (an op a refresh does not produce, a malformed document) raises
`ReportError` rather than giving a verdict.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

SECRET = "[secret]"
SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"
MAX_VALUE = 80
_PATH_PART = re.compile(r"\[(\d+)\]|\[\"((?:[^\"\\]|\\.)*)\"\]|([^.\[\]]+)")
_DRIFT_OPS = ("update", "delete", "create", "read")
_NO_VALUES = {
    "update": "Pulumi's JSON holds no values for a refresh without a detailed diff (legacy diff, an external "
    "resource, or a provider that gives none)",
    "read": "their steps hold the state from before the read",
}
_KNOWN_OPS = frozenset({"same", "refresh", *_DRIFT_OPS})


class ReportError(ValueError):
    """The document is not a preview-only refresh this report can read."""


class Verdict(IntEnum):
    """The report's verdict, which is also the command's exit code."""

    NO_DRIFT = 0
    DRIFT = 1
    FAILED = 2


@dataclass(frozen=True)
class DriftRow:
    resource: str
    type: str
    property: str
    change: str
    in_state: str
    in_cloud: str


class _Missing:
    def __repr__(self) -> str:
        return "(absent)"


_MISSING = _Missing()


def _is_secret(value: Any) -> bool:
    return value == SECRET or (isinstance(value, Mapping) and SECRET_SIGNATURE in value)


def _masked(value: Any) -> Any:
    if _is_secret(value):
        return SECRET
    if isinstance(value, Mapping):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


def shown(value: Any) -> str:
    """A value as the report prints it: JSON, secrets masked, at most MAX_VALUE characters."""
    if value is _MISSING:
        return "(absent)"
    if _is_secret(value):
        return SECRET
    text = json.dumps(_masked(value), sort_keys=True, ensure_ascii=False)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def value_at(properties: Any, path: str) -> Any:
    """The value at a detailedDiff property path (`tags.env`, `pools[0].count`, `a["b.c"]`)."""
    value = properties
    for index, quoted, name in _PATH_PART.findall(path):
        if _is_secret(value):
            return SECRET  # everything under a secret is secret
        key: Any = int(index) if index else (json.loads(f'"{quoted}"') if quoted else name)
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return value


def _object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ReportError(f"{what} is {type(value).__name__}, not a JSON object")
    return value


def _properties(state: Mapping[str, Any] | None, side: str) -> Mapping[str, Any]:
    if state is None:
        return {}
    value = state.get(side)
    return _object(value, f"state {side}") if value is not None else {}


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


@dataclass(frozen=True)
class _Step:
    op: str
    urn: str
    old: Mapping[str, Any] | None
    new: Mapping[str, Any] | None
    detailed: Mapping[str, Any] | None

    @property
    def type(self) -> str:
        state = self.old or self.new or {}
        return str(state.get("type") or self.urn.split("::")[2].rsplit("$", 1)[-1])


def _steps(document: Mapping[str, Any]) -> list[_Step]:
    raw = document.get("steps", [])
    if not isinstance(raw, list):
        raise ReportError("`steps` is not a list")
    steps = []
    for index, item in enumerate(raw):
        step = _object(item, f"step {index}")
        op, urn = step.get("op"), step.get("urn")
        if not isinstance(op, str) or not isinstance(urn, str) or urn.count("::") < 3:
            raise ReportError(f"step {index} has no op or no URN")
        if op not in _KNOWN_OPS:
            raise ReportError(f"step {index} ({urn}) has op {op!r}, which a preview-only refresh does not produce")
        old, new, detailed = step.get("oldState"), step.get("newState"), step.get("detailedDiff")
        steps.append(
            _Step(
                op,
                urn,
                None if old is None else _object(old, f"step {index} oldState"),
                None if new is None else _object(new, f"step {index} newState"),
                None if detailed is None else _object(detailed, f"step {index} detailedDiff"),
            )
        )
    return steps


def _rows(step: _Step) -> Iterator[DriftRow]:
    resource, type_ = _name(step.urn), step.type
    if step.op == "delete":
        yield DriftRow(resource, type_, "(resource)", "delete", "exists", "gone from the cloud")
    elif step.op == "create":
        yield DriftRow(resource, type_, "(resource)", "create", "(absent)", "appeared in the cloud")
    elif step.op == "update" and step.detailed:
        for path, diff in sorted(step.detailed.items()):
            kind = _object(diff, f"detailedDiff[{path!r}]").get("kind", "update")
            side = "inputs" if diff.get("inputDiff") else "outputs"
            old = value_at(_properties(step.old, side), path)
            new = value_at(_properties(step.new, side), path)
            yield DriftRow(resource, type_, path, str(kind), shown(old), shown(new))
    elif step.op == "update":
        yield from _state_rows(step) or [
            DriftRow(resource, type_, "(resource)", "update", "", "changed (no detailed diff from the provider)")
        ]
    elif step.op == "refresh":
        yield from _state_rows(step)
    elif step.op == "read" and step.old is not None and _properties(step.new, "outputs"):
        yield from _state_rows(step, ("outputs",))  # its inputs are the program's, not the cloud's


def _state_rows(step: _Step, sides: tuple[str, ...] = ("outputs", "inputs")) -> list[DriftRow]:
    """One row per top-level property whose value differs between old and new state."""
    rows = []
    for side in sides:
        old, new = _properties(step.old, side), _properties(step.new, side)
        for key in sorted(set(old) | set(new)):
            before, after = old.get(key, _MISSING), new.get(key, _MISSING)
            if before != after:
                kind = "add" if before is _MISSING else "delete" if after is _MISSING else "update"
                rows.append(DriftRow(_name(step.urn), step.type, f"{key} ({side})", kind, shown(before), shown(after)))
        if rows:
            return rows  # outputs are what the cloud has; inputs only when outputs agree
    return rows


def _failure(document: Mapping[str, Any]) -> str | None:
    diagnostics = document.get("diagnostics", [])
    if not isinstance(diagnostics, list):
        raise ReportError("`diagnostics` is not a list")
    errors = [
        str(d.get("message", "")).strip()
        for d in (_object(item, "a diagnostic") for item in diagnostics)
        if d.get("severity") == "error"
    ]
    if errors:
        return "Pulumi reported errors:\n" + "\n".join(f"- {error}" for error in errors)
    if document.get("maybeCorrupt"):
        return "Pulumi reports the refresh may have left resources in an unknown state (maybeCorrupt)."
    return None


@dataclass(frozen=True)
class Report:
    """The verdict on one refresh document, and the rows that explain it."""

    verdict: Verdict
    rows: tuple[DriftRow, ...]
    unexplained: dict[str, int]
    error: str | None = None


def analyse(document: Any) -> Report:
    """The verdict on a preview-only refresh document; `ReportError` if it cannot be read."""
    document = _object(document, "the document")
    failure = _failure(document)
    if failure:
        raise ReportError(failure)
    steps = _steps(document)
    # Pulumi writes `changeSummary` and `duration` from its summary event only, each omitted when
    # empty: a run that counted no change (only unchanged reads) has a duration and no summary.
    summary = document.get("changeSummary")
    if summary is None and not document.get("duration"):
        raise ReportError("no `changeSummary` and no `duration`: the refresh did not run to the end")
    summary = {} if summary is None else _object(summary, "`changeSummary`")
    if not all(isinstance(count, int) for count in summary.values()):
        raise ReportError("`changeSummary` counts are not integers")
    unknown = sorted(set(summary) - _KNOWN_OPS)
    if unknown:
        raise ReportError(f"`changeSummary` counts {', '.join(unknown)}, which a preview-only refresh does not produce")
    rows: dict[DriftRow, None] = {}  # ordered, without the duplicates of one URN's several states
    shown = dict.fromkeys(_DRIFT_OPS, 0)
    for step in steps:
        step_rows = list(_rows(step))
        if step_rows:
            shown["update" if step.op == "refresh" else step.op] += 1
        rows.update(dict.fromkeys(step_rows))
    # The summary counts steps; a step it counts as changed but the steps do not show is drift too.
    unexplained = {op: summary.get(op, 0) - shown[op] for op in _DRIFT_OPS if summary.get(op, 0) > shown[op]}
    drift = bool(rows or unexplained)
    return Report(Verdict.DRIFT if drift else Verdict.NO_DRIFT, tuple(rows), unexplained)


def _cell(text: str) -> str:
    """Markdown for a table cell: a code span that no backtick, pipe or newline can break."""
    text = text.replace("\r", "\\r").replace("\n", "\\n").replace("|", "\\|")
    runs = [len(run) for run in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _plain(text: str) -> str:
    """Markdown for free text (error messages): a fenced block no line can close early."""
    runs = [len(run) for run in re.findall(r"`+", text)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return f"{fence}text\n{text}\n{fence}"


def markdown(report: Report, stack: str) -> str:
    stack_name = _cell(stack)
    if report.verdict is Verdict.FAILED:
        return f"## Drift check of stack {stack_name} failed\n\nNo verdict on drift:\n\n{_plain(report.error or '')}\n"
    if report.verdict is Verdict.NO_DRIFT:
        return f"No drift in stack {stack_name}: the cloud matches Pulumi's state.\n"
    resources = len({r.resource for r in report.rows}) + sum(report.unexplained.values())
    lines = [
        f"## Drift in stack {stack_name}",
        "",
        f"{resources} resource(s) differ from Pulumi's state.",
        "",
    ]
    if report.rows:
        lines += [
            "| resource | type | property | change | in state | in the cloud |",
            "|---|---|---|---|---|---|",
            *(
                "| "
                + " | ".join(_cell(v) for v in (r.resource, r.type, r.property, r.change, r.in_state, r.in_cloud))
                + " |"
                for r in report.rows
            ),
            "",
        ]
    for op, count in sorted(report.unexplained.items()):
        lines.append(
            f"Pulumi's change summary counts {count} more resource(s) with `{op}` that the steps do not show: "
            f"{_NO_VALUES.get(op, 'the steps hold no values for them')}. "
            "`pulumi refresh --preview-only --diff` shows them."
        )
    return "\n".join(lines).rstrip("\n") + "\n"


def failed(error: str) -> Report:
    """The report of a refresh or a document that gave no verdict."""
    return Report(Verdict.FAILED, (), {}, error)
