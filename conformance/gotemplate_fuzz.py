"""Check 7: a differential fuzzer of `offline.gotemplate` against Go's text/template with Sprig v3.

Each case is a generated template, a generated parameter map and goTemplateOptions, all drawn
from one seeded `random.Random`, so `--seed N` replays a run case for case. Go's side is the
`templatecheck` binary (conformance/gotemplate). Agreement is the same output, an error on both
sides, or Slipway's explicit `Unsupported` ("not modelled"); anything else is a disagreement.
The generator draws from the constructs Slipway models and a few it does not (variables,
`define`, functions it lacks), so the "not modelled" answer is exercised too.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from conformance.report import arguments, emit, missing_binary, run_lines
from offline.gotemplate import TemplateError, render
from offline.unsupported import Unsupported

KEYS = ["name", "env", "a", "b", "labels", "list", "n", "flag", "Empty"]
STRINGS = ["", "web", "Hello World", "a-b_c", " pad ", "1", "true", "x.y/z", "ÄÖ", 'q"uote', "line\nbreak"]
NUMBERS: list[Any] = [0, 1, -3, 2.5, 1e6, 1e21, 0.1, 100]
TEXTS = ["", "x", " ", "\n", "-", "a b", "  \n  ", "{", "}"]
# name -> (least, most) arguments; Go builtins, then Sprig functions Slipway models, then a few it does not.
FUNCTIONS: dict[str, tuple[int, int]] = {
    "len": (1, 1), "index": (2, 3), "print": (0, 3), "eq": (2, 3), "ne": (2, 2), "lt": (2, 2),
    "le": (2, 2), "gt": (2, 2), "ge": (2, 2), "not": (1, 1), "and": (1, 3), "or": (1, 3),
    "default": (2, 2), "empty": (1, 1), "upper": (1, 1), "lower": (1, 1), "trim": (1, 1),
    "trimPrefix": (2, 2), "trimSuffix": (2, 2), "hasPrefix": (2, 2), "hasSuffix": (2, 2),
    "contains": (2, 2), "replace": (3, 3), "quote": (0, 2), "squote": (1, 1), "indent": (2, 2),
    "nindent": (2, 2), "join": (2, 2), "splitList": (2, 2), "list": (0, 3), "dict": (0, 4),
    "get": (2, 2), "first": (1, 1), "last": (1, 1), "ternary": (3, 3), "toJson": (1, 1),
    "base": (1, 1), "title": (1, 1), "b64enc": (1, 1), "trunc": (2, 2), "add": (2, 2),
}  # fmt: skip
PRINTF_FORMATS = ["%s", "%d", "%v", "%q", "%5s", "%-3v|", "%x", "%.2f", "%s-%s", "%%", "%t", "%T"]
OPTIONS = [[], [], ["missingkey=error"], ["missingkey=zero"], ["missingkey=default"], ["missingkey=invalid"]]


class Generator:
    """Random templates and data over a small grammar of Go templates."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def scalar(self) -> Any:
        kind = self.rng.randrange(4)
        if kind == 0:
            return self.rng.choice(STRINGS)
        if kind == 1:
            return self.rng.choice(NUMBERS)
        return self.rng.choice([True, False, None]) if kind == 2 else self.rng.choice(STRINGS[:5])

    def value(self, depth: int) -> Any:
        roll = self.rng.random()
        if depth > 0 and roll < 0.2:
            return {key: self.value(depth - 1) for key in self.rng.sample(KEYS, self.rng.randrange(4))}
        if depth > 0 and roll < 0.35:
            return [self.value(depth - 1) for _ in range(self.rng.randrange(4))]
        return self.scalar()

    def data(self) -> dict[str, Any]:
        """Parameters as ArgoCD has them, decoded from JSON: every number a float64."""
        data = {key: self.value(2) for key in self.rng.sample(KEYS, self.rng.randrange(1, 6))}
        decoded: dict[str, Any] = json.loads(json.dumps(data), parse_int=float)
        return decoded

    def literal(self) -> str:
        roll = self.rng.randrange(5)
        if roll == 0:
            return json.dumps(self.rng.choice(STRINGS))
        if roll == 1:
            return self.rng.choice(["0", "1", "-2", "2.5", "1e3", "0x1F", "007"])
        if roll == 2:
            return self.rng.choice(["true", "false", "nil"])
        return "`" + self.rng.choice(STRINGS[:6]) + "`" if roll == 3 else json.dumps(self.rng.choice(KEYS))

    def field(self) -> str:
        if self.rng.random() < 0.15:
            return "."
        return "".join("." + self.rng.choice(KEYS) for _ in range(self.rng.randrange(1, 4)))

    def operand(self, depth: int) -> str:
        roll = self.rng.random()
        if roll < 0.45:
            return self.field()
        if roll < 0.7 or depth <= 0:
            return self.literal()
        if roll < 0.78:
            return self.rng.choice(["$", "$x", "$.name"])  # variables: not modelled
        return "(" + self.pipeline(depth - 1) + ")"

    def call(self, depth: int, piped: bool) -> str:
        if self.rng.random() < 0.1:
            form = json.dumps(self.rng.choice(PRINTF_FORMATS))
            return " ".join(["printf", form, *(self.operand(depth) for _ in range(self.rng.randrange(2)))])
        name = self.rng.choice(list(FUNCTIONS))
        least, most = FUNCTIONS[name]
        count = max(0, self.rng.randint(least, most) - (1 if piped else 0))
        return " ".join([name, *(self.operand(depth) for _ in range(count))])

    def pipeline(self, depth: int) -> str:
        head = self.operand(depth) if self.rng.random() < 0.55 else self.call(depth, piped=False)
        stages = [self.call(depth, piped=True) for _ in range(self.rng.choice([0, 0, 1, 2]))]
        return " | ".join([head, *stages])

    def action(self, body: str) -> str:
        left = self.rng.choice(["{{", "{{", "{{- "])
        right = self.rng.choice(["}}", "}}", " -}}"])
        return f"{left}{body}{right}"

    def block(self, depth: int) -> str:
        keyword = self.rng.choice(["if", "if", "with", "range"])
        parts = [self.action(f"{keyword} {self.pipeline(1)}"), self.template(depth - 1)]
        if keyword == "if" and self.rng.random() < 0.3:
            parts += [self.action(f"else if {self.pipeline(1)}"), self.template(depth - 1)]
        if self.rng.random() < 0.4:
            parts += [self.action("else"), self.template(depth - 1)]
        return "".join([*parts, self.action("end")])

    def piece(self, depth: int) -> str:
        roll = self.rng.random()
        if roll < 0.3:
            return self.rng.choice(TEXTS)
        if roll < 0.36:
            return self.rng.choice(["{{/* c */}}", "{{- /* c */ -}}", "{{/* c */ -}}", '{{ define "t" }}x{{ end }}'])
        if roll < 0.5 and depth > 0:
            return self.block(depth)
        if roll < 0.53:
            return self.rng.choice(["{{", "}}", "{{ end }}", "{{ .a. }}", "{{ | }}", "{{ if }}"])  # malformed
        return self.action(self.pipeline(2))

    def template(self, depth: int = 2) -> str:
        return "".join(self.piece(depth) for _ in range(self.rng.randrange(1, 4)))

    def case(self) -> dict[str, Any]:
        return {"template": self.template(), "data": self.data(), "options": self.rng.choice(OPTIONS)}


