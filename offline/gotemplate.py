"""Go's text/template with ArgoCD's sprig functions, for the subset ApplicationSets use.

ArgoCD renders goTemplate ApplicationSets with Go's `text/template` and sprig v3.3.0
(`applicationset/utils/utils.go` at v3.4.4). No faithful Python implementation exists, so
this module implements the part Slipway and ArgoCD's own tests use, with Go's semantics:
actions with `{{-`/`-}}` trim markers and comments; `if`/`else if`/`else`, `with`, `range`
(no variables); pipelines of field chains (`.a.b`), `.`, string, number and boolean
literals, parenthesised pipelines and function calls; Go's printing (`map[a:b]`, `[a b]`,
`<no value>`), truth and comparison rules; the `missingkey` option. Anything else (variables,
`define`/`template`/`block`, a sprig function not implemented here) raises `Unsupported`;
errors ArgoCD itself would report (unknown function, missing key under `missingkey=error`,
a field of a non-map) raise `TemplateError`.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

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


GO_BUILTINS = frozenset(
    [
        "and",
        "call",
        "html",
        "index",
        "slice",
        "js",
        "len",
        "not",
        "or",
        "print",
        "printf",
        "println",
        "urlquery",
        "eq",
        "ge",
        "gt",
        "le",
        "lt",
        "ne",
    ]
)
_SPRIG = frozenset((Path(__file__).parent / "reference" / "sprig-v3.3.0-generic-functions.txt").read_text().split())
# applicationset/utils/utils.go init(): removed for safety, and ArgoCD's additions.
ARGOCD_FUNCTIONS = (_SPRIG - {"env", "expandenv", "getHostByName"}) | {
    "normalize",
    "slugify",
    "toYaml",
    "fromYaml",
    "fromYamlArray",
}
MISSINGKEY_OPTIONS = {"missingkey=default": "invalid", "missingkey=invalid": "invalid"} | {
    "missingkey=zero": "zero",
    "missingkey=error": "error",
}


# ---------------------------------------------------------------------------------------------
# Printing, truth and comparison as Go does them
# ---------------------------------------------------------------------------------------------


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


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return "other"


def _compare(name: str, left: Any, right: Any) -> int:
    left, right = _arg(left), _arg(right)
    kinds = (_kind(left), _kind(right))
    if "other" in kinds or kinds[0] != kinds[1]:
        if name in ("eq", "ne") and left is None and right is None:
            return 0
        raise TemplateError(f"error calling {name}: incompatible types for comparison")
    if name not in ("eq", "ne") and kinds[0] == "bool":
        raise TemplateError(f"error calling {name}: invalid type for comparison")
    return int(left > right) - int(left < right)


# ---------------------------------------------------------------------------------------------
# Functions: Go's builtins and the sprig ones implemented here
# ---------------------------------------------------------------------------------------------


def _arg(value: Any) -> Any:
    """A missing value passed to a function arrives as nil (text/template validateType)."""
    return None if value is MISSING else value


def _string(value: Any) -> str:
    """sprig's strval."""
    if value is None:
        return ""
    return go_print(value)


def _go_quote(text: str) -> str:
    """strconv.Quote (%q) for text whose escapes Go and JSON write alike."""
    if any((ord(char) < 0x20 and char not in "\n\t\r") or ord(char) == 0x7F for char in text):
        raise Unsupported("quoting control characters as Go's %q does")
    return json.dumps(text, ensure_ascii=False)


def _empty(value: Any) -> bool:
    value = _arg(value)
    if value is None:
        return True
    if isinstance(value, (str, Mapping, list, tuple)):
        return len(value) == 0
    if isinstance(value, (bool, int, float)):
        return not value
    raise Unsupported(f"sprig empty of a {type(value).__name__}")


