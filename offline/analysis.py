"""Argo Rollouts' judgement of one analysis measurement, for the subset of expr Slipway uses.

Argo Rollouts evaluates a metric's `successCondition` / `failureCondition` with the expr
language, `result` bound to the provider's value: for a Prometheus vector, a list of floats,
empty when the query returns no series (argoproj/argo-rollouts v1.9.0,
metricproviders/prometheus/prometheus.go, lines 139-145 and 174-183). Its environment adds
`isNaN` and `isInf` (utils/evaluate/evaluate.go, lines 94-105); `len` is expr's own.
`evaluate_result` ports `EvaluateResult` (evaluate.go, lines 18-58).

Modelled: float and bool literals, `result`, `result[i]` (i >= 0), `len`, `isNaN`, `isInf`,
comparisons, `!`, `&&` and `||` (short-circuiting, as the docs' `len(result) == 0 || result[0]
>= 0.95` succeeding on `[]` shows: docs/features/analysis.md, "Empty array"). Anything else
(arithmetic, `in`, closures, `asInt`, `asFloat`, `default`, `isNil`, strings) raises
`UnsupportedError`, never a guess. Runtime and type errors raise `ExprError`: Argo Rollouts
records such a measurement as an Error.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from enum import StrEnum

Value = float | bool | list[float]

TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z_]\w*)|(\|\||&&|==|!=|<=|>=|[<>!()\[\]])|(\S))")
COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


class UnsupportedError(Exception):
    """The condition uses expr beyond the modelled subset."""


class ExprError(Exception):
    """expr would fail to compile or run this condition: Argo Rollouts records an Error."""


class Phase(StrEnum):
    """Argo Rollouts' AnalysisPhase values a measurement can take."""

    SUCCESSFUL = "Successful"
    FAILED = "Failed"
    INCONCLUSIVE = "Inconclusive"
    ERROR = "Error"


def _tokens(condition: str) -> list[str]:
    tokens = []
    position = 0
    condition = condition.rstrip()
    while position < len(condition):
        match = TOKEN.match(condition, position)
        if match is None:  # only trailing whitespace can fail to match
            break
        if match.group(4) is not None:
            raise UnsupportedError(f"operator or character {match.group(4)!r} in {condition!r}")
        tokens.append(next(group for group in match.groups() if group is not None))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent over expr's precedence: `||` < `&&` < comparison < `!` < index/call < atom."""

    def __init__(self, condition: str, result: Value) -> None:
        self.tokens = _tokens(condition)
        self.position = 0
        self.result = result

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise ExprError(f"expected {expected or 'more'} at token {self.position}, got {token!r}")
        self.position += 1
        return token

    def parse(self) -> Value:
        value = self.disjunction(evaluate=True)
        if self.peek() is not None:
            raise UnsupportedError(f"unexpected {self.peek()!r}")
        return value

    def disjunction(self, evaluate: bool) -> Value:
        value = self.conjunction(evaluate)
        while self.peek() == "||":
            self.take()
            left = _boolean(value, "||") if evaluate else False
            right = self.conjunction(evaluate and not left)
            value = left or (_boolean(right, "||") if evaluate and not left else False)
        return value

    def conjunction(self, evaluate: bool) -> Value:
        value = self.comparison(evaluate)
        while self.peek() == "&&":
            self.take()
            left = _boolean(value, "&&") if evaluate else False
            right = self.comparison(evaluate and left)
            value = left and (_boolean(right, "&&") if evaluate and left else False)
        return value

    def comparison(self, evaluate: bool) -> Value:
        value = self.unary(evaluate)
        operator = self.peek()
        if operator in COMPARISONS:
            self.take()
            right = self.unary(evaluate)
            if not evaluate:
                return False
            if isinstance(value, bool) and isinstance(right, bool) and operator in ("==", "!="):
                return (value == right) == (operator == "==")
            return COMPARISONS[operator](_number(value, operator), _number(right, operator))
        return value

    def unary(self, evaluate: bool) -> Value:
        if self.peek() == "!":
            self.take()
            value = self.unary(evaluate)
            return (not _boolean(value, "!")) if evaluate else False
        return self.postfix(evaluate)

    def postfix(self, evaluate: bool) -> Value:
        value = self.atom(evaluate)
        while self.peek() == "[":
            self.take()
            index = self.disjunction(evaluate)
            self.take("]")
            if evaluate:
                value = _index(value, index)
        return value

    def atom(self, evaluate: bool) -> Value:
        token = self.take()
        if token == "(":
            value = self.disjunction(evaluate)
            self.take(")")
            return value
        if token[0].isdigit():
            return float(token)
        if token in ("true", "false"):
            return token == "true"
        if token == "result":
            return self.result
        if token in FUNCTIONS:
            self.take("(")
            argument = self.disjunction(evaluate)
            self.take(")")
            return FUNCTIONS[token](argument) if evaluate else False
        if token in UNMODELLED_NAMES:
            raise UnsupportedError(f"{token} is in Argo Rollouts' expr environment but not modelled here")
        if token.isidentifier():
            raise ExprError(f"unknown name {token}")
        raise UnsupportedError(f"token {token!r}")


def _boolean(value: Value, operator: str) -> bool:
    if not isinstance(value, bool):
        raise ExprError(f"invalid operation: {operator} on {type(value).__name__}")
    return value


def _number(value: Value, operator: str) -> float:
    if isinstance(value, bool) or not isinstance(value, float):
        raise ExprError(f"invalid operation: {operator} (mismatched types {type(value).__name__} and float64)")
    return value


def _float_argument(name: str) -> Callable[[Value], bool]:
    def check(value: Value) -> bool:
        number = _number(value, name)
        return math.isnan(number) if name == "isNaN" else math.isinf(number)

    return check


def _length(value: Value) -> float:
    if not isinstance(value, list):
        raise ExprError(f"invalid argument for len (type {type(value).__name__})")
    return float(len(value))


def _index(value: Value, index: Value) -> float:
    if not isinstance(value, list):
        raise ExprError(f"cannot index {type(value).__name__}")
    position = _number(index, "[]")
    if position < 0 or position != int(position):
        raise UnsupportedError("negative or fractional index")
    if int(position) >= len(value):
        raise ExprError(f"index out of range: {int(position)} (array length is {len(value)})")
    return value[int(position)]


FUNCTIONS: dict[str, Callable[[Value], Value]] = {
    "isNaN": _float_argument("isNaN"),
    "isInf": _float_argument("isInf"),
    "len": _length,
}
UNMODELLED_NAMES = ("asInt", "asFloat", "isNil", "default", "all", "any", "none", "one", "filter", "map")


def evaluate_condition(result: Value, condition: str) -> bool:
    """`EvalCondition`: the condition's value, which must be a bool."""
    value = _Parser(condition, result).parse()
    if not isinstance(value, bool):
        raise ExprError(f"expected bool, but got {type(value).__name__}")
    return value


def evaluate_result(result: Value, success: str = "", failure: str = "") -> Phase:
    """`EvaluateResult`: the phase Argo Rollouts gives a measurement whose value is `result`."""
    try:
        succeeded = evaluate_condition(result, success) if success else False
        failed = evaluate_condition(result, failure) if failure else False
    except ExprError:
        return Phase.ERROR
    if not success and not failure:
        return Phase.SUCCESSFUL
    if success and not failure:
        failed = not succeeded
    elif failure and not success:
        succeeded = not failed
    if failed:
        return Phase.FAILED
    return Phase.SUCCESSFUL if succeeded else Phase.INCONCLUSIVE
