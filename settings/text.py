"""Free text that reaches other systems, checked on the raw sections before the models see them.

Every string of a stack's `slipway:*` sections ends up in an Azure tag, a GitHub variable, a Kubernetes
object or an ArgoCD template. None may hold control characters (a CR or LF splits a log line or a policy
line, NUL and ESC corrupt terminals and portals); none may be longer than `MAX_TEXT`; none may carry a
Go-template action (ApplicationSets evaluate their strings as templates, so a URL must never be one);
none may hide credentials in a URL; and the strings ArgoCD writes into `oidc.config` must not start with
the prefix ArgoCD dereferences from `argocd-secret` (settings/reference/argocd-secret-references.go.txt).
A secret's value is never shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from settings.base import NAMESPACE
from settings.reference import argocd_secret_reference_prefix

Loc = tuple[int | str, ...]

# Slipway's bound on any one string setting (secrets included): no name, URL or token of ours is near it.
MAX_TEXT = 4096
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# A secret's value may span lines (a PEM private key, such as the GitHub App's): only LF and CR pass there.
_CONTROL_IN_SECRET = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]")
# Go text/template's default action delimiters (Go's src/text/template/doc.go, "Actions").
_TEMPLATE = re.compile(r"\{\{|\}\}")
_URL_CREDENTIALS = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@\s]*@", re.I)
# The `oidc.config` fields Slipway fills from settings (components/platform/argocd.py).
_OIDC_CONFIG = ("platform", "argocd", "sso")


def _strings(value: Any, loc: Loc) -> Iterator[tuple[Loc, str, bool]]:
    """Every string in `value`: (where, the string, whether it is a key)."""
    if isinstance(value, str):
        yield loc, value, False
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            if isinstance(key, str):
                yield (*loc, key), key, True
            yield from _strings(inner, (*loc, str(key)))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _strings(inner, (*loc, index))


def _path(loc: Loc) -> str:
    """The key path, control characters in keys escaped (never written raw to a terminal)."""
    path = f"{NAMESPACE}:{loc[0]}"
    for part in loc[1:]:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", path)


def text_problems(raw: Mapping[str, Any], secret: Callable[[Loc], bool]) -> list[str]:
    """One line per string setting that would corrupt or reach into another system."""
    problems = []
    prefix = argocd_secret_reference_prefix()
    for loc, text, is_key in _strings(raw, ()):
        hidden = secret(loc)
        what = "a key" if is_key else "a value"
        credentials = _URL_CREDENTIALS.match(text) is not None
        shown = "[secret]" if hidden or is_key or credentials else repr(text[:60])
        control = (_CONTROL_IN_SECRET if hidden and not is_key else _CONTROL).search(text)
        if control is not None:
            problems.append(
                f"{_path(loc)}: {what} holding the control character U+{ord(control.group()):04X}, expected "
                "printable text (control characters corrupt the logs, tags and policies it reaches)"
            )
        if len(text) > MAX_TEXT:
            problems.append(f"{_path(loc)}: {what} of {len(text):,} characters, expected at most {MAX_TEXT:,}")
        if hidden or is_key:
            continue
        if _TEMPLATE.search(text):
            problems.append(
                f"{_path(loc)}: got {shown}, which holds a Go-template delimiter ({{{{ or }}}}), expected plain text: "
                "ArgoCD's ApplicationSets would evaluate it as a template"
            )
        if credentials:
            problems.append(
                f"{_path(loc)}: a URL with user:password@ in it, expected none: credentials belong in secret settings "
                "(the URL is written in plain text to state, the preview and the PR comment)"
            )
        if loc[: len(_OIDC_CONFIG)] == _OIDC_CONFIG and text.startswith(prefix):
            problems.append(
                f"{_path(loc)}: got {shown}, starting with '{prefix}', expected a value not starting with '{prefix}': "
                f"ArgoCD replaces such a string in oidc.config by that key of argocd-secret (argo-cd v3.4.4 "
                "util/settings), so it would send a server secret in the sign-in redirect"
            )
    return problems
