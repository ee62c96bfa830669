"""Turns the JSON of `pulumi refresh --preview-only --json` into a drift report in Markdown.

A step whose `op` is not `same` is drift: the cloud differs from Pulumi's state. Each row
names the resource, its type, the property, the value in state and the value in the cloud,
from the step's `detailedDiff` (property path -> kind). A resource gone from the cloud, or
one the refresh would replace, gets one row saying so. Secret values, which Pulumi prints as
`"[secret]"` or hands over still wrapped, are always shown as `[secret]`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

SECRET = "[secret]"
SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"
_PATH_PART = re.compile(r"\[(\d+)\]|\[\"([^\"]+)\"\]|([^.\[\]]+)")


@dataclass(frozen=True)
class DriftRow:
    resource: str
    type: str
    property: str
    change: str
    in_state: str
    in_cloud: str


def _shown(value: Any) -> str:
    if value == SECRET or (isinstance(value, Mapping) and SECRET_SIGNATURE in value):
        return SECRET
    if value is _MISSING:
        return "(absent)"
    text = json.dumps(_masked(value), sort_keys=True)
    text = text if len(text) <= 80 else text[:77] + "..."
    return text.replace("|", "\\|")


def _masked(value: Any) -> Any:
    if isinstance(value, Mapping):
        if SECRET_SIGNATURE in value:
            return SECRET
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


_MISSING = object()


def value_at(state: Mapping[str, Any] | None, path: str) -> Any:
    """The value at a detailedDiff property path (`tags.env`, `pools[0].count`), or a marker."""
    if not state:
        return _MISSING
    value: Any = state.get("outputs") or state.get("inputs") or {}
    for index, quoted, name in _PATH_PART.findall(path):
        if value == SECRET or (isinstance(value, Mapping) and SECRET_SIGNATURE in value):
            return SECRET  # everything under a secret is secret
        key: Any = int(index) if index else (quoted or name)
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return value


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def drift_rows(document: Mapping[str, Any]) -> Iterator[DriftRow]:
    for step in document.get("steps", []):
        op = step.get("op", "same")
        if op == "same":
            continue
        old, new = step.get("oldState"), step.get("newState")
        type_ = (old or new or {}).get("type", "")
        resource = _name(step["urn"])
        if new is None or op == "delete":
            yield DriftRow(resource, type_, "(resource)", "deleted", "exists", "gone from the cloud")
            continue
        if op == "replace":
            reasons = ", ".join(step.get("replaceReasons", [])) or "(resource)"
            yield DriftRow(resource, type_, reasons, "replace", "", "would be replaced")
        for path, diff in sorted(step.get("detailedDiff", {}).items()):
            yield DriftRow(
                resource,
                type_,
                path,
                diff.get("kind", "update"),
                _shown(value_at(old, path)),
                _shown(value_at(new, path)),
            )


def markdown(document: Mapping[str, Any], stack: str) -> str:
    rows = list(drift_rows(document))
    if not rows:
        return f"No drift in stack `{stack}`: the cloud matches Pulumi's state.\n"
    lines = [
        f"## Drift in stack `{stack}`",
        "",
        f"{len({r.resource for r in rows})} resource(s) differ from Pulumi's state.",
        "",
        "| resource | type | property | change | in state | in the cloud |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| `{r.resource}` | `{r.type}` | `{r.property}` | {r.change} | {r.in_state} | {r.in_cloud} |" for r in rows
    ]
    return "\n".join(lines) + "\n"
