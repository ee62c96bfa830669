"""Go's `encoding/json` Marshal text for plain data: what Go programs Slipway imitates print.

Both the Pulumi CLI (structured config values) and Sprig's `toJson` (ArgoCD templates) hand over
JSON made by Go's encoder (go1.26 src/encoding/json/encode.go): map keys sorted, no spaces, `<`,
`>`, `&`, U+2028 and U+2029 escaped, other non-ASCII text as is, and floats as ES6 prints numbers
(`floatEncoder`: strconv 'f' with the shortest digits, 'e' below 1e-6 and from 1e21 on, the
exponent not padded: `1e-7`, `1e+21`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

INT64 = range(-(2**63), 2**63)
_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_float(value: float) -> str:
    """floatEncoder's text of a float64 (NaN and infinities are Marshal errors: ValueError)."""
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"json: unsupported value: {value}")
    if value == 0 or 1e-6 <= abs(value) < 1e21:
        return format(Decimal(repr(value)).normalize(), "f") if value else "0"
    mantissa, exponent = repr(value).split("e")
    return f"{mantissa.removesuffix('.0')}e{int(exponent):+d}"


def _string(text: str) -> str:
    quoted = json.dumps(text, ensure_ascii=False)
    return "".join(_ESCAPES.get(char, char) for char in quoted)


def marshal(value: Any) -> str:
    """json.Marshal of decoded YAML or JSON data (dicts, lists, str, int, float, bool, None)."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value) if value in INT64 else json_float(float(value))
    if isinstance(value, float):
        return json_float(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        items = sorted((str(key), item) for key, item in value.items())
        return "{" + ",".join(f"{_string(key)}:{marshal(item)}" for key, item in items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(marshal(item) for item in value) + "]"
    raise TypeError(f"json: unsupported type: {type(value).__name__}")
