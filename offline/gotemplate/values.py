"""Go's values as text/template sees them: errors, the missing value, printing, truth, comparison."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from offline.unsupported import Unsupported


class TemplateError(Exception):
    """An error ArgoCD's template engine reports for this template and these parameters."""


class _Missing:
    """Go's invalid reflect.Value: what a missing map key yields under missingkey=default."""

    def __repr__(self) -> str:
        return "<no value>"


MISSING: Any = _Missing()


class StringMap(dict[str, str]):
    """A Go `map[string]string` (cluster labels, annotations, values): its zero value is ""."""


def go_float(value: float) -> str:
    """fmt's %v for a float64: strconv 'g' with the shortest digits, %e below 1e-4 and from 1e6 on.

    go1.26 src/fmt/print.go (`%v` is `'g'` with precision -1) and src/internal/strconv/ftoa.go
    (formatDigits: "if precision was the shortest possible, use precision 6 for this decision").
    """
    if math.isnan(value) or math.isinf(value):
        return {True: "NaN"}.get(math.isnan(value), "+Inf" if value > 0 else "-Inf")
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    power = len(digits) + int(exponent) - 1
    if power < -4 or power >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{'-' if sign else ''}{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"
    return format(Decimal(repr(value)).normalize(), "f")


def go_print(value: Any, *, nested: bool = False) -> str:
    """fmt.Sprint of a value as text/template prints it."""
    if value is MISSING:
        return "<no value>"
    if value is None:
        return "<nil>" if nested else "<no value>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, Mapping):
        items = " ".join(f"{key}:{go_print(value[key], nested=True)}" for key in sorted(value))
        return f"map[{items}]"
    if isinstance(value, Sequence):
        return "[" + " ".join(go_print(item, nested=True) for item in value) + "]"
    raise Unsupported(f"printing a {type(value).__name__} as Go would")


def truth(value: Any) -> bool:
    """text/template's `if`: false, 0, nil, and empty strings, maps and slices are false."""
    if value is MISSING or value is None:
        return False
    if isinstance(value, (bool, int, float, str, Mapping, list, tuple)):
        return bool(value)
    raise Unsupported(f"truth of a {type(value).__name__}")


def go_kind(value: Any) -> str:
    """The Go basic kind comparison functions check: bool, int, float, string, or other."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return "other"


def _basic_kind(value: Any) -> str | None:
    """funcs.go basicKind: bool, int, float or string; None for nil and for maps and slices."""
    kind = go_kind(value)
    return None if value is None or kind == "other" else kind


def go_equal(left: Any, right: Any) -> bool:
    """funcs.go eq of two values: nil is unequal to (not incomparable with) any other value."""
    left, right = argument(left), argument(right)
    kinds = (_basic_kind(left), _basic_kind(right))
    if kinds[0] != kinds[1]:
        if left is not None and right is not None:
            raise TemplateError("error calling eq: incompatible types for comparison")
        return False
    if kinds[0] is not None:
        return bool(left == right)
    if left is None or right is None:
        return left is None and right is None
    raise TemplateError("error calling eq: non-comparable types")


def compare(name: str, left: Any, right: Any) -> int:
    """-1, 0 or 1 for `lt`/`le`/`gt`/`ge` (`name`), with funcs.go's type rules."""
    left, right = argument(left), argument(right)
    kinds = (_basic_kind(left), _basic_kind(right))
    if None in kinds or kinds[0] == "bool":
        raise TemplateError(f"error calling {name}: invalid type for comparison")
    if kinds[0] != kinds[1]:
        raise TemplateError(f"error calling {name}: incompatible types for comparison")
    return int(left > right) - int(left < right)


def argument(value: Any) -> Any:
    """A missing value passed to a function arrives as nil (text/template validateType)."""
    return None if value is MISSING else value
