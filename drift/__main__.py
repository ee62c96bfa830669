"""`python -m drift report FILE --stack NAME [--exit-code]`: the drift report of a preview-only refresh.

Prints the report as Markdown. With `--exit-code` the exit code is the verdict: 0 no drift,
1 drift. Whatever the flags, a refresh that failed or a document the report cannot read exits
2 with the error, on stdout (the Markdown) and on stderr: never a verdict of "no drift".
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from drift.report import ReportError, Verdict, analyse, failed, markdown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m drift", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("report", help="print the drift report as Markdown")
    command.add_argument("file", type=Path, help="the output of `pulumi refresh --preview-only --json`")
    command.add_argument("--stack", required=True)
    command.add_argument("--exit-code", action="store_true", help="exit 1 when there is drift")
    args = parser.parse_args(argv)
    try:
        report = analyse(json.loads(args.file.read_text()))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        report = failed(f"{args.file} is not the JSON of a preview-only refresh: {err}")
    except ReportError as err:
        report = failed(str(err))
    print(markdown(report, args.stack), end="")
    if report.verdict is Verdict.FAILED:
        print(f"error: {report.error}", file=sys.stderr)
        return int(Verdict.FAILED)
    return int(report.verdict) if args.exit_code else 0


if __name__ == "__main__":
    sys.exit(main())
