"""Stack files read as the Pulumi CLI would hand them to the program."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from offline.stackfile import (
    MAX_BYTES,
    MAX_PROBLEMS,
    StackFileError,
    load_stack_config,
    parse_stack_config,
    read_stack_file,
)


def test_structured_values_become_json_and_bare_keys_take_the_project_namespace() -> None:
    parsed = parse_stack_config({"config": {"slipway:azure": {"location": "westeurope"}, "plain": 3}}, "slipway", "t")
    assert json.loads(parsed.config["slipway:azure"]) == {"location": "westeurope"}
    assert parsed.config["slipway:plain"] == "3"
    assert parsed.secret_keys == []


def test_secure_values_become_placeholders_and_mark_their_key_secret() -> None:
    document = {"config": {"slipway:registries": {"ghcr": {"owner": "acme", "pullToken": {"secure": "v1:AAAA"}}}}}
    parsed = parse_stack_config(document, "slipway", "t")
    value = json.loads(parsed.config["slipway:registries"])
    assert value["ghcr"]["pullToken"] == "offline-placeholder-for-slipway:registries.ghcr.pullToken"
    assert "v1:AAAA" not in parsed.config["slipway:registries"]
    assert parsed.secret_keys == ["slipway:registries"]


def test_missing_stack_file_names_the_stacks_there(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    with pytest.raises(StackFileError, match=r"no stack file Pulumi.qa.yaml .*stacks here: dev"):
        load_stack_config(tmp_path, "qa")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("config: [unclosed", "not valid YAML"),
        ("- just\n- a list\n", "expected a mapping with a 'config' key, got list"),
        ("config: 42\n", "'config' must be a mapping"),
    ],
)
def test_a_file_that_is_not_a_stack_file(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "Pulumi.bad.yaml").write_text(text)
    with pytest.raises(StackFileError, match=message):
        load_stack_config(tmp_path, "bad")


def problems_of(tmp_path: Path, text: str | bytes) -> list[str]:
    """The lines `load_stack_config` refuses `text` with (none if it reads)."""
    path = tmp_path / "Pulumi.t.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    try:
        load_stack_config(tmp_path, "t")
    except StackFileError as err:
        problems = err.problems
    else:
        return []
    assert all("\n" not in problem for problem in problems)
    return problems


# The Pulumi CLI reads stack files with gopkg.in/yaml.v3 v3.0.1 (pulumi/pulumi commit
# 1b5949891b3cefcb9974752b24a5ecef0acc86c8: sdk/go/common/workspace/loaders.go LoadProjectStackBytes ->
# sdk/go/common/encoding/marshal.go, the version pinned in sdk/go.mod).
# go-yaml/yaml tag v3.0.1, commit f6f7691b1fdeb513f56608cd2c32c51f8194bf51, decode_test.go: the `unique` cases of
# unmarshalStrictTests (duplicate keys are refused by default: decoder.uniqueKeys is true in decode.go) and
# the cases of unmarshalErrorTests. Each is refused here too; the wording is ours (file:line: key: ...).
# Not the same: keys YAML reads as numbers or null (`9:`, `null:`) are refused here as well, and `!!binary`
# is refused for any content, not only bad base64.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\nb: 2\na: 3\n", "Pulumi.t.yaml:3: a: duplicate key, first on line 1, expected each key once"),
        ("c: 3\na: 1\nb: 2\nc: 4\n", "Pulumi.t.yaml:4: c: duplicate key, first on line 1, expected each key once"),
        ("c: 0\na: 1\nb: 2\nc: 1\n", "Pulumi.t.yaml:4: c: duplicate key, first on line 1, expected each key once"),
        ("c: 1\na: 1\nb: 2\nc: 3\n", "Pulumi.t.yaml:4: c: duplicate key, first on line 1, expected each key once"),
        ("a: 1\n9: 2\nnull: 3\n9: 4", "Pulumi.t.yaml:4: 9: duplicate key, first on line 2, expected each key once"),
        ("v: [A,", "Pulumi.t.yaml:1: v[1]: not valid YAML: while parsing a flow node; expected the node content"),
        ("v:\n- [A,", "Pulumi.t.yaml:2: v[0][1]: not valid YAML: while parsing a flow node; expected the node"),
        ("a:\n- b: *,", "Pulumi.t.yaml:2: a[0].b: not valid YAML: while scanning an alias; expected alphabetic"),
        ("a: *b\n", "Pulumi.t.yaml:1: a: alias *b names no anchor before it, expected a defined &anchor"),
        ("a: &a\n  b: *a\n", "Pulumi.t.yaml:2: a.b: alias *a inside the value it names, expected a finite value"),
        ("value: -", "Pulumi.t.yaml:1: value: not valid YAML: sequence entries are not allowed here"),
        ("a: !!binary ==", "Pulumi.t.yaml:1: a: a value tagged tag:yaml.org,2002:binary, expected a plain or quoted"),
        ("{[.]}", "Pulumi.t.yaml:1: (top): a key that is a list, a mapping or an alias, expected a text key"),
        ("{{.}}", "Pulumi.t.yaml:1: (top): a key that is a list, a mapping or an alias, expected a text key"),
        ("b: *a\na: &a {c: 1}", "Pulumi.t.yaml:1: b: alias *a names no anchor before it, expected a defined &anchor"),
        ("a: 1\nb: 2\nc 2\nd: 3\n", "Pulumi.t.yaml:3: b: not valid YAML: while scanning a simple key; could not find"),
        ("#\n-\n{", "Pulumi.t.yaml:3: [0]: not valid YAML: while parsing a flow node; expected the node content"),
        (b"0: [:!00 \xef", "Pulumi.t.yaml: (file): byte 9 is not UTF-8, expected UTF-8 text"),
        (
            "a: &a [00,00,00,00,00,00,00,00,00]\n"
            "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
            "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
            "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
            "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
            "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
            "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
            "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
            "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n",
            "Pulumi.t.yaml:5: e[1]: the file holds more than 20,000 values once aliases are expanded, expected at most",
        ),
    ],
)
def test_what_pulumis_yaml_parser_refuses_is_refused(tmp_path: Path, text: str | bytes, expected: str) -> None:
    assert any(problem.startswith(expected) for problem in problems_of(tmp_path, text)), problems_of(tmp_path, text)


# go-yaml/yaml v3.0.1 (commit above), limit_test.go: limitTests, scaled to fit MAX_BYTES (128 KiB). Pulumi's parser
# stops at 10,000 levels and at 99% of 400,000 decoded values coming from aliases; the bounds here are smaller
# (16 levels, 20,000 values once aliases are expanded, 128 KiB), so some files it reads are refused here.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[" * 60_000, "nested more than 16 levels deep"),  # "deeply nested slices"
        ("x: " + "{" * 60_000, "a key that is a list, a mapping or an alias"),  # "deeply nested maps"
        ("- " * 30_000, "nested more than 16 levels deep"),  # "deeply nested indents"
        ("- " * 1000 + "\n", "nested more than 16 levels deep"),  # "1000-indent lines": read by Pulumi's parser
        (  # "maps with 100 aliases"
            "{a: &a [{a}" + ",{a}" * 10_000 + "], b: &b [*a" + ",*a" * 99 + "]}",
            "the file holds more than 20,000 values once aliases are expanded",
        ),
        ("a: &a [{a}" + ",{a}" * (100 * 1024 // 4 - 1) + "]", "the file holds more than 20,000 values"),  # "100kb"
        ("a: &a [{a}" + ",{a}" * (1000 * 1024 // 4 - 1) + "]", "bytes, expected at most 131,072"),  # "1000kb of maps"
    ],
)
def test_limits_refuse_in_seconds(tmp_path: Path, text: str, expected: str) -> None:
    start = time.perf_counter()
    problems = problems_of(tmp_path, text)
    assert time.perf_counter() - start < 5
    assert len(problems) == 1 and expected in problems[0], problems


@pytest.mark.parametrize("kilobytes", [1, 10])
def test_limits_read_small_maps_of_aliases(tmp_path: Path, kilobytes: int) -> None:
    """limitTests "1kb of maps" and "10kb of maps": read by Pulumi's parser, read here."""
    assert problems_of(tmp_path, "a: &a [{a}" + ",{a}" * (kilobytes * 1024 // 4 - 1) + "]") == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-01-31", "an unquoted date or time, which YAML reads as a timestamp, expected text: quote it"),
        ("2001-12-14t21:59:43.10-05:00", "an unquoted date or time"),
        ("on", "an unquoted y/n/yes/no/on/off, a boolean in YAML 1.1 but text in YAML 1.2 and Pulumi"),
        ("No", "an unquoted y/n/yes/no/on/off"),
        ("y", "an unquoted y/n/yes/no/on/off"),
        ("OFF", "an unquoted y/n/yes/no/on/off"),
        ("0777", "a number with a leading 0, which YAML parsers read differently (octal, decimal or text)"),
        ("-010", "a number with a leading 0"),
        ("09", "a number with a leading 0"),
        ("1:30", "a base-60 number in YAML 1.1 (1:30 is 90) but text in YAML 1.2 and Pulumi, expected it quoted"),
        ("190:20:30.15", "a base-60 number in YAML 1.1"),
        (".inf", "an infinite or not-a-number value, expected a finite number"),
        ("-.Inf", "an infinite or not-a-number value"),
        (".NaN", "an infinite or not-a-number value"),
        ("1e999", "an infinite or not-a-number value"),
        ("123456789012345678901234567890", "a whole number past 64 bits"),
        ("9" * 5000, "a whole number past 64 bits"),
        ("=", "an unquoted '=', which YAML reads as a value marker, expected it quoted"),
    ],
)
def test_values_that_parsers_read_differently_are_refused(tmp_path: Path, value: str, expected: str) -> None:
    problems = problems_of(tmp_path, f"config:\n  slipway:x:\n    key: {value}\n")
    assert len(problems) == 1 and problems[0].startswith(f"Pulumi.t.yaml:3: slipway:x.key: {expected}"), problems


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("1.33.5", "1.33.5"),
        ('"2025-01-31"', "2025-01-31"),
        ("!!str 2025-01-31", "2025-01-31"),
        ("'on'", "on"),
        ("true", True),
        ("07", 7),
        ("00", 0),
        ("-3", -3),
        ("0x1F", 31),
        ("0o17", 15),
        ("-.5", -0.5),
        ("1_000", 1000),
        ("0.99", 0.99),
        ("1e3", 1000.0),
        ("8h", "8h"),
        ("~", None),
    ],
)
def test_values_every_parser_reads_alike_are_read(tmp_path: Path, value: str, read: object) -> None:
    (tmp_path / "Pulumi.t.yaml").write_text(f"config:\n  slipway:x:\n    key: {value}\n")
    assert json.loads(load_stack_config(tmp_path, "t").config["slipway:x"]) == {"key": read}


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    text = "config:\n  slipway:azure:\n    enabled: yes\n    location: a\n    location: b\n  slipway:x: .nan\n"
    assert problems_of(tmp_path, text) == [
        "Pulumi.t.yaml:3: slipway:azure.enabled: an unquoted y/n/yes/no/on/off, a boolean in YAML 1.1 but text in "
        "YAML 1.2 and Pulumi, expected true or false for a switch, or the word quoted",
        "Pulumi.t.yaml:5: slipway:azure.location: duplicate key, first on line 4, expected each key once",
        "Pulumi.t.yaml:6: slipway:x: an infinite or not-a-number value, expected a finite number, or quoted if it is "
        "text",
    ]


