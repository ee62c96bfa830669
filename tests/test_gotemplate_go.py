"""offline.gotemplate against what Go's text/template with Sprig v3.3.0 answers, case by case.

Each case is one that the conformance fuzzer (check 7, conformance/gotemplate_fuzz.py) found
Slipway answering differently, reduced by hand; the expected answer is the one of the
`templatecheck` binary (Go 1.26.8 text/template, Sprig v3.3.0 at ArgoCD v3.4.4's versions), run on
2026-12-04. ERROR stands for any execution or parse error: the fuzzer compares error classes, not
Go's message text. The Go run itself is tests/test_conformance.py's.
"""

from __future__ import annotations

from typing import Any

import pytest

from offline.gotemplate import TemplateError, render

ERROR = object()

CASES: list[tuple[str, dict[str, Any], object]] = [
    # Arguments are converted to sprig's parameter types (exec.go evalArg / validateType).
    ("{{ upper .missing }}", {}, ERROR),  # invalid value; expected string
    ("{{ .n | upper }}", {"n": 1.0}, ERROR),  # wrong type for value; expected string; got float64
    ('{{ "x" | hasPrefix .missing }}', {}, ERROR),
    ('{{ trimPrefix 1 "x" }}', {}, ERROR),  # expected string; found 1
    ('{{ indent "2" "x" }}', {}, ERROR),  # expected integer; found "2"
    ("{{ upper nil }}", {}, ERROR),  # cannot assign nil to string
    ("{{ nil }}", {}, ERROR),  # nil is not a command
    # fmt's %v of a float64: %e from 1e6 on and below 1e-4, a two-digit exponent.
    ("{{ .a }}", {"a": 1000000.0}, "1e+06"),
    ("{{ .a }}", {"a": 123456.0}, "123456"),
    ("{{ .a }}", {"a": 1234567.0}, "1.234567e+06"),
    ("{{ .a }}", {"a": 0.00001}, "1e-05"),
    ("{{ .a }}", {"a": -0.0}, "-0"),
    ("{{ . }}", {"a": [2.5e-7, 1e21]}, "map[a:[2.5e-07 1e+21]]"),
    # eq and ne: nil (or a missing value) is unequal to anything else, not an error.
    ('{{ eq .missing "x" }}', {}, "false"),
    ('{{ ne .missing "x" }}', {}, "true"),
    ("{{ eq .n true }}", {"n": None}, "false"),
    # printf counts its arguments, whatever their value.
    ('{{ printf "%s-%s" "a" }}', {}, "a-%!s(MISSING)"),
    ('{{ printf "%v" }}', {}, "%!v(MISSING)"),
    # sprig on nil: first panics, get of a nil map is "", strval(nil) is <nil>.
    ("{{ first .missing }}", {}, ERROR),
    ('{{ get nil "k" }}', {}, ""),
    ('{{ dict nil "v" }}', {}, "map[<nil>:v]"),
    ('{{ nindent -2 "x" }}', {}, ERROR),  # strings: negative Repeat count
    ('{{ splitList "" "ab" }}', {}, "[a b]"),
    # Parsing: an operand must be followed by a space, `)` or `|`, even in a branch never taken.
    ("{{ if false }}{{ .a. }}{{ end }}", {}, ERROR),
    # Number constants: a leading 0 is octal, as strconv.ParseInt(text, 0, 64) reads it.
    ("{{ le 1 007 }}", {}, "true"),
    ("{{ 010 }}", {}, "8"),
]


@pytest.mark.parametrize(("template", "data", "expected"), CASES)
def test_answers_as_go_does(template: str, data: dict[str, Any], expected: object) -> None:
    if expected is ERROR:
        with pytest.raises(TemplateError):
            render(template, data)
    else:
        assert render(template, data) == expected
