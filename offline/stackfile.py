"""Reads `Pulumi.<stack>.yaml` into the flat config the Pulumi CLI would hand a program.

Structured values become JSON text under their top-level key (`slipway:azure` ->
`{"location": ...}`), bare keys take the project's namespace, and the keys that hold a
secret are listed, as the CLI does. A value stored encrypted (`secure: v1:...`) cannot be
decrypted without the stack's secrets provider: it becomes a placeholder that names its
key path, and its top-level key is marked secret, so the program treats it as a secret.

The file is read as strictly as Pulumi reads it, and a little more, by ruamel.yaml with YAML
1.2 rules (mostly those of Pulumi's parser, gopkg.in/yaml.v3), in two passes: every parse
event is checked first, and values are built only from a file that passes. Refused as Pulumi
refuses them: duplicate keys, an alias inside the value it names, an unknown alias. Bounded
where Pulumi's bounds (10,000 levels, 400,000 alias-expanded values) are past what Python
builds in seconds: the file's size, its nesting, its values once aliases are expanded.
Refused because YAML parsers read them differently (YAML 1.1, YAML 1.2, Pulumi's): unquoted
y/n/yes/no/on/off, leading-zero numbers, dates, infinities, explicit tags. A namespace that
looks like the project's (`Slipway:`, `slipwy:`) is refused too: Pulumi would keep it for
another project, silently. Each problem is one line, `file:line: key: what is wrong,
expected what`, and none shows a value: it could be a secret.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
)
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import VersionedResolver

from offline.gojson import json_float, marshal

PLACEHOLDER = "offline-placeholder-for-{path}"

# Slipway's own stack files are under 5 KB; the benchmark's 1,000-service stack about 100 KB.
MAX_BYTES = 128 * 1024
# The deepest setting sits 6 levels down (config > section > ... > list item).
MAX_DEPTH = 16
# Values (keys, scalars, lists, mappings) once every alias is replaced by what it names: building
# each costs ruamel.yaml about 40 µs. Slipway's prod stack holds about 400, the 1,000-service one 6,000.
MAX_VALUES = 20_000
# Problems listed before reading stops: past this, more lines help no one.
MAX_PROBLEMS = 50

_TAG = "tag:yaml.org,2002:"
# ruamel.yaml's implicit-resolution rules (first character -> [(tag, regexp)]) of each YAML version.
_YAML_1_1: dict[Any, list[tuple[Any, Any]]] = VersionedResolver(version=(1, 1)).versioned_resolver
_YAML_1_2: dict[Any, list[tuple[Any, Any]]] = VersionedResolver(version=(1, 2)).versioned_resolver
_KINDS = ("bool", "int", "float", "str", "null")
# Pulumi's parser tries a plain scalar as a timestamp when it starts with four digits and '-' (go-yaml/yaml
# v3.0.1 resolve.go, parseTimestamp), with one-digit fields too (`2015-2-3T3:4:5Z`), which ruamel.yaml reads as text.
_DATE_LIKE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ]|$)")


class StackFileError(Exception):
    """A stack file that is missing or is not a Pulumi stack file: one line per problem."""

    def __init__(self, *problems: str) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class StackConfig:
    config: dict[str, str]
    secret_keys: list[str]
    # Key paths (`slipway:registries.ghcr.pullToken`) of the values stored encrypted.
    secure_paths: list[str] = field(default_factory=list)
    # Line of each key in the file, by key path as written (`slipway:azure.location`).
    lines: dict[str, int] = field(default_factory=dict)

    def where(self, source: str, path: str, project: str = "slipway") -> str:
        """`file:line` of a key path, its bare spelling (`azure.location`) tried too."""
        line = self.lines.get(path, self.lines.get(path.removeprefix(f"{project}:")))
        return source if line is None else f"{source}:{line}"


class _RejectedError(Exception):
    """Raised from inside the parse: the problems found, as (line, key path, message)."""

    def __init__(self, problems: list[tuple[int, str, str]]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s)")


@dataclass
class _Frame:
    """One open mapping or sequence; `key` is its current key (mapping) or index (sequence)."""

    mapping: bool
    key: str | int | None = None
    expect_key: bool = True
    keys: dict[str, int] = field(default_factory=dict)


def _octal_differs(digits: str) -> bool:
    """Whether a leading-zero number reads differently as octal (YAML 1.1, Pulumi) and decimal (YAML 1.2)."""
    unsigned = digits.lstrip("+-")
    return bool(set(unsigned) & set("89")) or int(unsigned, 8) != int(unsigned, 10)


def _implicit_tag(rules: dict[Any, list[tuple[Any, Any]]], value: str) -> str:
    """The tag an unquoted scalar resolves to under `rules`, as `VersionedResolver.resolve` finds it."""
    for tag, regexp in rules.get(value[:1], []) + rules.get(None, []):
        if regexp.match(value):
            return str(tag).removeprefix(_TAG)
    return "str"


@lru_cache(maxsize=4096)
def _plain_problem(value: str) -> str | None:
    """Why an unquoted scalar is ambiguous, or None when what was meant is clear.

    Refused where YAML 1.1, YAML 1.2 and Pulumi's parser read a different kind of value and
    either was plausible (`on`, `1:30`, `0777`), or where no setting takes what they read (a
    date, infinity). Numbers only YAML 1.1 reads as text (`0o17`, `-.5`) are read as YAML 1.2
    and Pulumi read them.
    """
    tag_1_1 = _implicit_tag(_YAML_1_1, value)
    tag_1_2 = _implicit_tag(_YAML_1_2, value)
    if tag_1_2 == "timestamp" or _DATE_LIKE.match(value):
        return "an unquoted date or time, which YAML reads as a timestamp, expected text: quote it"
    if tag_1_1 == "bool" and tag_1_2 == "str":
        return (
            "an unquoted y/n/yes/no/on/off, a boolean in YAML 1.1 but text in YAML 1.2 and Pulumi, "
            "expected true or false for a switch, or the word quoted"
        )
    if tag_1_2 not in _KINDS:
        return f"an unquoted '{value}', which YAML reads as a {tag_1_2} marker, expected it quoted"
    if tag_1_2 == "str" and tag_1_1 != "str":
        return "a base-60 number in YAML 1.1 (1:30 is 90) but text in YAML 1.2 and Pulumi, expected it quoted"
    digits = value.replace("_", "")
    leading_zero = re.fullmatch(r"[-+]?0[0-9]+", digits) is not None
    if tag_1_2 == "int" and leading_zero and _octal_differs(digits):
        return (
            "a number with a leading 0, which YAML parsers read differently (octal, decimal or text), "
            "expected it without the 0, or quoted if it is text"
        )
    try:
        # No 64-bit number takes more than 67 characters (-0b and 64 digits); Python refuses 4,300 digits.
        if tag_1_2 == "int" and (len(digits) > 67 or not -(2**63) <= int(digits, 10 if leading_zero else 0) < 2**64):
            return "a whole number past 64 bits, expected a smaller number, or quoted if it is text"
        if tag_1_2 == "float" and not math.isfinite(float(re.sub(r"\.(inf|nan)", r"\1", digits, flags=re.I))):
            return "an infinite or not-a-number value, expected a finite number, or quoted if it is text"
    except ValueError:
        return "not a number YAML can read, expected a number, or quoted text"
    return None


class _Checker:
    """Checks ruamel.yaml's parse events one by one, before any value is built from them.

    Fatal problems (too deep, too many values, an alias that cannot be followed) stop the
    parse at once; the others are gathered and raised at the document's end.
    """

    def __init__(self) -> None:
        self.documents = 0
        self.frames: list[_Frame] = []
        self.values = 0
        self.anchors: dict[str, tuple[int, int | None]] = {}  # name -> (line, expanded size once closed)
        self.opened: list[tuple[str | None, int]] = []  # per open collection: its anchor, values before it
        self.problems: list[tuple[int, str, str]] = []
        self.lines: dict[str, int] = {}

    def path(self) -> str:
        parts = ""
        for index, frame in enumerate(self.frames):
            if frame.key is None or (index == 0 and frame.key == "config" and len(self.frames) > 1):
                continue
            parts += f"[{frame.key}]" if isinstance(frame.key, int) else f"{'.' if parts else ''}{frame.key}"
        return parts or "(top)"

    def problem(self, event: Event, message: str, *, fatal: bool = False) -> None:
        line = event.start_mark.line + 1
        self.problems.append((line, self.path(), message))
        if len(self.problems) == MAX_PROBLEMS:
            self.problems.append((line, "(file)", f"{MAX_PROBLEMS} problems so far, the rest not checked"))
            raise _RejectedError(self.problems)
        if fatal:
            raise _RejectedError(self.problems)

    def see(self, event: Event) -> None:
        if isinstance(event, DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self.problem(event, "a second YAML document, expected one document", fatal=True)
        if isinstance(event, DocumentEndEvent) and self.problems:
            raise _RejectedError(self.problems)
        if isinstance(event, CollectionEndEvent):
            self.frames.pop()
            anchor, before = self.opened.pop()
            if anchor is not None:
                self.anchors[anchor] = (self.anchors[anchor][0], self.values - before)
            self.done()
            return
        if not isinstance(event, NodeEvent):
            return
        top = self.frames[-1] if self.frames else None
        if top is not None and top.mapping and top.expect_key:
            self.key(event, top)
            return
        if isinstance(event, AliasEvent):
            self.alias(event)
            self.done()
            return
        self.count(event, 1)
        if event.anchor is not None:
            self.anchor(event)
        if isinstance(event, ScalarEvent):
            self.scalar(event)
            self.done()
            return
        assert isinstance(event, CollectionStartEvent)
        if event.tag is not None and event.tag not in (f"{_TAG}map", f"{_TAG}seq"):
            self.problem(event, f"the tag {event.tag}, expected a plain mapping or list")
        mapping = isinstance(event, MappingStartEvent)
        self.opened.append((event.anchor, self.values - 1))
        self.frames.append(_Frame(mapping=mapping, key=None if mapping else 0))
        if len(self.frames) > MAX_DEPTH:
            self.problem(event, f"nested more than {MAX_DEPTH} levels deep, expected at most {MAX_DEPTH}", fatal=True)

    def done(self) -> None:
        """A value is complete: its mapping waits for the next key, its list counts it."""
        if not self.frames:
            return
        top = self.frames[-1]
        if top.mapping:
            top.expect_key = True
        else:
            assert isinstance(top.key, int)
            top.key += 1

    def key(self, event: NodeEvent, top: _Frame) -> None:
        if not isinstance(event, ScalarEvent):
            top.key = None
            self.problem(event, "a key that is a list, a mapping or an alias, expected a text key", fatal=True)
        assert isinstance(event, ScalarEvent)
        self.count(event, 1)
        if event.anchor is not None:
            self.anchor(event)
        line = event.start_mark.line + 1
        top.key = event.value
        top.expect_key = False
        plain = event.ctag is None and not event.style
        if plain and event.value == "<<":
            pass  # a merge key, as YAML 1.1 and Pulumi's parser take it
        elif event.ctag is not None and event.tag != f"{_TAG}str":
            self.problem(event, f"a key tagged {event.tag}, expected a text key")
        elif plain and (reason := _plain_problem(event.value)) is not None:
            self.problem(event, f"this key is {reason}")
        elif plain and _implicit_tag(_YAML_1_2, event.value) != "str":
            self.problem(event, "a key that YAML reads as a number, a boolean or null, expected a text key: quote it")
        if event.value in top.keys:
            self.problem(event, f"duplicate key, first on line {top.keys[event.value]}, expected each key once")
        else:
            top.keys[event.value] = line
            self.lines.setdefault(self.path(), line)

    def anchor(self, event: NodeEvent) -> None:
        if event.anchor in self.anchors:
            first = self.anchors[event.anchor][0]
            self.problem(
                event, f"anchor &{event.anchor} defined again (first on line {first}), expected once", fatal=True
            )
        self.anchors[event.anchor] = (event.start_mark.line + 1, 1 if isinstance(event, ScalarEvent) else None)

    def alias(self, event: AliasEvent) -> None:
        line, size = self.anchors.get(event.anchor, (0, None))
        if not line:
            self.problem(
                event, f"alias *{event.anchor} names no anchor before it, expected a defined &anchor", fatal=True
            )
        if size is None:
            self.problem(event, f"alias *{event.anchor} inside the value it names, expected a finite value", fatal=True)
        assert size is not None
        self.count(event, size)

    def count(self, event: Event, values: int) -> None:
        self.values += values
        if self.values > MAX_VALUES:
            self.problem(
                event,
                f"the file holds more than {MAX_VALUES:,} values once aliases are expanded, "
                f"expected at most {MAX_VALUES:,}",
                fatal=True,
            )

    def scalar(self, event: ScalarEvent) -> None:
        if event.ctag is not None:
            if event.tag != f"{_TAG}str":
                self.problem(event, f"a value tagged {event.tag}, expected a plain or quoted value")
        elif not event.style and (reason := _plain_problem(event.value)) is not None:
            self.problem(event, reason)


def _read(text: str, checker: _Checker, *, pure: bool) -> Any:
    """Two passes: the events, checked as they come (stopping at the first fatal problem), then the values."""
    for event in YAML(typ="safe", pure=pure).parse(text):
        checker.see(event)
    return YAML(typ="safe", pure=pure).load(text)


def read_stack_file(path: Path) -> tuple[Any, dict[str, int]]:
    """The parsed stack file and the line of each key path, or `StackFileError`."""
    name = path.name
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise StackFileError(f"{name}:1: (file): {len(data):,} bytes, expected at most {MAX_BYTES:,}")
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        raise StackFileError(f"{name}: (file): byte {err.start} is not UTF-8, expected UTF-8 text") from None
    checker = _Checker()
    try:
        try:
            document = _read(text, checker, pure=False)
        except MarkedYAMLError:
            # The C parser (libyaml's) refuses some YAML 1.2 that Pulumi's parser reads, such as
            # `{url: https://host}`: ruamel.yaml's own parser decides.
            checker = _Checker()
            document = _read(text, checker, pure=True)
    except _RejectedError as rejected:
        raise StackFileError(
            *(f"{name}:{line}: {key}: {message}" for line, key, message in rejected.problems)
        ) from None
    except MarkedYAMLError as err:
        mark = err.context_mark or err.problem_mark
        at = "" if mark is None else f":{mark.line + 1}"
        what = "; ".join(part for part in (err.context, err.problem) if part)
        raise StackFileError(f"{name}{at}: {checker.path()}: not valid YAML: {what}") from None
    except ReaderError as err:
        line = text.count("\n", 0, err.position) + 1
        raise StackFileError(
            f"{name}:{line}: (file): character #x{err.character:04x} is not allowed in YAML, expected printable text"
        ) from None
    except YAMLError as err:
        raise StackFileError(f"{name}: (file): not valid YAML: {' '.join(str(err).split())}") from None
    return document, checker.lines


def _pulumi_roundtrip(value: Any) -> Any:
    """A float that go-yaml writes back without a fraction (`100`, `-0`) is read again as an int.

    LoadProjectStackBytes marshals the parsed file and unmarshals it again (workspace/loaders.go at
    pulumi/pulumi sdk v3.272.0): strconv's shortest 'g' text has no fraction or exponent for an
    integral float below 1e6, so such a float comes back an int (conformance check 6 shows it).
    """
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e6:
        return int(value)
    if isinstance(value, dict):
        return {key: _pulumi_roundtrip(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_pulumi_roundtrip(item) for item in value]
    return value


def config_json(value: Any) -> str:
    """The text the Pulumi CLI hands a program for one config value (config.Map.Decrypt).

    Structured values are Go's JSON (`offline.gojson`); a top-level scalar is its text as Go
    prints it: null is empty, an int keeps every digit, a float is Go's shortest text.
    """
    value = _pulumi_roundtrip(value)
    if isinstance(value, (dict, list)):
        try:
            return marshal(value)
        except ValueError:
            # NaN or an infinity: Go's encoder refuses it, and `read_stack_file` refuses such a file
            # before this point. A document built in code gets JSON's `Infinity` so that the settings'
            # own finite-number check names the key.
            return json.dumps(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return json_float(value)
    return str(value)


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


def _namespace_typo(namespace: str, project: str) -> bool:
    """`Slipway`, `slipwy`, `slpiway`: a namespace meant to be the project's own."""
    folded = namespace.lower()
    return namespace != project and (folded == project or difflib.SequenceMatcher(None, folded, project).ratio() >= 0.8)


