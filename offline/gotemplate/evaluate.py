"""Execution: a parsed template over data, with the missingkey option."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from offline.gotemplate.arguments import convert
from offline.gotemplate.functions import FUNCTIONS
from offline.gotemplate.parser import Node, parse
from offline.gotemplate.values import MISSING, StringMap, TemplateError, argument, go_print, truth
from offline.unsupported import Unsupported

MISSINGKEY_OPTIONS = {"missingkey=default": "invalid", "missingkey=invalid": "invalid"} | {
    "missingkey=zero": "zero",
    "missingkey=error": "error",
}


@dataclass(frozen=True)
class _State:
    missingkey: str


def _field(state: _State, value: Any, path: Sequence[str]) -> Any:
    for name in path:
        if value is MISSING:
            if state.missingkey == "error":
                raise TemplateError(f'nil data; no entry for key "{name}"')
            return MISSING
        if value is None:
            raise TemplateError(f"nil pointer evaluating interface {{}}.{name}")
        if not isinstance(value, Mapping):
            raise TemplateError(f"can't evaluate field {name} in type {type(value).__name__}")
        if name in value:
            value = value[name]
        elif state.missingkey == "error":
            raise TemplateError(f'map has no entry for key "{name}"')
        elif state.missingkey == "zero":
            value = "" if isinstance(value, StringMap) else None
        else:
            value = MISSING
    return value


def _operand(state: _State, dot: Any, operand: tuple[str, Any]) -> Any:
    kind, value = operand
    if kind == "const":
        return value
    if kind == "field":
        return _field(state, dot, value)
    if kind == "pipe":
        return _run_pipeline(state, dot, value)
    raise TemplateError(f"can't give argument to non-function {value}")


def _command(state: _State, dot: Any, command: list[Any], final: Any, has_final: bool) -> Any:
    head = command[0]
    if head == ("const", None):
        raise TemplateError("nil is not a command")
    if head[0] != "call":
        if len(command) > 1 or has_final:
            raise TemplateError("can't give argument to non-function")
        return _operand(state, dot, head)
    name = head[1]
    args = command[1:]
    if name in ("and", "or"):
        operands: list[Callable[[], Any]] = [functools.partial(_operand, state, dot, a) for a in args]
        if has_final:
            operands.append(lambda: final)
        if not operands:
            raise TemplateError(f"wrong number of args for {name}: want at least 1 got 0")
        result: Any = None
        for evaluate in operands:
            result = evaluate()
            if truth(result) != (name == "and"):
                return result
        return result
    values = [_operand(state, dot, a) for a in args]
    literal = [a[0] == "const" for a in args]
    if has_final:
        values.append(final)
        literal.append(False)
    values = convert(name, literal, values)
    try:
        return FUNCTIONS[name](*values)
    except TypeError as err:
        raise TemplateError(f"wrong number of args for {name}: {err}") from err


def _run_pipeline(state: _State, dot: Any, pipeline: list[list[Any]]) -> Any:
    value: Any = MISSING
    for index, command in enumerate(pipeline):
        value = _command(state, dot, command, value, index > 0)
    return value


def _execute(state: _State, dot: Any, nodes: list[Node], out: list[str]) -> None:
    for node in nodes:
        if node.kind == "text":
            out.append(node.text)
        elif node.kind == "action":
            out.append(go_print(_run_pipeline(state, dot, node.pipeline)))
        elif node.kind in ("if", "with"):
            value = _run_pipeline(state, dot, node.pipeline)
            if truth(value):
                _execute(state, value if node.kind == "with" else dot, node.body, out)
            else:
                _execute(state, dot, node.otherwise, out)
        else:  # range
            value = argument(_run_pipeline(state, dot, node.pipeline))
            if isinstance(value, Mapping):
                items = [value[key] for key in sorted(value)]
            elif isinstance(value, (list, tuple)):
                items = list(value)
            elif value is None:
                items = []
            elif isinstance(value, int) and not isinstance(value, bool):
                raise Unsupported("range over an integer")
            else:
                raise TemplateError(f"range can't iterate over {go_print(value)}")
            for item in items:
                _execute(state, item, node.body, out)
            if not items:
                _execute(state, dot, node.otherwise, out)


def missingkey(options: Sequence[str]) -> str:
    """The missingkey mode of goTemplateOptions (the last one wins, as template.Option does)."""
    mode = "invalid"
    for option in options:
        if option not in MISSINGKEY_OPTIONS:
            raise Unsupported(f"goTemplateOptions {option!r}")
        mode = MISSINGKEY_OPTIONS[option]
    return mode


def render(template: str, data: Any, options: Sequence[str] = ()) -> str:
    """ArgoCD's Render.Replace in goTemplate mode: parse, then execute over `data`."""
    state = _State(missingkey(options))
    out: list[str] = []
    _execute(state, data, parse(template), out)
    return "".join(out)
