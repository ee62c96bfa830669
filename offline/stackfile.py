"""Reads `Pulumi.<stack>.yaml` into the flat config the Pulumi CLI would hand a program.

Structured values become JSON text under their top-level key (`slipway:azure` ->
`{"location": ...}`), bare keys take the project's namespace, and the keys that hold a
secret are listed, as the CLI does. A value stored encrypted (`secure: v1:...`) cannot be
decrypted without the stack's secrets provider: it becomes a placeholder that names its
key path, and its top-level key is marked secret, so the program treats it as a secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from offline.outputs import config_json

PLACEHOLDER = "offline-placeholder-for-{path}"


class StackFileError(Exception):
    """A stack file that is missing or is not a Pulumi stack file."""


@dataclass(frozen=True)
class StackConfig:
    config: dict[str, str]
    secret_keys: list[str]


def _is_secure(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"secure"}


def _substitute(value: Any, path: str, found: list[str]) -> Any:
    if _is_secure(value):
        found.append(path)
        return PLACEHOLDER.format(path=path)
    if isinstance(value, dict):
        return {key: _substitute(item, f"{path}.{key}", found) for key, item in value.items()}
    if isinstance(value, list):
        return [_substitute(item, f"{path}[{index}]", found) for index, item in enumerate(value)]
    return value


def parse_stack_config(document: Any, project: str, source: str) -> StackConfig:
    """The CLI's view of one stack file's `config:` block."""
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise StackFileError(f"{source}: expected a mapping with a 'config' key, got {type(document).__name__}")
    raw = document.get("config") or {}
    if not isinstance(raw, dict):
        raise StackFileError(f"{source}: 'config' must be a mapping of keys to values")
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in raw.items():
        full_key = key if ":" in str(key) else f"{project}:{key}"
        found: list[str] = []
        config[full_key] = config_json(_substitute(value, full_key, found))
        if found:
            secret_keys.append(full_key)
    return StackConfig(config=config, secret_keys=secret_keys)


def load_stack_config(project_dir: Path, stack: str, project: str = "slipway") -> StackConfig:
    path = project_dir / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        stacks = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in project_dir.glob("Pulumi.*.yaml"))
        raise StackFileError(f"no stack file {path.name} in {project_dir} (stacks here: {', '.join(stacks) or 'none'})")
    try:
        document = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        raise StackFileError(f"{path.name} is not valid YAML: {err}") from None
    return parse_stack_config(document, project, path.name)