def test_no_problem_line_shows_a_value(tmp_path: Path) -> None:
    text = "config:\n  slipway:x:\n    token: 2025-01-31\n    other: !!binary c2VjcmV0\n    more: 0777\n"
    assert all(secret not in problem for problem in problems_of(tmp_path, text) for secret in ("2025", "c2Vj", "777"))


def test_anchors_within_bounds_and_merge_keys_are_read(tmp_path: Path) -> None:
    text = (
        "config:\n  slipway:clusters:\n    hub:\n      adminGroupObjectIds: &admins [a, b]\n"
        "      pool: &pool {vmSize: S, minCount: 1}\n"
        "    gpu:\n      adminGroupObjectIds: *admins\n      pool:\n        <<: *pool\n        minCount: 0\n"
    )
    (tmp_path / "Pulumi.t.yaml").write_text(text)
    assert json.loads(load_stack_config(tmp_path, "t").config["slipway:clusters"]) == {
        "hub": {"adminGroupObjectIds": ["a", "b"], "pool": {"vmSize": "S", "minCount": 1}},
        "gpu": {"adminGroupObjectIds": ["a", "b"], "pool": {"vmSize": "S", "minCount": 0}},
    }


def test_an_anchor_defined_twice_is_refused(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "a: &x 1\nb: &x 2\n") == [
        "Pulumi.t.yaml:2: b: anchor &x defined again (first on line 1), expected once"
    ]


