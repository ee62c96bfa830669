"""The function table: Go's builtins and the sprig functions (with ArgoCD's additions) implemented here."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from offline.gotemplate.values import (
    StringMap,
    TemplateError,
    argument,
    compare,
    go_equal,
    go_kind,
    go_print,
    truth,
)
from offline.unsupported import Unsupported

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
_REFERENCE = Path(__file__).parent.parent / "reference"
_SPRIG = frozenset((_REFERENCE / "sprig-v3.3.0-generic-functions.txt").read_text().split())
# applicationset/utils/utils.go init(): removed for safety, and ArgoCD's additions.
ARGOCD_FUNCTIONS = (_SPRIG - {"env", "expandenv", "getHostByName"}) | {
    "normalize",
    "slugify",
    "toYaml",
    "fromYaml",
    "fromYamlArray",
}


def _string(value: Any) -> str:
    """sprig's strval: a string as is, anything else as fmt's %v prints it (nil is `<nil>`)."""
    return go_print(argument(value), nested=True)


def _go_quote(text: str) -> str:
    """strconv.Quote (%q) for text whose escapes Go and JSON write alike."""
    if any((ord(char) < 0x20 and char not in "\n\t\r") or ord(char) == 0x7F for char in text):
        raise Unsupported("quoting control characters as Go's %q does")
    return json.dumps(text, ensure_ascii=False)


def _empty(value: Any) -> bool:
    value = argument(value)
    if value is None:
        return True
    if isinstance(value, (str, Mapping, list, tuple)):
        return len(value) == 0
    if isinstance(value, (bool, int, float)):
        return not value
    raise Unsupported(f"sprig empty of a {type(value).__name__}")


def _index(item: Any, *keys: Any) -> Any:
    item = argument(item)
    for key in keys:
        key = argument(key)
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
    item = argument(item)
    if isinstance(item, (str, Mapping, list, tuple)):
        return len(item.encode() if isinstance(item, str) else item)
    raise TemplateError(f"error calling len: len of type {type(item).__name__}")


def _printf(form: Any, *args: Any) -> str:
    if not isinstance(form, str):
        raise TemplateError("printf: format is not a string")
    values = iter(args)
    used = 0

    def verb(match: re.Match[str]) -> str:
        nonlocal used
        if match.group(0) == "%%":
            return "%"
        if match.group(0) not in ("%s", "%v", "%d", "%q"):
            raise Unsupported(f"printf verb {match.group(0)}")
        if used == len(args):
            return f"%!{match.group(0)[1]}(MISSING)"
        value = argument(next(values))
        used += 1
        if match.group(0) == "%s" and not isinstance(value, str):
            raise Unsupported("printf %s of a non-string")
        if match.group(0) == "%d":
            if go_kind(value) != "int":
                raise Unsupported("printf %d of a non-integer")
            return str(value)
        if match.group(0) == "%q":
            if not isinstance(value, str):
                raise Unsupported("printf %q of a non-string")
            return _go_quote(value)
        return go_print(value, nested=True)

    out = re.sub(r"%[-+# 0-9.]*[a-zA-Z%]", verb, form)
    if used < len(args):
        raise Unsupported("printf with extra arguments")
    return out


def _print(*args: Any) -> str:
    # fmt.Sprint adds spaces between operands when neither is a string.
    out = ""
    for position, value in enumerate(args):
        value = argument(value)
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
    value = argument(value)
    text = json.dumps(_go_json_number(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028")):
        text = text.replace(char, escape)
    return text.replace("\u2029", "\\u2029")


def _to_yaml(value: Any) -> str:
    """sigs.k8s.io/yaml Marshal (through JSON, keys sorted), without the final newline."""
    value = _go_json_number(argument(value))
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


def _indent(spaces: int, text: Any) -> str:
    if spaces < 0:  # strings.Repeat panics, and text/template reports the panic
        raise TemplateError("error calling indent: strings: negative Repeat count")
    pad = " " * spaces
    return pad + _string(text).replace("\n", "\n" + pad)


def _join(separator: Any, items: Any) -> str:
    items = argument(items)
    if isinstance(items, str):
        return items
    if not isinstance(items, (list, tuple)):
        raise Unsupported("sprig join of a non-list")
    return _string(separator).join(_string(item) for item in items if item is not None)


def _default(fallback: Any, *given: Any) -> Any:
    value = argument(given[0]) if given else None
    return fallback if _empty(value) else value


def _list_last(items: Any, first: bool) -> Any:
    items = argument(items)
    if items is None:  # sprig calls reflect.TypeOf(nil).Kind(): a nil pointer dereference
        raise TemplateError(
            "error calling first/last: runtime error: invalid memory address or nil pointer dereference"
        )
    if not isinstance(items, (list, tuple)):
        raise TemplateError("Cannot find first/last on type")
    if not items:
        return None
    return items[0] if first else items[-1]


def _get(mapping: Any, key: Any) -> Any:
    mapping = argument(mapping)
    if mapping is None:  # a nil map: every key is missing
        return ""
    if not isinstance(mapping, Mapping):
        raise TemplateError("error calling get: wrong type for value")
    return mapping.get(key, "")


def _no_comparison() -> bool:
    raise TemplateError("error calling eq: missing argument for comparison")


def _dict(*pairs: Any) -> dict[str, Any]:
    if len(pairs) % 2:
        pairs = (*pairs, "")
    return {_string(pairs[i]): argument(pairs[i + 1]) for i in range(0, len(pairs), 2)}


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "index": _index,
    "len": _len,
    "print": _print,
    "printf": _printf,
    "eq": lambda left, *rights: any(go_equal(left, right) for right in rights) if rights else _no_comparison(),
    "ne": lambda left, right: not go_equal(left, right),
    "lt": lambda left, right: compare("lt", left, right) < 0,
    "le": lambda left, right: compare("le", left, right) <= 0,
    "gt": lambda left, right: compare("gt", left, right) > 0,
    "ge": lambda left, right: compare("ge", left, right) >= 0,
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
    "quote": lambda *items: " ".join(_go_quote(_string(item)) for item in map(argument, items) if item is not None),
    "squote": lambda *items: " ".join(f"'{_string(item)}'" for item in map(argument, items) if item is not None),
    "indent": _indent,
    "nindent": lambda spaces, text: "\n" + _indent(spaces, text),
    "join": _join,
    "splitList": lambda separator, text: text.split(separator) if separator else list(text),
    "list": lambda *items: [argument(item) for item in items],
    "dict": _dict,
    "get": _get,
    "first": lambda items: _list_last(items, True),
    "last": lambda items: _list_last(items, False),
    "ternary": lambda yes, no, condition: yes if argument(condition) is True else no,
    "toJson": _to_json,
    "toYaml": _to_yaml,
    "fromYaml": lambda text: _from_yaml(text, dict),
    "fromYamlArray": lambda text: _from_yaml(text, list),
    "base": _base,
    "normalize": lambda text: sanitize_name(_string(text)),
}
