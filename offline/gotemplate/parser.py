"""Parsing: actions into pipelines, and control actions into a tree of nodes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from offline.gotemplate.functions import ARGOCD_FUNCTIONS, FUNCTIONS, GO_BUILTINS
from offline.gotemplate.lexer import action_tokens, lex
from offline.gotemplate.values import TemplateError
from offline.unsupported import Unsupported


@dataclass
class Node:
    """A parsed template: text, an action, or a control block."""

    kind: str  # text | action | if | with | range
    text: str = ""
    pipeline: list[list[Any]] = field(default_factory=list)
    body: list[Node] = field(default_factory=list)
    otherwise: list[Node] = field(default_factory=list)


def _go_string(token: str) -> str:
    try:
        return str(json.loads(token))
    except json.JSONDecodeError as err:
        raise Unsupported(f"Go string literal {token} (escapes JSON does not share)") from err


def _number(token: str) -> int | float:
    """A number constant as text/template's idealConstant types it: an int unless written with `.` or `e`."""
    clean = token.replace("_", "")
    try:
        return int(clean, 0)
    except ValueError:
        pass
    if re.fullmatch(r"[-+]?0[0-7]+", clean):
        return int(clean, 8)  # strconv.ParseInt with base 0: a leading 0 is octal, as in Go source
    value = float(clean)
    return int(value) if value.is_integer() and not re.search(r"[.eE]", clean) else value


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
    tokens = action_tokens(source)
    if not tokens:
        raise TemplateError("missing value for command")
    commands, position = _parse_pipeline(tokens, 0, False)
    if position != len(tokens):
        raise TemplateError("unexpected right paren")
    return commands


_KEYWORD = re.compile(r"(if|else|end|with|range|define|template|block|break|continue)\b\s*(.*)", re.S)


def parse(template: str) -> list[Node]:
    """The template's nodes; raises TemplateError for what Go's parser rejects."""
    root: list[Node] = []
    # Stack of (node, which list is being filled, keyword) for open blocks.
    stack: list[tuple[Node, list[Node]]] = []
    current = root
    for kind, value in lex(template):
        if kind == "text":
            current.append(Node("text", text=value))
            continue
        if value.startswith("/*"):
            if not value.endswith("*/"):
                raise TemplateError("unclosed comment")
            continue
        keyword = _KEYWORD.fullmatch(value)
        if keyword is None:
            current.append(Node("action", pipeline=_pipeline(value)))
            continue
        word, rest = keyword.group(1), keyword.group(2)
        if word in ("define", "template", "block", "break", "continue"):
            raise Unsupported(f"template action {word}")
        if word in ("if", "with", "range"):
            node = Node(word, pipeline=_pipeline(rest))
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
                inner = Node("if", pipeline=_pipeline(chained.group(2)))
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


_CHAINED: list[Node] = []
