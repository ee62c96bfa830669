"""Go's values as text/template sees them: errors, the missing value, printing, truth, comparison."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
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
    """fmt's %v for a float64: strconv 'g' with the shortest representation, exponent past 1e21."""
    if math.isnan(value) or math.isinf(value):
        return {True: "NaN"}.get(math.isnan(value), "+Inf" if value > 0 else "-Inf")
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{int(exponent):+03d}"
    return text


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


def compare(name: str, left: Any, right: Any) -> int:
    """-1, 0 or 1 for `eq`/`ne`/`lt`/`le`/`gt`/`ge` (`name`), with text/template's type rules."""
    left, right = argument(left), argument(right)
    kinds = (go_kind(left), go_kind(right))
    if "other" in kinds or kinds[0] != kinds[1]:
        if name in ("eq", "ne") and left is None and right is None:
            return 0
        raise TemplateError(f"error calling {name}: incompatible types for comparison")
    if name not in ("eq", "ne") and kinds[0] == "bool":
        raise TemplateError(f"error calling {name}: invalid type for comparison")
    return int(left > right) - int(left < right)


def argument(value: Any) -> Any:
    """A missing value passed to a function arrives as nil (text/template validateType)."""
    return None if value is MISSING else value
