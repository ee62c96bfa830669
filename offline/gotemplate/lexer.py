"""Lexing: a template into text and actions (trim markers applied), an action into tokens."""

from __future__ import annotations

import re

from offline.gotemplate.values import TemplateError
from offline.unsupported import Unsupported

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


_OPENERS = ("(", "|", ",", "=", ":=")
_CLOSERS = (")", "|", ",", "=", ":=")


def _adjacent(previous: tuple[str, str], token: tuple[str, str]) -> None:
    """Two tokens with no space between: parse.go's `command` wants a space, `)` or `|` after an operand."""
    if (token[0] == "punct" and token[1] in _CLOSERS) or (previous[0] == "punct" and previous[1] in _OPENERS):
        return
    if token[0] == "field" and previous[0] == "variable":
        return  # `$.name`, `$x.y`: a variable's fields
    if token[0] == "field" and (previous[0] == "ident" or previous == ("punct", ")")):
        raise Unsupported("a field chained to a function or a parenthesised pipeline")
    raise TemplateError(f"unexpected {token[1]!r} in operand")


def action_tokens(source: str) -> list[tuple[str, str]]:
    """The (kind, text) tokens of one action's body, kinds named as in `_TOKEN`."""
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(source):
        if not source[position:].strip():
            break
        match = _TOKEN.match(source, position)
        if match is None or match.lastgroup is None:
            raise TemplateError(f"unexpected {source[position:].strip()!r} in command")
        token = (match.lastgroup, match.group(match.lastgroup))
        if tokens and match.start(match.lastgroup) == position:
            _adjacent(tokens[-1], token)
        tokens.append(token)
        position = match.end()
    return tokens


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


def lex(template: str) -> list[tuple[str, str]]:
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