def parse_stack_config(document: Any, project: str, source: str, lines: dict[str, int] | None = None) -> StackConfig:
    """The CLI's view of one stack file's `config:` block."""
    lines = lines or {}
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise StackFileError(f"{source}: expected a mapping with a 'config' key, got {type(document).__name__}")
    raw = document.get("config") or {}
    if not isinstance(raw, dict):
        raise StackFileError(f"{source}: 'config' must be a mapping of keys to values")
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    secure_paths: list[str] = []
    problems: list[str] = []
    for key, value in raw.items():
        namespace, colon, name = str(key).partition(":")
        if colon and _namespace_typo(namespace, project):
            where = f"{source}:{lines[key]}" if key in lines else source
            problems.append(
                f"{where}: {key}: unknown config namespace '{namespace}', expected {project}: "
                f"did you mean {project}:{name}?"
            )
        full_key = key if colon else f"{project}:{key}"
        found: list[str] = []
        config[full_key] = config_json(_substitute(value, full_key, found))
        secure_paths += found
        if found:
            secret_keys.append(full_key)
    if problems:
        raise StackFileError(*problems)
    return StackConfig(config=config, secret_keys=secret_keys, secure_paths=secure_paths, lines=lines)


def load_stack_config(project_dir: Path, stack: str, project: str = "slipway") -> StackConfig:
    path = project_dir / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        stacks = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in project_dir.glob("Pulumi.*.yaml"))
        raise StackFileError(f"no stack file {path.name} in {project_dir} (stacks here: {', '.join(stacks) or 'none'})")
    document, lines = read_stack_file(path)
    return parse_stack_config(document, project, path.name, lines)
