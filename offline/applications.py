"""The Applications ArgoCD would generate from our ApplicationSets, expanded in Python.

Supports what Slipway's ApplicationSets use, the way ArgoCD does it: the clusters
generator (cluster Secrets matched on `selector.matchLabels`), the list generator, the
matrix generator (the product of two, parameters merged), Go templates with `{{.a.b}}`
references, string literals (`{{"{{"}}`), `{{- if .x }} ... {{- end }}` blocks, and
`templatePatch` (rendered, parsed as YAML, merged over the template). Anything else is an
error rather than a guess.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from offline.engine import Recording

# An action: a string literal (which may itself hold braces) or an expression.
_ACTION = re.compile(r'\{\{-?\s*(?:"((?:[^"\\]|\\.)*)"|(.*?))\s*-?\}\}', re.S)
_IF_BLOCK = re.compile(r"\{\{-?\s*if\s+(\.[\w.]+)\s*-?\}\}(.*?)\{\{-?\s*end\s*-?\}\}", re.S)


class ExpansionError(Exception):
    """An ApplicationSet feature this expansion does not model."""


@dataclass(frozen=True)
class ClusterSecret:
    name: str
    server: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]


def _lookup(params: Mapping[str, Any], path: str) -> Any:
    value: Any = params
    for part in path.strip(".").split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise ExpansionError(f"missing key {path} (goTemplateOptions missingkey=error)")
        value = value[part]
    return value


def render_string(text: str, params: Mapping[str, Any]) -> str:
    text = _IF_BLOCK.sub(lambda m: m.group(2) if _lookup(params, m.group(1)) else "", text)

    def action(match: re.Match[str]) -> str:
        literal, expression = match.group(1), match.group(2)
        if literal is not None:
            return str(json.loads(f'"{literal}"'))
        if expression.startswith("."):
            value = _lookup(params, expression)
            return value if isinstance(value, str) else json.dumps(value)
        raise ExpansionError(f"unsupported template action {{{{{expression}}}}}")

    return _ACTION.sub(action, text)


def render(template: Any, params: Mapping[str, Any]) -> Any:
    if isinstance(template, str):
        return render_string(template, params)
    if isinstance(template, dict):
        return {render_string(key, params): render(value, params) for key, value in template.items()}
    if isinstance(template, list):
        return [render(item, params) for item in template]
    return template


def _merge(base: Any, patch: Any) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = _merge(base.get(key), value) if key in base else value
        return merged
    return patch


def _generate(generator: Mapping[str, Any], clusters: Sequence[ClusterSecret]) -> Iterator[dict[str, Any]]:
    if "clusters" in generator:
        wanted = generator["clusters"].get("selector", {}).get("matchLabels", {})
        for cluster in clusters:
            if all(cluster.labels.get(key) == value for key, value in wanted.items()):
                yield {
                    "name": cluster.name,
                    "server": cluster.server,
                    "metadata": {"labels": dict(cluster.labels), "annotations": dict(cluster.annotations)},
                }
    elif "list" in generator:
        yield from (dict(element) for element in generator["list"]["elements"])
    elif "matrix" in generator:
        first, second = generator["matrix"]["generators"]
        for left, right in itertools.product(_generate(first, clusters), _generate(second, clusters)):
            yield {**left, **right}
    else:
        raise ExpansionError(f"unsupported generator {sorted(generator)}")


def expand(spec: Mapping[str, Any], clusters: Sequence[ClusterSecret]) -> list[dict[str, Any]]:
    """The Applications one ApplicationSet spec generates over these cluster Secrets."""
    if not spec.get("goTemplate"):
        raise ExpansionError("only goTemplate ApplicationSets are expanded")
    applications = []
    for generator in spec["generators"]:
        for params in _generate(generator, clusters):
            application = render(spec["template"], params)
            if "templatePatch" in spec:
                patch = yaml.safe_load(render_string(spec["templatePatch"], params))
                application = _merge(application, patch or {})
            applications.append({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", **application})
    return applications


def cluster_secrets(recording: Recording) -> list[ClusterSecret]:
    """The ArgoCD cluster Secrets the program declares, as ArgoCD would read them."""
    found = []
    for resource in recording.of_type("kubernetes:core/v1:Secret"):
        inputs = resource.plain()
        metadata = inputs.get("metadata", {})
        if metadata.get("labels", {}).get("argocd.argoproj.io/secret-type") == "cluster":
            data = inputs["stringData"]
            found.append(
                ClusterSecret(data["name"], data["server"], metadata["labels"], metadata.get("annotations", {}))
            )
    return found


def applications(recording: Recording) -> list[dict[str, Any]]:
    """Every Application that every recorded ApplicationSet would generate."""
    clusters = cluster_secrets(recording)
    generated = []
    for resource in recording.of_type("kubernetes:argoproj.io/v1alpha1:ApplicationSet"):
        generated += expand(resource.plain()["spec"], clusters)
    return generated