@pytest.mark.parametrize("namespace", ["Slipway", "SLIPWAY", "slipwy", "slpiway", "slipway_", "slipways"])
def test_a_namespace_that_looks_like_the_projects_is_refused(tmp_path: Path, namespace: str) -> None:
    assert problems_of(tmp_path, f"config:\n  {namespace}:azure:\n    protect: true\n") == [
        f"Pulumi.t.yaml:2: {namespace}:azure: unknown config namespace '{namespace}', expected slipway: "
        "did you mean slipway:azure?"
    ]


def test_other_namespaces_and_bare_keys_are_read(tmp_path: Path) -> None:
    text = (
        "config:\n  azure-native:location: westeurope\n  kubernetes:context: kind\n  pulumi:tags: {a: b}\n  azure: {}\n"
    )
    (tmp_path / "Pulumi.t.yaml").write_text(text)
    assert set(load_stack_config(tmp_path, "t").config) == {
        "azure-native:location",
        "kubernetes:context",
        "pulumi:tags",
        "slipway:azure",
    }


def test_key_lines_and_encrypted_paths_are_kept(tmp_path: Path) -> None:
    text = "config:\n  slipway:registries:\n    ghcr:\n      owner: acme\n      pullToken:\n        secure: v1:AAAA\n"
    (tmp_path / "Pulumi.t.yaml").write_text(text)
    stack = load_stack_config(tmp_path, "t")
    assert stack.secure_paths == ["slipway:registries.ghcr.pullToken"]
    assert stack.where("Pulumi.t.yaml", "slipway:registries.ghcr.pullToken") == "Pulumi.t.yaml:5"
    assert stack.where("Pulumi.t.yaml", "slipway:registries.acr") == "Pulumi.t.yaml"


