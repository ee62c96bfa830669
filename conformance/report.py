"""What every check shares: where the Go binaries are, how to call one, the one JSON report it prints."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

CONFORMANCE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = CONFORMANCE_DIR.parent


def binary(name: str) -> Path:
    """The built Go binary `name` in $CONFORMANCE_BIN (default conformance/bin)."""
    return Path(os.environ.get("CONFORMANCE_BIN", CONFORMANCE_DIR / "bin")) / name


def missing_binary(name: str) -> str | None:
    """Why `name` cannot run here (no Go binary built), or None when it can."""
    path = binary(name)
    return None if path.is_file() else f"{path} is not built (conformance/run builds it; it needs Go)"


def run_lines(name: str, cases: Iterable[Any], args: Sequence[str] = (), timeout: float = 600) -> list[Any]:
    """Send each case as a JSON line to the Go binary `name`; one JSON answer a line comes back."""
    text = "".join(json.dumps(case) + "\n" for case in cases)
    command = [str(binary(name)), *args]
    done = subprocess.run(command, input=text, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{name} exited {done.returncode}: {done.stderr.strip()}")
    return [json.loads(line) for line in done.stdout.splitlines()]


def stack_dirs(manifests: Path) -> list[Path]:
    """One manifests directory per stack (WORK/<stack>/), or the single directory given."""
    subdirs = sorted(p for p in manifests.iterdir() if p.is_dir() and (p / "objects").is_dir())
    return subdirs or [manifests]


def arguments(description: str, *, manifests: bool = True) -> argparse.ArgumentParser:
    """The driver's arguments (`--manifests DIR`, `--json`); a check adds its own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--manifests", type=Path, required=manifests, help="WORK/<stack>/ or one manifests dir")
    parser.add_argument("--json", action="store_true", help="accepted for the driver; the report is always JSON")
    return parser


def emit(
    check: str, cases: int, disagreements: list[dict[str, Any]], verdicts: list[Any] | None = None, **extra: Any
) -> None:
    """Print the check's one JSON object on stdout (the driver's contract)."""
    report: dict[str, Any] = {"check": check, "cases": cases, "disagreements": disagreements, **extra}
    if verdicts is not None:
        report["verdicts"] = verdicts
    json.dump(report, sys.stdout, default=str)
    sys.stdout.write("\n")
