"""Check 5: each analysis condition judged by `offline.analysis` and by Argo Rollouts' evaluator.

The conditions are every `successCondition` / `failureCondition` of the analysis templates in each
stack's manifests, plus the cases `tests/test_analysis.py` ports from Argo Rollouts. Each is run
on result fixtures as the Prometheus provider hands them over: an empty vector, NaN, ±Inf,
passing and failing values, a vector of several series, a scalar, and a bool (a type error for
every numeric condition). Go's side is the `analysischeck` binary (conformance/analysis: Argo
Rollouts v1.9.0's `EvaluateResult`). Agreement is the same phase, or Slipway's explicit
`UnsupportedError` ("not modelled").
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from conformance.manifests import written
from conformance.report import arguments, emit, missing_binary, run_lines, stack_dirs
from offline.analysis import UnsupportedError, Value, evaluate_result

NAN, INF = math.nan, math.inf
FIXTURES: list[tuple[str, Value]] = [
    ("vector", []),
    ("vector", [NAN]),
    ("vector", [INF]),
    ("vector", [-INF]),
    ("vector", [0.0]),
    ("vector", [0.03]),
    ("vector", [0.5]),
    ("vector", [0.97]),
    ("vector", [1.0]),
    ("vector", [1.7]),
    ("vector", [5.0]),
    ("vector", [0.99, 0.01]),
    ("vector", [NAN, 0.5]),
    ("scalar", 0.97),
    ("scalar", NAN),
    ("scalar", 0.01),
    ("bool", True),
    ("bool", False),
]
# tests/test_analysis.py's conditions ported from argoproj/argo-rollouts v1.9.0 evaluate_test.go and
# docs/features/analysis.md, and a few the evaluator refuses or Slipway does not model.
EXTRA_CONDITIONS = [
    ("true", "false"), ("true", "true"), ("false", "false"), ("", "false"), ("false", ""), ("", ""),
    ("a == true", "true"), ("true", "a == true"), ("result == true", ""), ("1", ""), ("invalidVariable", ""),
    ("isNaN(result) || result >= 0.95", ""), ("result >= 0.95", "result < 0.95"), ("", "isInf(result)"),
    ("len(result) == 0 || result[0] >= 0.95", ""), ("len(result) > 0 && result[0] >= 0.95", ""),
    ("result[1] > 0", ""), ("!(result[0] > 0.5)", ""), ("result > 1", ""), ("2 in result", ""),
]  # fmt: skip


def conditions(manifests: Path) -> list[tuple[str, str, str]]:
    """(where, successCondition, failureCondition) of every metric in every stack's templates."""
    found = []
    for stack_dir in stack_dirs(manifests):
        for item in written(stack_dir):
            if item.document.get("kind") in ("AnalysisTemplate", "ClusterAnalysisTemplate"):
                for metric in item.document["spec"]["metrics"]:
                    where = f"{item.source} {metric['name']}"
                    found.append((where, metric.get("successCondition", ""), metric.get("failureCondition", "")))
    return found + [(f"ported {s!r} / {f!r}", s, f) for s, f in EXTRA_CONDITIONS]


def go_case(kind: str, result: Value, success: str, failure: str) -> dict[str, Any]:
    values = result if isinstance(result, list) else [result]
    text = [str(v).lower() if isinstance(v, bool) else repr(float(v)).replace("inf", "Inf") for v in values]
    return {"kind": kind, "values": [t.replace("nan", "NaN") for t in text], "success": success, "failure": failure}


def slipway_phase(result: Value, success: str, failure: str) -> str:
    try:
        return str(evaluate_result(result, success, failure))
    except UnsupportedError:
        return "not modelled"


def main(argv: Sequence[str] | None = None) -> int:
    args = arguments(__doc__ or "").parse_args(argv)
    if (why := missing_binary("analysischeck")) is not None:
        print(why, file=sys.stderr)
        return 2
    cases = [(where, kind, result, s, f) for where, s, f in conditions(args.manifests) for kind, result in FIXTURES]
    upstream = run_lines("analysischeck", (go_case(kind, result, s, f) for _, kind, result, s, f in cases))
    disagreements, verdicts = [], []
    for (where, kind, result, success, failure), theirs in zip(cases, upstream, strict=True):
        ours = slipway_phase(result, success, failure)
        case = {"condition": where, "result": f"{kind} {result!r}"}
        verdicts.append({**case, "slipway": ours, "upstream": theirs["phase"]})
        if ours not in ("not modelled", theirs["phase"]):
            disagreements.append({"case": case, "slipway": ours, "upstream": theirs})
    emit("analysis", len(cases), disagreements, verdicts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
