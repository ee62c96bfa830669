"""The vendored upstream CRDs: verbatim YAML, the source of truth, and a JSON copy of each.

The program loads the JSON copies: the YAML is 1.8 MB and costs 0.65-0.85 s to parse per
process even with libyaml, the same data as JSON about 10 ms. `python -m components.platform.crds`
writes the copies after the YAML changes; a test checks that each copy equals its YAML.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

DIRECTORY = Path(__file__).parent


def yaml_files(directory: Path = DIRECTORY) -> list[Path]:
    """Every vendored CRD file under `directory`, in a stable order."""
    return sorted(directory.rglob("*.yaml"))


def json_copy(yaml_file: Path) -> Path:
    return yaml_file.with_suffix(".json")


def parse_yaml(yaml_file: Path) -> dict[str, Any]:
    """The verbatim upstream file, parsed (one document per file)."""
    document = yaml.load(yaml_file.read_text(), Loader=yaml.CSafeLoader)
    if not isinstance(document, dict):
        raise ValueError(f"{yaml_file}: expected one CRD document")
    return document


def load(directory: Path = DIRECTORY) -> tuple[dict[str, Any], ...]:
    """The CRDs under `directory`, from their JSON copies, in `yaml_files` order."""
    documents = []
    for yaml_file in yaml_files(directory):
        copy = json_copy(yaml_file)
        if not copy.exists():
            raise FileNotFoundError(f"{copy} is missing: run `python -m components.platform.crds`")
        documents.append(json.loads(copy.read_text()))
    return tuple(documents)


def write_json_copies(directory: Path = DIRECTORY) -> list[Path]:
    """Write (or rewrite) the JSON copy of every YAML file under `directory`."""
    written = []
    for yaml_file in yaml_files(directory):
        copy = json_copy(yaml_file)
        copy.write_text(json.dumps(parse_yaml(yaml_file), indent=1) + "\n")
        written.append(copy)
    return written
