"""conformance/e2e/hub_objects.py: what the e2e run applies to its real API server.

The run itself (conformance/e2e/run) needs the built control plane and is run by .ci/run, not here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from conformance.e2e import hub_objects
from offline.engine import Recording


def _documents(directory: Path) -> list[dict[str, object]]:
    return [yaml.safe_load(path.read_text()) for path in sorted(directory.glob("*.yaml"))]


def test_dev_hub_objects_are_the_hubs_with_secrets_revealed(
    recorded: Callable[[str], Recording], tmp_path: Path
) -> None:
    hub_objects.write(recorded("dev"), tmp_path)
    objects = _documents(tmp_path / "objects")
    names = {(o["kind"], o["metadata"]["name"]) for o in objects}  # type: ignore[index]
    assert ("Namespace", "argocd") in names
    assert ("Secret", "cluster-hub") in names
    assert ("ApplicationSet", "services-dev") in names
    # The GPU cluster's sealing key (same name, its own namespace) goes to the GPU cluster, not the hub.
    secrets = sorted((o["metadata"]["namespace"], o["metadata"]["name"]) for o in objects if o["kind"] == "Secret")  # type: ignore[index]
    assert secrets == [
        ("argocd", "cluster-gpu"),
        ("argocd", "cluster-hub"),
        ("opentelemetry", "traces-azuremonitor"),
        ("sealed-secrets", "slipway-sealing-key"),
    ]
    hub_secret = next(o for o in objects if o["metadata"]["name"] == "cluster-hub")  # type: ignore[index]
    assert hub_secret["stringData"]["server"] == "https://kubernetes.default.svc"  # type: ignore[index]
    assert all("[secret]" not in path.read_text() for path in (tmp_path / "objects").glob("*.yaml"))


def test_hub_addon_objects_and_applications(recorded: Callable[[str], Recording], tmp_path: Path) -> None:
    hub_objects.write(recorded("dev"), tmp_path)
    kinds = {document["kind"] for document in _documents(tmp_path / "addons")}
    assert {"ConstraintTemplate", "ClusterAnalysisTemplate", "K8sRequiredLabels"} <= kinds
    applications = (tmp_path / "applications.yaml").read_text().split()
    assert "web-frontend-dev-hub" in applications
    assert "inference-dev-gpu" in applications
    values = yaml.safe_load((tmp_path / "argocd.yaml").read_text())
    assert "policy.csv" in values["configs"]["rbac"]


def test_a_recording_without_argocd_is_refused() -> None:
    with pytest.raises(SystemExit, match="expected one ArgoCD Helm release, found 0"):
        hub_objects.hub_provider(Recording(project="slipway", stack="dev"))
