"""offline.gojson: Go's encoding/json text (go1.26 src/encoding/json/encode.go, floatEncoder and appendString)."""

from __future__ import annotations

import math

import pytest

from offline.gojson import json_float, marshal


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0"),
        (1.0, "1"),
        (0.1, "0.1"),
        (100.5, "100.5"),
        (1e-6, "0.000001"),  # 'f' from 1e-6 on
        (9.99e-7, "9.99e-7"),  # 'e' below, exponent "e-07" cleaned to "e-7"
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),  # 'e' from 1e21 on
        (1.5e300, "1.5e+300"),
        (-2.5e-8, "-2.5e-8"),
    ],
)
def test_floats_are_printed_as_gos_float_encoder_prints_them(value: float, text: str) -> None:
    assert json_float(value) == text


def test_nan_and_infinity_are_marshal_errors() -> None:
    for value in (math.nan, math.inf):
        with pytest.raises(ValueError, match="unsupported value"):
            json_float(value)


def test_strings_escape_html_and_line_separators_and_control_characters() -> None:
    assert marshal('<a&b>\u2028\u2029é\n\t\x01"\\') == '"\\u003ca\\u0026b\\u003e\\u2028\\u2029é\\n\\t\\u0001\\"\\\\"'


def test_maps_are_sorted_and_ints_past_int64_become_floats() -> None:
    assert marshal({"b": [1, None, False], "a": 2**63}) == '{"a":9223372036854776000,"b":[1,null,false]}'
    assert marshal(-(2**63)) == "-9223372036854775808"
