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

The package: `values` (Go's values), `functions` (the function table), `lexer`, `parser` and
`evaluate`; this module re-exports the names the rest of Slipway uses.
"""

from offline.gotemplate.evaluate import MISSINGKEY_OPTIONS, missingkey, render
from offline.gotemplate.functions import ARGOCD_FUNCTIONS, FUNCTIONS, GO_BUILTINS, sanitize_name
from offline.gotemplate.parser import parse
from offline.gotemplate.values import MISSING, StringMap, TemplateError, go_float, go_print, truth

__all__ = [
    "ARGOCD_FUNCTIONS",
    "FUNCTIONS",
    "GO_BUILTINS",
    "MISSING",
    "MISSINGKEY_OPTIONS",
    "StringMap",
    "TemplateError",
    "go_float",
    "go_print",
    "missingkey",
    "parse",
    "render",
    "sanitize_name",
    "truth",
]
