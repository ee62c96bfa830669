"""`python -m conformance.summary [--json] RESULT.json...`: the table (or JSON list) of conformance checks.

Each RESULT is the one JSON object a check printed: `check`, `cases`, `disagreements` (and optional
`verdicts`), or `error` when the check could not run. Exit 1 if any check disagreed or failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def load(paths: list[Path]) -> list[dict[str, Any]]:
    """The checks' objects; output that is not one JSON object counts as a failed check."""
    results = []
    for path in paths:
        try:
            result = json.loads(path.read_text())
        except json.JSONDecodeError as err:
            result = {"check": path.stem, "error": f"printed no JSON object: {err}"}
        if not isinstance(result, dict) or "check" not in result:
            result = {"check": path.stem, "error": "printed no object with a 'check' key"}
        results.append(result)
    return results


def table(results: list[dict[str, Any]]) -> str:
    """One row per check, then each disagreement and each error."""
    lines = [f"{'check':<32} {'cases':>7} {'disagreements':>14}"]
    details = []
    for result in results:
        if "error" in result:
            lines.append(f"{result['check']:<32} {'-':>7} {'FAILED':>14}")
            details.append(f"{result['check']}: {result['error']}")
            continue
        disagreements = result.get("disagreements") or []
        lines.append(f"{result['check']:<32} {result.get('cases', 0):>7} {len(disagreements):>14}")
        for item in disagreements:
            details.append(
                f"{result['check']}: {item.get('case')}\n    slipway:  {json.dumps(item.get('slipway'))}\n"
                f"    upstream: {json.dumps(item.get('upstream'))}"
            )
    return "\n".join(lines + (["", *details] if details else [])) + "\n"


def failed(results: list[dict[str, Any]]) -> bool:
    return any("error" in r or r.get("disagreements") for r in results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.summary", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print the checks' objects as one JSON list")
    parser.add_argument("results", nargs="*", type=Path)
    args = parser.parse_args(argv)
    results = load(args.results)
    print(json.dumps(results, indent=2) if args.json else table(results), end="" if not args.json else "\n")
    return 1 if failed(results) else 0


if __name__ == "__main__":
    sys.exit(main())
