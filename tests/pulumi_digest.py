"""A port of Pulumi's JSON preview digest, to turn Pulumi's recorded engine events into samples.

`pulumi refresh --preview-only --json` prints the digest that `ShowPreviewDigest` builds from the
engine's events (pulumi/pulumi, pkg/backend/display/json.go, tag v3.259.0). Pulumi's lifecycle
tests record those events as `eventstream.json` files (one `apitype.EngineEvent` per line); this
module replays them through the same rules, so the drift report is tested on what the CLI would
print for each of Pulumi's own refresh test cases:

- a step is added for every resource pre-event (op `refresh` for a refresh), with `detailedDiff`
  written as `null` when the step has none;
- a resource outputs event replaces that step only when the pre-event was a refresh and the result
  is an `update` with a detailed diff, or a `delete`;
- diagnostics keep everything but ephemeral and debug messages, colour tags stripped, stdout
  events become `info` diagnostics; the summary event gives `changeSummary` and `maybeCorrupt`;
- state is serialised with secrets shown as `"[secret]"`.

Not modelled (an event stream that needs them raises `NotModelledError`): replacement steps
(hidden from JSON unless `--show-replacement-steps`), `same` pre-events (shown only with
`--show-sames`), policy events are skipped as Pulumi skips them. States carry the fields the
event stream has (`type`, `urn`, `custom`, `delete`, `id`, `parent`, `protect`, `external`,
`inputs`, `outputs`, `provider`, `initErrors`), not every field of `apitype.ResourceV3`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"
_COLOR_TAG = re.compile(r"<\{%.*?%\}>")
_REPLACEMENT_OPS = {"create-replacement", "delete-replaced", "discard-replaced", "import-replacement"}
_STATE_FIELDS = ("urn", "custom", "delete", "id", "type", "inputs", "outputs", "parent", "protect", "external")
_STATE_OPTIONAL = ("provider", "initErrors")
_SKIPPED = {
    "cancelEvent",
    "progressEvent",
    "errorEvent",
    "startDebuggingEvent",
    "policyEvent",
    "policyRemediationEvent",
    "policyLoadEvent",
    "policyAnalyzeSummaryEvent",
    "policyRemediateSummaryEvent",
    "policyAnalyzeStackSummaryEvent",
    "resOpFailedEvent",
}


class NotModelledError(ValueError):
    """The event stream uses something this port does not reproduce."""


def _massaged(value: Any) -> Any:
    if isinstance(value, Mapping):
        if SECRET_SIGNATURE in value:
            return "[secret]"
        return {key: _massaged(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_massaged(item) for item in value]
    return value


def _state(state: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in _STATE_FIELDS:
        value = state.get(field)
        if field in ("inputs", "outputs"):
            out[field] = _massaged(value or {})
        elif value not in (None, "", False):
            out[field] = value
    for field in _STATE_OPTIONAL:
        if state.get(field):
            out[field] = state[field]
    return out


def _step(metadata: Mapping[str, Any]) -> dict[str, Any]:
    op = metadata["op"]
    if op in _REPLACEMENT_OPS or op == "same":
        raise NotModelledError(f"a {op!r} pre-event is shown only with display flags the drift check does not use")
    step: dict[str, Any] = {"op": op, "urn": metadata["urn"]}
    if metadata.get("provider"):
        step["provider"] = metadata["provider"]
    if metadata.get("old") is not None:
        step["oldState"] = _state(metadata["old"])
    if metadata.get("new") is not None:
        step["newState"] = _state(metadata["new"])
    if metadata.get("diffs"):
        step["diffReasons"] = metadata["diffs"]
    if metadata.get("keys"):
        step["replaceReasons"] = metadata["keys"]
    detailed = metadata.get("detailedDiff")
    step["detailedDiff"] = (
        None
        if detailed is None
        else {path: {"kind": d["diffKind"], "inputDiff": bool(d.get("inputDiff"))} for path, d in detailed.items()}
    )
    return step


def preview_digest(eventstream: str) -> dict[str, Any]:
    """The JSON document `pulumi ... --preview-only --json` prints for these engine events."""
    steps: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    digest: dict[str, Any] = {}
    diagnostics: list[dict[str, Any]] = []
    for line in eventstream.splitlines():
        if not line.strip():
            continue
        event = json.loads(line)
        kind = next(key for key in event if key.endswith("Event"))
        payload = event[kind]
        if kind in _SKIPPED:
            if kind == "cancelEvent":
                break
            continue
        if kind == "preludeEvent":
            if payload.get("config"):
                digest["config"] = payload["config"]
        elif kind == "diagnosticEvent":
            if not payload.get("ephemeral") and payload["severity"] != "debug":
                diagnostic = {
                    "urn": payload.get("urn", ""),
                    "message": _COLOR_TAG.sub("", payload.get("prefix", "") + payload["message"]),
                    "severity": payload["severity"],
                }
                diagnostics.append({key: value for key, value in diagnostic.items() if value})
        elif kind == "stdoutEvent":
            diagnostics.append({"message": _COLOR_TAG.sub("", payload["message"]), "severity": "info"})
        elif kind == "resourcePreEvent":
            metadata = payload["metadata"]
            seen[metadata["urn"]] = metadata["op"]
            steps.append(_step(metadata))
        elif kind == "resOutputsEvent":
            metadata = payload["metadata"]
            refreshed = seen.get(metadata["urn"]) == "refresh"
            op = metadata["op"]
            if refreshed and ((op == "update" and metadata.get("detailedDiff") is not None) or op == "delete"):
                replacement = _step(metadata)
                steps[:] = [replacement if s["urn"] == metadata["urn"] else s for s in steps]
        elif kind == "summaryEvent":
            digest["duration"] = payload["durationSeconds"] * 1_000_000_000
            if payload.get("resourceChanges"):
                digest["changeSummary"] = payload["resourceChanges"]
            if payload.get("maybeCorrupt"):
                digest["maybeCorrupt"] = True
        else:
            raise NotModelledError(f"event {kind!r}")
    if steps:
        digest["steps"] = steps
    if diagnostics:
        digest["diagnostics"] = diagnostics
    order = ("config", "steps", "diagnostics", "duration", "changeSummary", "maybeCorrupt")
    return {key: digest[key] for key in order if key in digest}