def _index(item: Any, *keys: Any) -> Any:
    item = _arg(item)
    for key in keys:
        key = _arg(key)
        if isinstance(item, Mapping):
            if not isinstance(key, str):
                raise TemplateError("error calling index: value has type of non-string key")
            item = item.get(key, "" if isinstance(item, StringMap) else None)
        elif isinstance(item, (list, tuple, str)) and isinstance(key, int) and not isinstance(key, bool):
            if not 0 <= key < len(item):
                raise TemplateError(f"error calling index: index out of range: {key}")
            item = item[key] if not isinstance(item, str) else ord(item[key])
        elif item is None:
            raise TemplateError("error calling index: index of untyped nil")
        else:
            raise TemplateError(f"error calling index: can't index item of type {type(item).__name__}")
    return item


def _len(item: Any) -> int:
    item = _arg(item)
    if isinstance(item, (str, Mapping, list, tuple)):
        return len(item.encode() if isinstance(item, str) else item)
    raise TemplateError(f"error calling len: len of type {type(item).__name__}")


def _printf(form: Any, *args: Any) -> str:
    if not isinstance(form, str):
        raise TemplateError("printf: format is not a string")
    values = iter(args)

    def verb(match: re.Match[str]) -> str:
        if match.group(0) == "%%":
            return "%"
        if match.group(0) not in ("%s", "%v", "%d", "%q"):
            raise Unsupported(f"printf verb {match.group(0)}")
        value = _arg(next(values, MISSING))
        if value is MISSING:
            return f"%!{match.group(0)[1]}(MISSING)"
        if match.group(0) == "%d":
            if _kind(value) != "int":
                raise Unsupported("printf %d of a non-integer")
            return str(value)
        if match.group(0) == "%q":
            if not isinstance(value, str):
                raise Unsupported("printf %q of a non-string")
            return _go_quote(value)
        return go_print(value, nested=True)

    out = re.sub(r"%[-+# 0-9.]*[a-zA-Z%]", verb, form)
    if next(values, MISSING) is not MISSING:
        raise Unsupported("printf with extra arguments")
    return out


def _print(*args: Any) -> str:
    # fmt.Sprint adds spaces between operands when neither is a string.
    out = ""
    for position, value in enumerate(args):
        value = _arg(value)
        if position and not isinstance(value, str) and not isinstance(args[position - 1], str):
            out += " "
        out += go_print(value, nested=True)
    return out