def test_a_file_past_the_size_bound_is_refused_unread(tmp_path: Path) -> None:
    text = "config:\n  slipway:x: " + "a" * MAX_BYTES + "\n"
    assert problems_of(tmp_path, text) == [f"Pulumi.t.yaml:1: (file): {len(text):,} bytes, expected at most 131,072"]


def test_a_control_character_is_refused_with_its_line(tmp_path: Path) -> None:
    assert problems_of(tmp_path, 'config:\n  slipway:x: "a\x07b"\n') == [
        "Pulumi.t.yaml:2: (file): character #x0007 is not allowed in YAML, expected printable text"
    ]


def test_listing_stops_after_max_problems(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, "a: 1\n" * 1000)
    assert len(problems) == MAX_PROBLEMS + 1
    assert (
        problems[-1]
        == f"Pulumi.t.yaml:{MAX_PROBLEMS + 1}: (file): {MAX_PROBLEMS} problems so far, the rest not checked"
    )


MERGE_TESTS = """
anchors:
  list:
    - &CENTER { "x": 1, "y": 2 }
    - &LEFT   { "x": 0, "y": 2 }
    - &BIG    { "r": 10 }
    - &SMALL  { "r": 1 }
plain:
  "x": 1
  "y": 2
  "r": 10
  label: center/big
mergeOne:
  << : *CENTER
  "r": 10
  label: center/big
mergeMultiple:
  << : [ *CENTER, *BIG ]
  label: center/big
override:
  << : [ *BIG, *LEFT, *SMALL ]
  "x": 1
  label: center/big
inlineMap:
  << : {"x": 1, "y": 2, "r": 10}
  label: center/big
inlineSequenceMap:
  << : [ *CENTER, {"r": 10} ]
  label: center/big
"""


