"""Canary analysis: Argo Rollouts' judgement of each condition, on normal, empty and NaN results."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from components.platform.canary_analysis import queries, success_conditions
from offline.analysis import ExprError, Phase, UnsupportedError, evaluate_condition, evaluate_result
from settings import AnalysisSettings, SettingsError, load_settings

METRICS = Path(__file__).parent / "schemas" / "metrics"
NAN, INF = math.nan, math.inf

# Ported from argoproj/argo-rollouts v1.9.0, utils/evaluate/evaluate_test.go (the cases within
# the modelled subset): (result, successCondition, failureCondition, phase).
EVALUATE_RESULT_CASES = [
    (True, "true", "false", Phase.SUCCESSFUL),  # TestEvaluateResultWithSuccess
    (True, "true", "true", Phase.FAILED),  # TestEvaluateResultWithFailure
    (True, "false", "false", Phase.INCONCLUSIVE),  # TestEvaluateResultInconclusive
    (True, "", "false", Phase.SUCCESSFUL),  # TestEvaluateResultNoSuccessConditionAndNotFailing
    (True, "false", "", Phase.FAILED),  # TestEvaluateResultNoFailureConditionAndNotSuccessful
    (True, "", "", Phase.SUCCESSFUL),  # TestEvaluateResultNoFailureConditionAndNoSuccessCondition
    (True, "a == true", "true", Phase.ERROR),  # TestEvaluateResultWithErrorOnSuccessCondition
    (True, "true", "a == true", Phase.ERROR),  # TestEvaluateResultWithErrorOnFailureCondition
    # docs/features/analysis.md, "Handling Metric Results" (NaN, Infinity, Empty array)
    (NAN, "isNaN(result) || result >= 0.95", "", Phase.SUCCESSFUL),
    (NAN, "result >= 0.95", "result < 0.95", Phase.INCONCLUSIVE),
    (NAN, "result >= 0.95", "", Phase.FAILED),
    (INF, "result >= 0.95", "", Phase.SUCCESSFUL),
    (INF, "", "isInf(result)", Phase.FAILED),
    ([], "len(result) == 0 || result[0] >= 0.95", "", Phase.SUCCESSFUL),
    ([], "len(result) > 0 && result[0] >= 0.95", "", Phase.FAILED),
]


@pytest.mark.parametrize(("result", "success", "failure", "phase"), EVALUATE_RESULT_CASES)
def test_ported_argo_rollouts_cases(
    result: float | bool | list[float], success: str, failure: str, phase: Phase
) -> None:
    assert evaluate_result(result, success, failure) is phase


def test_ported_condition_cases() -> None:
    assert evaluate_condition(True, "result == true") is True  # TestEvaluateConditionWithSuccess
    assert evaluate_condition(True, "result == false") is False  # TestEvaluateConditionWithFailure
    assert evaluate_condition(5.0, "result > 1") is True  # TestEvaluateFloat64
    with pytest.raises(ExprError, match="expected bool"):  # TestErrorWithNonBoolReturn
        evaluate_condition(True, "1")
    with pytest.raises(ExprError, match="unknown name invalidVariable"):  # TestErrorWithInvalidReference
        evaluate_condition(True, "invalidVariable")
    assert evaluate_condition(INF, "isInf(result)") and not evaluate_condition(0.0, "isInf(result)")  # TestIsInf


def test_what_the_evaluator_does_not_model_is_refused() -> None:
    for condition in ("2 in result", "asInt(result) == 1", "default(result, 0) < 0.05", "result + 1 > 2"):
        with pytest.raises(UnsupportedError):
            evaluate_condition([2.0], condition)
    with pytest.raises(ExprError, match="index out of range"):
        evaluate_condition([], "result[0] >= 0.95")


# What Prometheus returns to each template, as Argo Rollouts' `result` (a vector's sample values):
# a healthy canary, no series at all (no traffic ever), and 0/0 (traffic stopped).
HEALTHY = {
    "success-rate": [1.0],
    "error-rate": [0.0],
    "latency-p95": [0.12],
    "cpu-usage": [0.4],
    "memory-usage": [0.7],
}
UNHEALTHY = {
    "success-rate": [0.5],
    "error-rate": [0.5],
    "latency-p95": [3.0],
    "cpu-usage": [4.0],
    "memory-usage": [2.5],
}


@pytest.mark.parametrize("name", sorted(HEALTHY))
def test_each_condition_on_normal_empty_and_nan_results(name: str) -> None:
    condition = success_conditions(AnalysisSettings().thresholds())[name]
    assert evaluate_result(HEALTHY[name], condition) is Phase.SUCCESSFUL
    assert evaluate_result(UNHEALTHY[name], condition) is Phase.FAILED
    # no data is no evidence of harm: neither an error (which aborts) nor a failure
    assert evaluate_result([], condition) is Phase.SUCCESSFUL
    assert evaluate_result([NAN], condition) is Phase.SUCCESSFUL


def test_error_series_defaults_to_zero_when_no_request_failed() -> None:
    """`sum(rate(...{code=~"5.."}))` is an empty vector for a healthy canary; `/` by it would be empty too."""
    for name in ("success-rate", "error-rate"):
        assert re.search(
            r'\(sum\(rate\(http_requests_total\{.*?code=~"5\.\."\}\[2m\]\)\) or vector\(0\)\)', queries()[name]
        )


def test_thresholds_are_settings_and_finite() -> None:
    thresholds = AnalysisSettings(
        success_rate=0.9, error_rate=0.1, latency_p95_seconds=2, cpu_usage_to_request=3, memory_usage_to_request=4
    )
    conditions = success_conditions(thresholds.thresholds())
    assert [conditions[name].rsplit(" ", 2)[1:] for name in sorted(conditions)] == [
        ["<=", "3.0"],
        ["<=", "0.1"],
        ["<=", "2.0"],
        ["<=", "4.0"],
        [">=", "0.9"],
    ]
    for bad in ("nan", "inf"):
        with pytest.raises(SettingsError, match="cpuUsageToRequest"):
            load_settings({"platform": {"analysis": {"cpuUsageToRequest": float(bad)}}}, "dev")


def documented_metrics() -> set[str]:
    names: set[str] = set()
    for path in METRICS.glob("*.md"):
        names |= set(re.findall(r"`?\b((?:container|kube)_[a-z_]+)\b`?", path.read_text()))
    return names


def test_resource_queries_use_metric_names_cadvisor_and_kube_state_metrics_document() -> None:
    used = {name for query in queries().values() for name in re.findall(r"\b((?:container|kube)_[a-z_]+)\{", query)}
    assert used == {
        "container_cpu_usage_seconds_total",
        "container_memory_working_set_bytes",
        "kube_pod_container_resource_requests",
    }
    assert used <= documented_metrics()