def slipway_verdict(case: dict[str, Any]) -> dict[str, Any]:
    """What `offline.gotemplate` says: output, error, or not modelled."""
    try:
        return {"output": render(case["template"], case["data"], case["options"])}
    except Unsupported as err:
        return {"unsupported": str(err)}
    except TemplateError as err:
        return {"error": str(err)}
    except Exception as err:  # a crash of the port is a disagreement, reported with its case
        return {"crash": f"{type(err).__name__}: {err}"}


def agree(slipway: dict[str, Any], upstream: dict[str, Any]) -> bool:
    if "unsupported" in slipway:
        return True
    if "error" in slipway:
        return "error" in upstream
    return "output" in slipway and slipway.get("output") == upstream.get("output")


def cases(seed: int, count: int) -> list[dict[str, Any]]:
    generator = Generator(random.Random(seed))
    return [generator.case() for _ in range(count)]


def compare(
    generated: Sequence[dict[str, Any]], upstream: Sequence[dict[str, Any]], verdict: Callable[..., dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The disagreements, and how many cases ended each way on Slipway's side."""
    disagreements = []
    tally: dict[str, int] = {}
    for index, (case, theirs) in enumerate(zip(generated, upstream, strict=True)):
        ours = verdict(case)
        outcome = next(iter(ours))
        tally[outcome] = tally.get(outcome, 0) + 1
        if not agree(ours, theirs):
            disagreements.append({"case": {"index": index, **case}, "slipway": ours, "upstream": theirs})
    return disagreements, tally


def main(argv: Sequence[str] | None = None) -> int:
    parser = arguments(__doc__ or "", manifests=False)
    parser.add_argument("--seed", type=int, default=None, help="replay this seed (default: from the clock)")
    parser.add_argument("--cases", type=int, default=6000)
    args = parser.parse_args(argv)
    if (why := missing_binary("templatecheck")) is not None:
        print(why, file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else time.time_ns() % 2**32
    print(f"gotemplate fuzzer: seed {seed}, {args.cases} cases (replay: --seed {seed})", file=sys.stderr)
    generated = cases(seed, args.cases)
    disagreements, tally = compare(generated, run_lines("templatecheck", generated), slipway_verdict)
    emit("gotemplate", len(generated), disagreements, seed=seed, outcomes=tally)
    return 0


if __name__ == "__main__":
    sys.exit(main())
