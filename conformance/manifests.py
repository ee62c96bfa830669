"""The objects Slipway writes, read back from an offline preview's `--manifests` directory.

`objects/` holds what the Pulumi program applies itself, `applications/` the Applications that
ArgoCD's ApplicationSets render; each Application's Helm `valuesObject.objects` is what the
`charts/objects` chart emits as is (analysis templates, constraint templates and constraints).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Written:
    """One object Slipway writes: where it was found and, for a chart's object, ArgoCD's namespace."""

    source: str
    document: dict[str, Any]
    namespace: str | None = None


def _documents(path: Path) -> Iterator[dict[str, Any]]:
    for document in yaml.load_all(path.read_text(), Loader=yaml.CSafeLoader):
        if isinstance(document, dict):
            yield document


def written(stack_dir: Path) -> Iterator[Written]:
    """Every object of one stack's manifests, chart objects after the Application that holds them."""
    for folder in ("objects", "applications"):
        for path in sorted((stack_dir / folder).glob("*.yaml")):
            for document in _documents(path):
                source = f"{stack_dir.name}/{folder}/{path.name}"
                yield Written(source, document)
                spec = document.get("spec", {}) if document.get("kind") == "Application" else {}
                for chart in spec.get("sources", [spec["source"]] if "source" in spec else []):
                    objects = (chart.get("helm", {}).get("valuesObject") or {}).get("objects", [])
                    namespace = spec.get("destination", {}).get("namespace")
                    for index, item in enumerate(objects):
                        yield Written(f"{source}#objects[{index}]", item, namespace)
