"""Reading a stack's `slipway:*` sections: validate once, or one readable line per problem.

`load_settings` validates every section and the checks that span them, and either returns a frozen
`Settings` or raises `SettingsError` (key path, bad value, what was expected; never a secret's value).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any, get_args

import pulumi
from pydantic import BaseModel, SecretStr, ValidationError

from settings.base import NAMESPACE, PATTERN_MEANINGS
from settings.checks import cross_checks
from settings.stack import SECTIONS, Settings
from settings.text import text_problems


class SettingsError(pulumi.RunError):
    """A stack file that does not validate; `problems` holds one readable line each.

    A `pulumi.RunError`, so a real `pulumi up` prints the message without a traceback.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid stack settings:\n" + "\n".join(f"  - {p}" for p in problems))


def _key_path(loc: tuple[int | str, ...]) -> str:
    path = f"{NAMESPACE}:{loc[0]}" if loc else NAMESPACE
    for part in loc[1:]:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _holds_secret(loc: tuple[int | str, ...]) -> bool:
    """Whether the value at `loc` is a secret setting, sits inside one, or stands for a section holding one."""
    keys = tuple(part for part in loc if isinstance(part, str))
    return any(path[: len(keys)] == keys or keys[: len(path)] == path for path in _secret_paths())


@cache
def _secret_paths() -> tuple[tuple[str, ...], ...]:
    """The secret settings' key paths, walked once: the free-text check asks for every string of the file."""
    return tuple(secret_field_paths(Settings))


def _shown(value: Any, loc: tuple[int | str, ...]) -> str:
    if _holds_secret(loc) or any(
        isinstance(part, str) and re.search(r"token|password|secret|key$", part, re.I) for part in loc
    ):
        return "[secret]"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _describe(error: Any) -> str:
    loc = tuple(error["loc"])
    path = _key_path(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        # The value is not shown: a misspelt key may well hold a secret.
        return f"{path}: unknown key, expected one of the keys in docs/SETTINGS.md"
    if kind == "missing":
        return f"{path}: required key is missing"
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind in ("value_error", "assertion_error"):
        return f"{path}: {message}"
    if kind == "string_pattern_mismatch":
        message = PATTERN_MEANINGS.get(error["ctx"]["pattern"], message)
    for wording, plain in _PLAIN_WORDS:
        message = message.replace(wording, plain)
    return f"{path}: got {_shown(error['input'], loc)}, expected {message}"


# pydantic's wording, turned into the object of "expected ...".
_PLAIN_WORDS = (
    ("Input should be a valid ", "a "),
    ("Input should be ", ""),
    ("String should have at most", "a string of at most"),
    ("List should have at least", "a list of at least"),
    ("List should have at most", "a list of at most"),
    ("Value should have at least", "at least"),
)


def sections_from_config(config: Mapping[str, str]) -> dict[str, Any]:
    """The `slipway:*` keys of a flat Pulumi config (structured values are JSON text), by section."""
    raw: dict[str, Any] = {}
    for key, text in config.items():
        if key.startswith(f"{NAMESPACE}:"):
            try:
                raw[key.removeprefix(f"{NAMESPACE}:")] = json.loads(text)
            except (TypeError, json.JSONDecodeError):
                raw[key.removeprefix(f"{NAMESPACE}:")] = text
    return raw


def load_settings(raw: Mapping[str, Any], stack: str) -> Settings:
    """Validate the raw `slipway:*` sections of stack `stack`, or raise `SettingsError`."""
    unknown = sorted(set(raw) - set(SECTIONS))
    problems = [f"{NAMESPACE}:{key}: unknown config section, expected one of {', '.join(SECTIONS)}" for key in unknown]
    sections = {key: value for key, value in raw.items() if key in SECTIONS}
    # Free text first: a key holding a control character must not reach the lines below unescaped.
    text = text_problems(sections, _holds_secret)
    if text:
        raise SettingsError(problems + text)
    try:
        settings = Settings.model_validate(sections)
    except ValidationError as err:
        raise SettingsError(problems + [_describe(e) for e in err.errors()]) from None
    problems += cross_checks(settings, stack)
    if problems:
        raise SettingsError(problems)
    return settings


def secret_field_paths(model: type[BaseModel]) -> Iterator[tuple[str, ...]]:
    for name, info in model.model_fields.items():
        key = info.alias or name
        outer = {info.annotation, *get_args(info.annotation)}
        kinds = outer | {inner for kind in outer for inner in get_args(kind)}
        if SecretStr in kinds:
            yield (key,)
        for kind in kinds:
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                yield from ((key, *rest) for rest in secret_field_paths(kind))


def stored_secrets(raw: Mapping[str, Any]) -> list[str]:
    """The key paths (`slipway:registries.ghcr.pullToken`) of secret-typed settings present in `raw`."""
    found = []
    for path in _secret_paths():
        value: Any = raw
        for part in path:
            value = value.get(part) if isinstance(value, Mapping) else None
        if value is not None:
            found.append(f"{NAMESPACE}:{path[0]}." + ".".join(path[1:]))
    return found