# go-yaml/yaml v3.0.1 (commit above), decode_test.go: unmarshalTests decoding into interface{} (or into string
# where that is what the case shows), and mergeTests without its explicit-tag maps (tags are refused here).
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("v: hi", {"v": "hi"}),
        ("v: true", {"v": True}),
        ("v: 10", {"v": 10}),
        ("v: 0b10", {"v": 2}),
        ("v: 0xA", {"v": 10}),
        ("v: 4294967296", {"v": 4294967296}),
        ("v: 0.1", {"v": 0.1}),
        ("v: .1", {"v": 0.1}),
        ("v: -10", {"v": -10}),
        ("v: -.1", {"v": -0.1}),
        ("canonical: 6.8523e+5", {"canonical": 6.8523e5}),
        ("expo: 685.230_15e+03", {"expo": 685.23015e03}),
        ("fixed: 685_230.15", {"fixed": 685230.15}),
        ("canonical: false", {"canonical": False}),
        ("bool: True", {"bool": True}),
        ("bool: FALSE", {"bool": False}),
        ("canonical: 685230", {"canonical": 685230}),
        ("decimal: +685_230", {"decimal": 685230}),
        ("octal: 0o2472256", {"octal": 685230}),
        ("octal: -0o2472256", {"octal": -685230}),
        ("hexa: 0x_0A_74_AE", {"hexa": 685230}),
        ("bin: 0b1010_0111_0100_1010_1110", {"bin": 685230}),
        ("a: -b_c", {"a": "-b_c"}),
        ("a: +b_c", {"a": "+b_c"}),
        ("a: 50cent_of_dollar", {"a": "50cent_of_dollar"}),
        ("a: {b: https://github.com/go-yaml/yaml}", {"a": {"b": "https://github.com/go-yaml/yaml"}}),
        ("a: [https://github.com/go-yaml/yaml]", {"a": ["https://github.com/go-yaml/yaml"]}),
        ("a: <foo>", {"a": "<foo>"}),
        ("a: 1.2.3.4\n", {"a": "1.2.3.4"}),
        ("a: !!str 2015-01-01", {"a": "2015-01-01"}),
        ('a: "2015-01-01"', {"a": "2015-01-01"}),
        ("a: &x 1\nb: &y 2\nc: *x\nd: *y\n", {"a": 1, "b": 2, "c": 1, "d": 2}),
        ("a: &a {c: 1}\nb: *a", {"a": {"c": 1}, "b": {"c": 1}}),
        ("a: &a [1, 2]\nb: *a", {"a": [1, 2], "b": [1, 2]}),
    ],
)
def test_what_pulumis_parser_reads_is_read_alike(tmp_path: Path, text: str, value: object) -> None:
    (tmp_path / "Pulumi.t.yaml").write_text(text)
    assert read_stack_file(tmp_path / "Pulumi.t.yaml")[0] == value


