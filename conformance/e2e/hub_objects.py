"""Writes what `pulumi up` would send to the hub cluster, for conformance/e2e to apply for real.

The objects are the provider's inputs with secrets revealed: in the offline engine every secret is
a made-up value (generated keys, fake tokens), so writing them to a throw-away API server leaks
nothing. The hub is the cluster ArgoCD's Helm release goes to.

    python -m conformance.e2e.hub_objects --stack dev DIR

DIR/objects/      every Kubernetes object the recording sends to the hub (namespaces, AppProjects,
                  cluster Secrets, ApplicationSets, sealing keys)
DIR/addons/       the objects the hub's generated add-on Applications carry for charts/objects
                  (Gatekeeper's ConstraintTemplates and constraints, the canary analysis templates)
DIR/argocd.yaml   the values of ArgoCD's Helm release
DIR/applications.yaml  the names of the Applications the offline preview generates, one a line
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from contracts.gitops import IN_CLUSTER
from offline.applications import applications
from offline.engine import RecordedResource, Recording, run_project
from offline.stackfile import load_stack_config

ARGOCD_RELEASE = "kubernetes:helm.sh/v3:Release"
PROJECT_DIR = Path(__file__).resolve().parents[2]


def hub_provider(recording: Recording) -> str:
    """The provider of ArgoCD's Helm release: the hub's."""
    releases = [r for r in recording.resources if r.type == ARGOCD_RELEASE and r.name == "argocd"]
    if len(releases) != 1:
        raise SystemExit(f"error: expected one ArgoCD Helm release, found {len(releases)}")
    return releases[0].provider


def hub_resources(recording: Recording) -> Iterator[RecordedResource]:
    """The hub's Kubernetes objects (not Helm releases), in registration order."""
    provider = hub_provider(recording)
    for resource in recording.resources:
        if resource.provider == provider and resource.type.startswith("kubernetes:") and "kind" in resource.inputs:
            yield resource


def addon_objects(generated: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The `objects` values of the generated Applications bound for the hub, by kind and name."""
    found: dict[str, dict[str, Any]] = {}
    for application in generated:
        spec = application["spec"]
        if spec["destination"].get("server") != IN_CLUSTER:
            continue
        for source in spec.get("sources") or [spec.get("source") or {}]:
            values = (source.get("helm") or {}).get("valuesObject") or {}
            for item in values.get("objects") or []:
                found[f"{item['kind']}_{item['metadata']['name']}"] = item
    return found


def _dump(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def write(recording: Recording, directory: Path) -> None:
    generated = applications(recording)
    for index, resource in enumerate(hub_resources(recording)):
        inputs = resource.plain()
        _dump(directory / "objects" / f"{index:03d}_{inputs['kind']}_{resource.name}.yaml", inputs)
    for name, item in addon_objects(generated).items():
        _dump(directory / "addons" / f"{name}.yaml", item)
    release = next(r for r in recording.resources if r.type == ARGOCD_RELEASE and r.name == "argocd")
    _dump(directory / "argocd.yaml", release.plain().get("values", {}))
    names = sorted(application["metadata"]["name"] for application in generated)
    (directory / "applications.yaml").write_text("".join(f"{name}\n" for name in names))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.e2e.hub_objects", description=__doc__)
    parser.add_argument("--stack", required=True)
    parser.add_argument("directory", type=Path)
    args = parser.parse_args(argv)
    config = load_stack_config(PROJECT_DIR, args.stack)
    recording = run_project(PROJECT_DIR, stack=args.stack, config=config.config, secret_keys=config.secret_keys)
    write(recording, args.directory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
