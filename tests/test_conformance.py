"""Conformance checks 1-7 run end to end, where the Go binaries are built (conformance/run builds them).

Without Go (or before `conformance/run` has built conformance/bin) each test skips and says why;
the cases the checks found are kept as plain Python regressions elsewhere (test_gotemplate_go.py,
test_stackfile.py, test_gojson.py, test_schema_check.py, test_rego.py,
test_conformance_applicationsets.py, test_conformance_projects.py), which run everywhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.report import missing_binary

PROJECT_DIR = Path(__file__).resolve().parent.parent
CHECKS = PROJECT_DIR / "conformance" / "checks"
# check -> (the binaries it runs, the least number of cases it must judge over the three stacks)
EXPECTED = {
    "applicationsets": (("appsetcheck",), 1000),
    "crd": (("crdcheck", "gatorcheck"), 500),
    "projects": (("projectcheck",), 1000),
    "gator": (("gatorcheck",), 1000),
    "analysis": (("analysischeck",), 500),
    "stackfile": (("stackcheck",), 60),
    "gotemplate": (("templatecheck",), 5000),
}


@pytest.fixture(scope="module")
def manifests(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("manifests")
    for stack in ("dev", "prod", "local"):
        command = [sys.executable, "-m", "offline", "preview", "--stack", stack, "--compact"]
        subprocess.run([*command, "--manifests", str(work / stack)], cwd=PROJECT_DIR, check=True, capture_output=True)
    return work


def run_check(name: str, manifests: Path, *extra: str) -> dict[str, Any]:
    environment = os.environ | {"PYTHON": sys.executable}
    done = subprocess.run(
        [str(CHECKS / name), "--manifests", str(manifests), *extra],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
        timeout=600,
    )
    report: dict[str, Any] = json.loads(done.stdout)
    return report


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_check_finds_no_disagreement(name: str, manifests: Path) -> None:
    binaries, least = EXPECTED[name]
    for why in filter(None, map(missing_binary, binaries)):
        pytest.skip(why)
    extra = ("--seed", "20261204") if name == "gotemplate" else ()
    report = run_check(name, manifests, *extra)
    assert report["check"] == name
    assert report["cases"] >= least
    assert report["disagreements"] == []
