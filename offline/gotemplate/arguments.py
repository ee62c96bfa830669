"""Arguments converted to a function's Go parameter types, as text/template converts them.

go1.26 `src/text/template/exec.go`: a literal argument must be of its parameter's kind (`evalArg`:
"expected string; found 1", "cannot assign nil to string"); any other argument, and the value
piped in, must be assignable to the parameter (`validateType`): a missing value becomes nil where
the type can be nil and is "invalid value" elsewhere, an interface holding another type is "wrong
type for value". The parameter types are sprig's (`offline/reference/sprig-v3.3.0-signatures.txt`);
a function not listed there takes its arguments unconverted, as Go's builtins (reflect.Value
parameters) do.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from offline.gotemplate.values import MISSING, StringMap, TemplateError

_SIGNATURES = Path(__file__).parent.parent / "reference" / "sprig-v3.3.0-signatures.txt"
ANY = "interface{}"
_NILLABLE = {ANY, "map[string]interface{}"}


@functools.cache
def signatures() -> dict[str, list[str]]:
    """Function name -> its parameter types, the last one `...T` when variadic."""
    table = {}
    for line in _SIGNATURES.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, types = line.partition(":")
            table[name.strip()] = types.split()
    return table


def go_type(value: Any) -> str:
    """The Go type a value has: what JSON decoding or a function gives (numbers from JSON are float64)."""
    if value is None:
        return "interface {}"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, StringMap):
        return "map[string]string"
    if isinstance(value, Mapping):
        return "map[string]interface {}"
    return "[]interface {}"


def _literal(parameter: str, value: Any) -> Any:
    """evalArg of a constant: nil, a bool, a number or a string written in the template."""
    if value is None:
        if parameter in _NILLABLE:
            return None
        raise TemplateError(f"cannot assign nil to {parameter}")
    if parameter == ANY:
        return value
    if parameter == "string" and isinstance(value, str):
        return value
    if parameter == "bool" and isinstance(value, bool):
        return value
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    if parameter == "int" and numeric and float(value).is_integer():
        return int(value)  # the parser marks 2.0 and 1e3 as integers too
    kind = {"string": "string", "int": "integer", "bool": "bool"}.get(parameter)
    if kind is None:
        raise TemplateError(f"can't handle {value!r} for arg of type {parameter}")
    raise TemplateError(f"expected {kind}; found {value!r}")


def _value(parameter: str, value: Any) -> Any:
    """validateType of an evaluated argument or of the value piped in."""
    if value is MISSING:
        if parameter in _NILLABLE:
            return None
        raise TemplateError(f"invalid value; expected {parameter}")
    if parameter == ANY:
        return value
    if go_type(value).replace(" ", "") == parameter:
        return value
    raise TemplateError(f"wrong type for value; expected {parameter}; got {go_type(value)}")


def convert(name: str, literal: Sequence[bool], values: Sequence[Any]) -> list[Any]:
    """The arguments of a call to `name` as Go passes them; `literal[i]` when argument i is a constant."""
    parameters = signatures().get(name)
    if parameters is None:
        return list(values)
    variadic = parameters[-1].removeprefix("...") if parameters[-1].startswith("...") else None
    fixed = parameters[:-1] if variadic else parameters
    if len(values) < len(fixed) or (variadic is None and len(values) != len(fixed)):
        raise TemplateError(f"wrong number of args for {name}: want {len(fixed)} got {len(values)}")
    converted = []
    for position, value in enumerate(values):
        parameter = fixed[position] if position < len(fixed) else str(variadic)
        converted.append(_literal(parameter, value) if literal[position] else _value(parameter, value))
    return converted