def _go_json_number(value: Any) -> Any:
    if isinstance(value, float) and value == int(value) and abs(value) < 1e21:
        return int(value)
    if isinstance(value, Mapping):
        return {key: _go_json_number(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_go_json_number(item) for item in value]
    return value


def _to_json(value: Any) -> str:
    """json.Marshal: sorted keys, no spaces, HTML characters escaped."""
    value = _arg(value)
    text = json.dumps(_go_json_number(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028")):
        text = text.replace(char, escape)
    return text.replace("\u2029", "\\u2029")


def _to_yaml(value: Any) -> str:
    """sigs.k8s.io/yaml Marshal (through JSON, keys sorted), without the final newline."""
    value = _go_json_number(_arg(value))
    text = yaml.safe_dump(value, sort_keys=True, default_flow_style=False, width=2**31, allow_unicode=True)
    return text.removesuffix("\n")


def _from_yaml(text: Any, kind: type) -> Any:
    try:
        loaded = yaml.safe_load(_string(text))
    except yaml.YAMLError as err:
        raise TemplateError(f"error calling fromYaml: {err}") from err
    if loaded is None:
        loaded = kind()
    if not isinstance(loaded, kind):
        raise TemplateError(f"error calling fromYaml: cannot unmarshal into {kind.__name__}")
    return _json_numbers(loaded)


def _json_numbers(value: Any) -> Any:
    """Numbers as Go's JSON decoding into `any` gives them: float64."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, Mapping):
        return {str(key): _json_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_numbers(item) for item in value]
    return value


def sanitize_name(name: str) -> str:
    """ArgoCD's SanitizeName (applicationset/utils/template_functions.go): the `normalize` function."""
    name = re.sub(r"[^-a-z0-9.]", "-", name.lower())[:253]
    return name.strip("-.")


def _base(path: Any) -> str:
    """Go's path.Base (sprig `base`)."""
    text = _string(path)
    if not text:
        return "."
    text = text.rstrip("/")
    return text.rsplit("/", 1)[-1] if text else "/"


def _indent(spaces: Any, text: Any) -> str:
    pad = " " * int(spaces)
    return pad + _string(text).replace("\n", "\n" + pad)


def _join(separator: Any, items: Any) -> str:
    items = _arg(items)
    if isinstance(items, str):
        return items
    if not isinstance(items, (list, tuple)):
        raise Unsupported("sprig join of a non-list")
    return _string(separator).join(_string(item) for item in items if item is not None)


def _default(fallback: Any, *given: Any) -> Any:
    value = _arg(given[0]) if given else None
    return fallback if _empty(value) else value


def _list_last(items: Any, first: bool) -> Any:
    items = _arg(items)
    if items is None:
        return None
    if not isinstance(items, (list, tuple)):
        raise TemplateError("Cannot find first/last on type")
    if not items:
        return None
    return items[0] if first else items[-1]


def _get(mapping: Any, key: Any) -> Any:
    mapping = _arg(mapping)
    if not isinstance(mapping, Mapping):
        raise TemplateError("error calling get: wrong type for value")
    return mapping.get(key, "")


def _dict(*pairs: Any) -> dict[str, Any]:
    if len(pairs) % 2:
        pairs = (*pairs, "")
    return {_string(pairs[i]): _arg(pairs[i + 1]) for i in range(0, len(pairs), 2)}


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "index": _index,
    "len": _len,
    "print": _print,
    "printf": _printf,
    "eq": lambda left, *rights: any(_compare("eq", left, right) == 0 for right in rights),
    "ne": lambda left, right: _compare("ne", left, right) != 0,
    "lt": lambda left, right: _compare("lt", left, right) < 0,
    "le": lambda left, right: _compare("le", left, right) <= 0,
    "gt": lambda left, right: _compare("gt", left, right) > 0,
    "ge": lambda left, right: _compare("ge", left, right) >= 0,
    "not": lambda value: not truth(value),
    "default": _default,
    "empty": _empty,
    "upper": lambda text: _string(text).upper(),
    "lower": lambda text: _string(text).lower(),
    "trim": lambda text: _string(text).strip(" \t\n\r\v\f"),
    "trimPrefix": lambda prefix, text: _string(text).removeprefix(_string(prefix)),
    "trimSuffix": lambda suffix, text: _string(text).removesuffix(_string(suffix)),
    "hasPrefix": lambda prefix, text: _string(text).startswith(_string(prefix)),
    "hasSuffix": lambda suffix, text: _string(text).endswith(_string(suffix)),
    "contains": lambda part, text: _string(part) in _string(text),
    "replace": lambda old, new, text: _string(text).replace(_string(old), _string(new)),
    "quote": lambda *items: " ".join(_go_quote(_string(item)) for item in map(_arg, items) if item is not None),
    "squote": lambda *items: " ".join(f"'{_string(item)}'" for item in map(_arg, items) if item is not None),
    "indent": _indent,
    "nindent": lambda spaces, text: "\n" + _indent(spaces, text),
    "join": _join,
    "splitList": lambda separator, text: _string(text).split(_string(separator)),
    "list": lambda *items: [_arg(item) for item in items],
    "dict": _dict,
    "get": _get,
    "first": lambda items: _list_last(items, True),
    "last": lambda items: _list_last(items, False),
    "ternary": lambda yes, no, condition: yes if _arg(condition) is True else no,
    "toJson": _to_json,
    "toYaml": _to_yaml,
    "fromYaml": lambda text: _from_yaml(text, dict),
    "fromYamlArray": lambda text: _from_yaml(text, list),
    "base": _base,
    "normalize": lambda text: sanitize_name(_string(text)),
}


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"\\\n]|\\.)*")
    | (?P<raw>`[^`]*`)
    | (?P<number>[-+]?(?:0[xX][0-9a-fA-F_]+|\d[\d_]*(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?))
    | (?P<field>(?:\.[A-Za-z_][A-Za-z0-9_]*)+|\.)
    | (?P<variable>\$[A-Za-z0-9_]*)
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<punct>:=|=|\(|\)|\||,)
    )""",
    re.X,
)


@dataclass
class _Node:
    """A parsed template: text, an action, or a control block."""

    kind: str  # text | action | if | with | range
    text: str = ""
    pipeline: list[list[Any]] = field(default_factory=list)
    body: list[_Node] = field(default_factory=list)
    otherwise: list[_Node] = field(default_factory=list)


def _tokens(source: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(source):
        if not source[position:].strip():
            break
        match = _TOKEN.match(source, position)
        if match is None or match.lastgroup is None:
            raise TemplateError(f"unexpected {source[position:].strip()!r} in command")
        tokens.append((match.lastgroup, match.group(match.lastgroup)))
        position = match.end()
    return tokens


def _go_string(token: str) -> str:
    try:
        return str(json.loads(token))
    except json.JSONDecodeError as err:
        raise Unsupported(f"Go string literal {token} (escapes JSON does not share)") from err


def _number(token: str) -> int | float:
    clean = token.replace("_", "")
    try:
        return int(clean, 0)
    except ValueError:
        return float(clean)


def _parse_pipeline(tokens: list[tuple[str, str]], position: int, inner: bool) -> tuple[list[list[Any]], int]:
    """Commands separated by `|`; operands ("field", path), ("const", v), ("call", name), ("pipe", p)."""
    commands: list[list[Any]] = [[]]
    while position < len(tokens):
        kind, value = tokens[position]
        if kind == "punct" and value == ")":
            if not inner:
                raise TemplateError("unexpected right paren")
            break
        position += 1
        if kind == "punct" and value == "|":
            if not commands[-1]:
                raise TemplateError("missing command before |")
            commands.append([])
        elif kind == "punct" and value == "(":
            sub, position = _parse_pipeline(tokens, position, True)
            if position >= len(tokens):
                raise TemplateError("unclosed left paren")
            position += 1
            if position < len(tokens) and tokens[position][0] == "field" and tokens[position][1] != ".":
                raise Unsupported("a field of a parenthesised pipeline")
            commands[-1].append(("pipe", sub))
        elif kind == "string":
            commands[-1].append(("const", _go_string(value)))
        elif kind == "raw":
            commands[-1].append(("const", value[1:-1]))
        elif kind == "number":
            commands[-1].append(("const", _number(value)))
        elif kind == "field":
            commands[-1].append(("field", [part for part in value.split(".") if part]))
        elif kind == "variable" or (kind == "punct" and value in (":=", "=", ",")):
            raise Unsupported("template variables ($x, :=)")
        elif kind == "ident":
            if value in ("true", "false"):
                commands[-1].append(("const", value == "true"))
            elif value == "nil":
                commands[-1].append(("const", None))
            elif value in FUNCTIONS:
                commands[-1].append(("call", value))
            elif value in GO_BUILTINS or value in ARGOCD_FUNCTIONS or value in ("and", "or"):
                if value not in ("and", "or"):
                    raise Unsupported(f"template function {value}")
                commands[-1].append(("call", value))
            else:
                raise TemplateError(f'function "{value}" not defined')
    if not commands[-1]:
        raise TemplateError("missing value for command")
    return commands, position


def _pipeline(source: str) -> list[list[Any]]:
    tokens = _tokens(source)
    if not tokens:
        raise TemplateError("missing value for command")
    commands, position = _parse_pipeline(tokens, 0, False)
    if position != len(tokens):
        raise TemplateError("unexpected right paren")
    return commands


_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`')


def _action_end(template: str, position: int) -> int:
    """The index of the `}}` closing the action whose body starts at `position` (quotes skipped)."""
    while position < len(template):
        if template.startswith("}}", position):
            return position
        if template[position] in '"`':
            quoted = _QUOTED.match(template, position)
            if quoted is None:
                raise TemplateError("unterminated quoted string")
            position = quoted.end()
            continue
        if template[position] == "'":
            raise Unsupported("character constants in templates")
        position += 1
    raise TemplateError("unclosed action")


def _lex(template: str) -> list[tuple[str, str]]:
    """Text and actions, trim markers (`{{- `, ` -}}`) applied to the neighbouring text."""
    items: list[tuple[str, str]] = []
    position, trim_next = 0, False
    while True:
        start = template.find("{{", position)
        text = template[position : len(template) if start < 0 else start]
        if trim_next:
            text = text.lstrip(" \t\r\n")
        if start < 0:
            if text:
                items.append(("text", text))
            return items
        body_start = start + 2
        if re.match(r"-[ \t\r\n]", template[body_start : body_start + 2]):
            text = text.rstrip(" \t\r\n")
            body_start += 2
        end = _action_end(template, body_start)
        body = template[body_start:end]
        trim_next = bool(re.search(r"[ \t\r\n]-$", body))
        if trim_next:
            body = body[:-2]
        if text:
            items.append(("text", text))
        items.append(("action", body.strip()))
        position = end + 2


_KEYWORD = re.compile(r"(if|else|end|with|range|define|template|block|break|continue)\b\s*(.*)", re.S)


def parse(template: str) -> list[_Node]:
    """The template's nodes; raises TemplateError for what Go's parser rejects."""
    root: list[_Node] = []
    # Stack of (node, which list is being filled, keyword) for open blocks.
    stack: list[tuple[_Node, list[_Node]]] = []
    current = root
    for kind, value in _lex(template):
        if kind == "text":
            current.append(_Node("text", text=value))
            continue
        if value.startswith("/*"):
            if not value.endswith("*/"):
                raise TemplateError("unclosed comment")
            continue
        keyword = _KEYWORD.fullmatch(value)
        if keyword is None:
            current.append(_Node("action", pipeline=_pipeline(value)))
            continue
        word, rest = keyword.group(1), keyword.group(2)
        if word in ("define", "template", "block", "break", "continue"):
            raise Unsupported(f"template action {word}")
        if word in ("if", "with", "range"):
            node = _Node(word, pipeline=_pipeline(rest))
            current.append(node)
            stack.append((node, current))
            current = node.body
        elif word == "else":
            if not stack:
                raise TemplateError("unexpected {{else}}")
            node, _ = stack[-1]
            if current is node.otherwise:
                raise TemplateError("expected end; found {{else}}")
            current = node.otherwise
            if rest:
                chained = _KEYWORD.fullmatch(rest)
                if chained is None or chained.group(1) != "if" or node.kind != "if":
                    raise Unsupported(f"{{{{else {rest}}}}}")
                inner = _Node("if", pipeline=_pipeline(chained.group(2)))
                current.append(inner)
                # `else if` shares the outer block's {{end}}: the inner block closes with it.
                stack.append((inner, _CHAINED))
                current = inner.body
        elif word == "end":
            if rest or not stack:
                raise TemplateError("unexpected {{end}}")
            while True:
                node, parent = stack.pop()
                if parent is not _CHAINED:
                    current = parent
                    break
    if stack:
        raise TemplateError("unexpected EOF")
    return root


_CHAINED: list[_Node] = []


# ---------------------------------------------------------------------------------------------
# Execution
# ---------------------------------------------------------------------------------------------


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
    if has_final:
        values.append(final)
    try:
        return FUNCTIONS[name](*values)
    except TypeError as err:
        raise TemplateError(f"wrong number of args for {name}: {err}") from err


def _run_pipeline(state: _State, dot: Any, pipeline: list[list[Any]]) -> Any:
    value: Any = MISSING
    for index, command in enumerate(pipeline):
        value = _command(state, dot, command, value, index > 0)
    return value


def _execute(state: _State, dot: Any, nodes: list[_Node], out: list[str]) -> None:
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
            value = _arg(_run_pipeline(state, dot, node.pipeline))
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
