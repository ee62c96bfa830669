"""`offline preview --previous FILE`: what `pulumi up` would change in a stack an earlier preview describes.

FILE is the `--json` document of an earlier `offline preview` (or of a `pulumi preview --json`, whose
`steps[].newState.inputs` hold the inputs it would send). Each resource is compared as Pulumi compares
inputs: the old value is put back at every `ignore_changes` path first (Pulumi's ignoreChanges), then
any difference is an `update`, or a `replace` where azure-native forces one: a property in its
`forceNewMap` (offline/reference/pulumi-docs/azure-native-forcenew.txt) or the resource's ARM name or
address (a different resource in Azure). What is not modelled is said: the replacement rules of other
types (printed as a note, the step shown as an update), x-ms-mutability, and property paths beyond
`a`, `a.b` and `a[*].b` (an `Unsupported` error).
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from offline.arm import TYPES
from offline.engine import Recording
from offline.unsupported import Unsupported

REFERENCE = Path(__file__).resolve().parent / "reference"
FORCE_NEW_FILE = REFERENCE / "pulumi-docs" / "azure-native-forcenew.txt"
_MODULE = "azure-native:containerservice:"
_POOL = _MODULE + "AgentPool"
_CLUSTER = _MODULE + "ManagedCluster"
# Pool properties AKS fixes when it creates a pool, each with the AKS documentation excerpt that says so
# (offline/reference/azure-docs/SOURCE.md). An update that changes one is refused by AKS.
FIXED_AT_CREATION: dict[str, tuple[str, str]] = {
    "vmSize": ("aks-create-node-pools.txt", "You can't change the virtual machine (VM) size of a node pool"),
    "maxPods": ("aks-create-node-pools.txt", "You can't change the max pods setting of a node pool"),
    "availabilityZones": ("aks-availability-zones.txt", "can't change_ the number of availability zones"),
    "osDiskSizeGB": ("aks-os-disk.txt", "You can't change the OS disk size"),
}


def force_new() -> dict[str, frozenset[str]]:
    """azure-native type -> the property names whose change replaces it, read from the vendored forceNewMap."""
    sets: dict[str, frozenset[str]] = {}
    for name, body in re.findall(r'"(\w+)": codegen\.NewStringSet\((.*?)\)', FORCE_NEW_FILE.read_text(), re.S):
        lines = [line.split("//", 1)[0] for line in body.splitlines()]
        sets[_MODULE + name] = frozenset(re.findall(r'"(\w+)"', "\n".join(lines)))
    return sets


def _keys(path: str) -> list[str]:
    if not re.fullmatch(r"[A-Za-z]+(\[\*\])?(\.[A-Za-z]+)*", path):
        raise Unsupported(f"ignore_changes path {path!r}: only `a`, `a.b` and `a[*].b` are modelled")
    return [key for part in path.split(".") for key in part.replace("[*]", ".*").split(".")]


def _restore(old: Any, new: Any, keys: list[str]) -> Any:
    if not keys:
        return copy.deepcopy(old)
    key, rest = keys[0], keys[1:]
    if key == "*":
        if not isinstance(old, list) or not isinstance(new, list):
            return new
        return [_restore(o, n, rest) for o, n in zip(old, new, strict=False)] + new[len(old) :]
    if not isinstance(old, dict) or not isinstance(new, dict) or key not in old:
        return new
    return {**new, key: _restore(old[key], new.get(key), rest)}


def after_ignore_changes(old: Mapping[str, Any], new: Mapping[str, Any], paths: list[str]) -> dict[str, Any]:
    """`new` with `old`'s value put back at each path, as Pulumi does before it diffs (old values, where present)."""
    result: dict[str, Any] = dict(new)
    for path in paths:
        result = _restore(dict(old), result, _keys(path))
    return result


def changed_paths(old: Any, new: Any, path: str = "") -> list[str]:
    """The property paths (`a.b[0].c`) where two input values differ."""
    if isinstance(old, dict) and isinstance(new, dict):
        return [
            found
            for key in sorted(set(old) | set(new))
            for found in changed_paths(old.get(key), new.get(key), f"{path}.{key}" if path else key)
        ]
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [
            found
            for index, pair in enumerate(zip(old, new, strict=True))
            for found in changed_paths(*pair, f"{path}[{index}]")
        ]
    return [] if old == new else [path]


@dataclass
class Plan:
    """The steps of an update, what their ops do not model, and the updates Azure would refuse."""

    steps: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return dict(Counter(step["op"] for step in self.steps))


def _op(type_: str, paths: list[str], rules: Mapping[str, frozenset[str]]) -> tuple[str, list[str]]:
    """`update` or `replace`, and the paths that force the replacement."""
    arm = TYPES.get(type_)
    identity = {arm.name, *arm.address} if arm is not None else set()
    fixed = rules.get(type_, frozenset())
    names = [re.split(r"[.\[]", path) for path in paths]
    replaces = [path for path, keys in zip(paths, names, strict=True) if keys[0] in identity or fixed & set(keys)]
    return ("replace" if replaces else "update"), replaces


def _refused(type_: str, op: str, paths: list[str]) -> list[tuple[str, str]]:
    """Each path of an in-place update that changes a property AKS fixes at a pool's creation, with that property."""
    if op != "update" or type_ not in (_POOL, _CLUSTER):
        return []
    prefix = r"agentPoolProfiles\[\d+\]\." if type_ == _CLUSTER else ""
    found = [(path, re.match(rf"{prefix}(\w+)", path)) for path in paths]
    return [(path, match.group(1)) for path, match in found if match and match.group(1) in FIXED_AT_CREATION]


def plan(previous: Mapping[str, Any], recording: Recording) -> Plan:
    """Each resource's step from the stack `previous` describes to the one `recording` declares."""
    before = {
        step["urn"]: step.get("newState") or {} for step in previous.get("steps", []) if step.get("op") != "delete"
    }
    rules = force_new()
    result = Plan()
    for resource in recording.resources:
        old = before.pop(resource.urn, None)
        if old is None:
            result.steps.append({"op": "create", "urn": resource.urn})
            continue
        new = after_ignore_changes(old.get("inputs", {}), resource.masked(), resource.ignore_changes)
        paths = changed_paths(old.get("inputs", {}), new)
        if not paths:
            result.steps.append({"op": "same", "urn": resource.urn})
            continue
        op, replaces = _op(resource.type, paths, rules)
        if resource.custom and resource.type not in rules and resource.type.startswith("azure-native:"):
            result.notes.append(f"{resource.urn}: replacement rules of {resource.type} not modelled, shown as {op}")
        for path, key in _refused(resource.type, op, paths):
            source, rule = FIXED_AT_CREATION[key]
            result.refusals.append(f"{resource.urn}: AKS refuses to change {path} in place ({source}: {rule!r})")
        step = {"op": op, "urn": resource.urn, "diffReasons": paths}
        if replaces:
            step["replaceReasons"] = replaces
        result.steps.append(step)
    result.steps += [{"op": "delete", "urn": urn} for urn in before]
    return result


def text(result: Plan) -> str:
    """One line per step that changes something, then the summary."""
    lines = [
        f"{step['op']:8} {step['urn']}" + (f"  [{', '.join(step['diffReasons'])}]" if "diffReasons" in step else "")
        for step in result.steps
        if step["op"] != "same"
    ]
    summary = ", ".join(f"{count} {op}" for op, count in sorted(result.summary().items()))
    return "\n".join([*lines, f"changes: {summary}", ""])
