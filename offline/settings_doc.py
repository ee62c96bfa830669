"""The settings reference (`docs/SETTINGS.md`), generated from the settings models themselves.

Every key, its type, default and constraints are read off the pydantic models in
the `settings` package, so the reference cannot drift from what `load_settings` accepts. A test
fails when the committed copy is stale; `python -m offline.settings_doc --write` renews it.
"""

from __future__ import annotations

import argparse
import enum
import inspect
import sys
import types
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

import settings

DOC = Path(__file__).resolve().parent.parent / "docs" / "SETTINGS.md"
HEADER = """# Settings reference

Generated from the `settings` package by `python -m offline.settings_doc --write`; do not edit by hand
(a test fails when this file and the models disagree). Every key lives under a
`slipway:<section>` key of `Pulumi.<stack>.yaml`; unknown keys are rejected at every level.
Keys marked *secret* are Pulumi secrets: set them with
`pulumi config set --secret --path 'slipway:<section>.<key>' <value>`.
"""


def _type_name(annotation: Any) -> str:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        words = _constraints(args[1:])
        return _type_name(args[0]) + (f" ({'; '.join(words)})" if words else "")
    if origin in (Union, types.UnionType):
        names = [_type_name(arg) for arg in args if arg is not type(None)]
        return " or ".join(names) + (" (optional)" if type(None) in args else "")
    if origin is Literal:
        return " / ".join(f"`{arg}`" for arg in args)
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"map of {_type_name(args[0])} to {_type_name(args[1])}"
    if inspect.isclass(annotation) and issubclass(annotation, enum.Enum):
        return " / ".join(f"`{member.value}`" for member in annotation)
    if annotation is SecretStr:
        return "string, *secret*"
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    return {str: "string", bool: "boolean", int: "integer", float: "number"}.get(annotation, str(annotation))


_BOUNDS = (
    ("ge", ">="),
    ("gt", ">"),
    ("le", "<="),
    ("lt", "<"),
    ("min_length", "length >="),
    ("max_length", "length <="),
)


def _constraints(metadata: Sequence[Any]) -> list[str]:
    found = []
    for item in metadata:
        pattern = getattr(item, "pattern", None)
        if pattern is not None:
            found.append(settings.pattern_meaning(pattern))
        for attr, word in _BOUNDS:
            value = getattr(item, attr, None)
            if value is not None:
                found.append(f"{word} {value}")
    return found


def _default(info: FieldInfo) -> str:
    if info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg]
    elif info.default is PydanticUndefined:
        return "**required**"
    else:
        value = info.default
    if isinstance(value, BaseModel):
        return "(its defaults)"
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None:
        return "unset"
    return f"`{value!r}`".replace("'", '"') if not isinstance(value, bool) else f"`{str(value).lower()}`"


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> Iterator[type[BaseModel]]:
    if model in seen:
        return
    seen.add(model)
    yield model
    for info in model.model_fields.values():
        stack = [info.annotation]
        while stack:
            kind = stack.pop()
            if inspect.isclass(kind) and issubclass(kind, BaseModel):
                yield from _models(kind, seen)
            stack.extend(get_args(kind))


def _table(model: type[BaseModel]) -> list[str]:
    lines = [f"### {model.__name__}", ""]
    doc = inspect.getdoc(model)
    if doc and doc != inspect.getdoc(BaseModel) and doc != inspect.getdoc(settings.Model):
        lines += [doc, ""]
    lines += ["| key | type | default | constraints |", "|---|---|---|---|"]
    for name, info in model.model_fields.items():
        type_name = _type_name(info.annotation).replace("|", "\\|")
        constraints = "; ".join(_constraints(info.metadata))
        lines.append(f"| `{info.alias or name}` | {type_name} | {_default(info)} | {constraints} |")
    return [*lines, ""]


def render() -> str:
    """The whole reference, one section per `slipway:<section>` key."""
    out = [HEADER]
    seen: set[type[BaseModel]] = set()
    for section in settings.SECTIONS:
        info = settings.Settings.model_fields[section]
        out += [f"## `slipway:{section}`", ""]
        for kind in (info.annotation, *get_args(info.annotation)):
            if inspect.isclass(kind) and issubclass(kind, BaseModel):
                for found in _models(kind, seen):
                    out += _table(found)
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.settings_doc", description=__doc__)
    parser.add_argument("--write", action="store_true", help=f"write {DOC.relative_to(DOC.parent.parent)}")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        DOC.parent.mkdir(exist_ok=True)
        DOC.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
