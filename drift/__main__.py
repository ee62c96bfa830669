"""`python -m drift report FILE --stack NAME`: the drift table of a preview-only refresh."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from drift.report import drift_rows, markdown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m drift", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="print the drift table as Markdown")
    report.add_argument("file", type=Path, help="the output of `pulumi refresh --preview-only --json`")
    report.add_argument("--stack", required=True)
    report.add_argument("--exit-code", action="store_true", help="exit 1 when there is drift")
    args = parser.parse_args(argv)
    try:
        document = json.loads(args.file.read_text())
    except (OSError, json.JSONDecodeError) as err:
        print(f"error: {args.file} is not the JSON of a preview-only refresh: {err}", file=sys.stderr)
        return 2
    print(markdown(document, args.stack), end="")
    return 1 if args.exit_code and any(True for _ in drift_rows(document)) else 0


if __name__ == "__main__":
    sys.exit(main())
