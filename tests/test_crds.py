"""The JSON copies the program loads are the vendored upstream CRD YAML, parsed, and nothing else."""

from __future__ import annotations

import json

from components.platform import crds
from components.platform.argocd import crd_documents


def test_each_json_copy_equals_its_verbatim_yaml() -> None:
    yaml_files = crds.yaml_files()
    assert yaml_files
    for yaml_file in yaml_files:
        assert json.loads(crds.json_copy(yaml_file).read_text()) == crds.parse_yaml(yaml_file), yaml_file


def test_no_json_copy_without_its_yaml() -> None:
    copies = sorted(crds.DIRECTORY.rglob("*.json"))
    assert copies == [crds.json_copy(yaml_file) for yaml_file in crds.yaml_files()]


def test_the_program_declares_the_crds_of_the_pinned_argocd() -> None:
    names = {document["metadata"]["name"] for document in crd_documents()}
    assert names == {"applications.argoproj.io", "applicationsets.argoproj.io", "appprojects.argoproj.io"}
