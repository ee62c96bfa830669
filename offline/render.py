"""Shows a recording the ways `pulumi preview` would: a tree, its JSON, and manifests.

Every view masks secrets as "[secret]"; none reveals a secret input or output.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from offline.applications import applications
from offline.engine import SECRET, STACK_TYPE, RecordedResource, Recording, mask

HELM_TYPES = ("kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart")


def _urn_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1] if urn else ""


# The tree is for people: a longer value (a CRD schema, a big values document) is elided there;
# `--json` and `--manifests` carry it whole.
TREE_VALUE_LIMIT = 2000


def _format_value(value: Any, limit: int | None = None) -> str:
    text = json.dumps(value, sort_keys=True)
    if limit is not None and len(text) > limit:
        return f"{text[: limit // 2]} ... ({len(text)} characters; see --json or --manifests)"
    return text


def tree(
    recording: Recording,
    *,
    details: bool = True,
    generated: Sequence[Mapping[str, Any]] | None = None,
    idle: Sequence[str] = (),
) -> str:
    """The resources as a tree of components, each a create, with a change summary.

    `generated` is `applications(recording)`, when the caller has it already; `idle` names the
    ApplicationSets that generate nothing (an add-on switched off: ArgoCD removes it everywhere).
    """
    lines = [f"Previewing update ({recording.project}/{recording.stack}), offline: recording engine, no cloud", ""]
    lines.append(f"     {'Type':<60} Name")
    by_parent: dict[str, list[RecordedResource]] = {}
    for resource in recording.resources:
        by_parent.setdefault(resource.parent, []).append(resource)

    def walk(resource: RecordedResource, prefix: str, last: bool, depth: int) -> None:
        branch = "" if depth == 0 else prefix + ("└─ " if last else "├─ ")
        protect = " [protected]" if resource.protect else ""
        lines.append(f" +   {branch + resource.type:<60} {resource.name}{protect}")
        child_prefix = "" if depth == 0 else prefix + ("   " if last else "│  ")
        if details and resource.custom:
            pad = " " * 5 + child_prefix + "    "
            for key, value in sorted(resource.masked().items()):
                lines.append(f"{pad}{key}: {_format_value(value, TREE_VALUE_LIMIT)}")
        children = by_parent.get(resource.urn, [])
        for index, child in enumerate(children):
            walk(child, child_prefix, index == len(children) - 1, depth + 1)

    for root in by_parent.get("", []):
        walk(root, "", True, 0)
    if recording.outputs:
        lines += ["", "Outputs:"]
        for name, output in sorted(recording.outputs.items()):
            shown = SECRET if output.secret else _format_value(mask(output.value))
            lines.append(f"    {name}: {shown}")
    if generated is None:
        generated = applications(recording)
    if generated:
        lines += ["", f"Applications ArgoCD would generate ({len(generated)}):"]
        for app in sorted(generated, key=lambda a: str(a["metadata"]["name"])):
            spec = app["spec"]
            sync = "auto" if "automated" in spec.get("syncPolicy", {}) else "manual"
            target = f"{spec['destination']['server']} {spec['destination']['namespace']}"
            lines.append(f"    {app['metadata']['name']:<48} {spec['project']:<16} {sync:<6} {target}")
    if idle:
        lines += ["", "ApplicationSets generating no Application (ArgoCD deletes what they installed, if any):"]
        lines += [f"    {name}" for name in sorted(idle)]
    lines += ["", "Resources:", f"    + {len(recording.resources)} to create"]
    return "\n".join(lines) + "\n"


def _state(resource: RecordedResource) -> dict[str, Any]:
    return {
        "urn": resource.urn,
        "custom": resource.custom,
        "type": resource.type,
        "inputs": resource.masked(),
        "parent": resource.parent,
        "protect": resource.protect,
        "dependencies": resource.dependencies,
        "provider": resource.provider,
    }


def preview_json(recording: Recording, config: dict[str, str], secret_keys: list[str]) -> dict[str, Any]:
    """The document `pulumi preview --json` prints, for a first `pulumi up` of the stack."""
    steps = [{"op": "create", "urn": r.urn, "provider": r.provider, "newState": _state(r)} for r in recording.resources]
    return {
        "config": {key: SECRET if key in secret_keys else value for key, value in sorted(config.items())},
        "steps": steps,
        "diagnostics": [],
        "duration": 0,
        "changeSummary": dict(Counter(step["op"] for step in steps)),
    }


def _file_name(*parts: str) -> str:
    return "_".join(re.sub(r"[^A-Za-z0-9.-]+", "-", part).strip("-") for part in parts if part) + ".yaml"


def kubernetes_documents(recording: Recording, generated: Sequence[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """Every Kubernetes object, every Helm values document and every generated Application, by path."""
    documents: dict[str, Any] = {}
    for resource in recording.resources:
        if not resource.type.startswith("kubernetes:") or resource.type == STACK_TYPE:
            continue
        inputs = resource.masked()
        if resource.type in HELM_TYPES:
            documents[f"helm/{_file_name(resource.name)}"] = inputs.get("values", {})
        elif "kind" in inputs:
            namespace = (inputs.get("metadata") or {}).get("namespace", "")
            documents[f"objects/{_file_name(inputs['kind'], namespace, resource.name)}"] = inputs
    for application in applications(recording) if generated is None else generated:
        name = application["metadata"]["name"]
        documents[f"applications/{_file_name(name)}"] = application
        for item in installed_objects(application):
            documents[f"applications/{name}/{_file_name(item['kind'], item['metadata']['name'])}"] = item
    return documents


def installed_objects(application: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The objects an Application installs through the objects chart (rules, dashboards, templates, ...).

    As ArgoCD renders them: after the ApplicationSet's templating, so a PrometheusRule's `spec` is a
    Prometheus rule file as Prometheus reads it.
    """
    spec = application.get("spec", {})
    sources = spec.get("sources") or [spec.get("source") or {}]
    return [
        item for source in sources for item in ((source.get("helm") or {}).get("valuesObject") or {}).get("objects", [])
    ]


def write_manifests(
    recording: Recording, directory: Path, generated: Sequence[Mapping[str, Any]] | None = None
) -> list[Path]:
    written = []
    for relative, document in kubernetes_documents(recording, generated).items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        # libyaml's emitter: a third of the pure-Python one's time. It folds long quoted strings
        # at other points than the Python emitter; the documents read back the same.
        path.write_text(yaml.dump(document, Dumper=yaml.CSafeDumper, sort_keys=False))
        written.append(path)
    return written