def test_merge_keys_are_read_as_pulumis_parser_reads_them(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.t.yaml").write_text(MERGE_TESTS)
    document = read_stack_file(tmp_path / "Pulumi.t.yaml")[0]
    want = {"x": 1, "y": 2, "r": 10, "label": "center/big"}
    assert {name: test for name, test in document.items() if name != "anchors"} == dict.fromkeys(
        ("plain", "mergeOne", "mergeMultiple", "override", "inlineMap", "inlineSequenceMap"), want
    )


# The same unmarshalTests where Pulumi's parser reads a value that other YAML readers read differently, or that
# no setting takes: refused here.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v: .Inf", "an infinite or not-a-number value"),
        ("v: -.Inf", "an infinite or not-a-number value"),
        ("neginf: -.inf", "an infinite or not-a-number value"),
        ("octal: 02472256", "a number with a leading 0"),
        ("octal: -02472256", "a number with a leading 0"),
        ("option: on", "an unquoted y/n/yes/no/on/off"),
        ("option: y", "an unquoted y/n/yes/no/on/off"),
        ("option: Off", "an unquoted y/n/yes/no/on/off"),
        ("a: 1:1\n", "a base-60 number in YAML 1.1"),
        ("a: 2015-01-01\n", "an unquoted date or time"),
        ("a: 2015-02-24T18:19:39.12Z\n", "an unquoted date or time"),
        ("a: 2015-2-3T3:4:5Z", "an unquoted date or time"),
        ("a: 2015-02-24t18:19:39Z\n", "an unquoted date or time"),
        ("a: 2015-02-24 18:19:39\n", "an unquoted date or time"),
        ("a: !!binary gIGC\n", "a value tagged tag:yaml.org,2002:binary"),
        ('a: !!timestamp "2015-01-01"', "a value tagged tag:yaml.org,2002:timestamp"),
        ("v: ! test", "a value tagged !"),
        ("v: !!float '1.1'", "a value tagged tag:yaml.org,2002:float"),
    ],
)
def test_what_yaml_readers_disagree_on_is_refused(tmp_path: Path, text: str, expected: str) -> None:
    problems = problems_of(tmp_path, text)
    assert len(problems) == 1 and expected in problems[0], problems


# What the Pulumi CLI's own loader hands a program for `slipway:top: VALUE` and `slipway:nested: {key: VALUE}`:
# Pulumi Go SDK v3.272.0 (workspace.LoadProjectStack, then config.Map.Decrypt), run by conformance check 6
# (conformance/stackfile) on 2026-12-04. Before, Slipway handed Python's json.dumps text (`{"key": 1.5}`,
# keys in file order, `100.0`, `"\u00e9"`) and `null` for an empty value.
@pytest.mark.parametrize(
    ("value", "top", "nested"),
    [
        ("1.50", "1.5", '{"key":1.5}'),
        ("100.0", "100", '{"key":100}'),
        ("1e6", "1000000", '{"key":1000000}'),
        ("1e16", "10000000000000000", '{"key":10000000000000000}'),
        ("2.5e-7", "2.5e-7", '{"key":2.5e-7}'),
        ("1e21", "1e+21", '{"key":1e+21}'),
        ("-0.0", "0", '{"key":0}'),
        ("12345678901234567890", "12345678901234567890", '{"key":12345678901234567000}'),
        ("9007199254740993", "9007199254740993", '{"key":9007199254740993}'),
        ("~", "", '{"key":null}'),
        ("'<a&b>'", "<a&b>", '{"key":"\\u003ca\\u0026b\\u003e"}'),
        ("é", "é", '{"key":"é"}'),
        ('"\\u2028"', "\u2028", '{"key":"\\u2028"}'),
    ],
)
def test_values_are_handed_over_as_pulumis_loader_hands_them(tmp_path: Path, value: str, top: str, nested: str) -> None:
    (tmp_path / "Pulumi.t.yaml").write_text(f"config:\n  slipway:top: {value}\n  slipway:nested:\n    key: {value}\n")
    config = load_stack_config(tmp_path, "t").config
    assert (config["slipway:top"], config["slipway:nested"]) == (top, nested)


def test_structured_values_have_their_keys_sorted_as_gos_json_does(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.t.yaml").write_text("config:\n  slipway:x:\n    b: 1\n    a: [true, {d: 2, c: 3}]\n")
    assert load_stack_config(tmp_path, "t").config["slipway:x"] == '{"a":[true,{"c":3,"d":2}],"b":1}'
