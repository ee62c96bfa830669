"""ArgoCD's own ApplicationSet tests, ported as data, run against `offline.applications`.

Each file in tests/argocd_cases/ names the Go test file it ports (argoproj/argo-cd v3.4.4) and
each case its Go test and sub-test. A case passes, or carries `unsupported: <reason>`: then the
expansion must refuse it with `Unsupported` (never answer differently), or, with
`portable: false`, the Go test exercises something that has no counterpart offline (a Kubernetes
API error, a Go value that YAML cannot hold) and the case is skipped with its reason.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from offline.applications import (
    ApplicationSetError,
    Unsupported,
    apply_template_patch,
    expand,
    generate_params,
    interpolate_generator,
    render_application,
)
from offline.gotemplate import render, sanitize_name

CASES_DIR = Path(__file__).parent / "argocd_cases"


def _load(kind: str) -> list[Any]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text()).get(kind) or []:
            cases.append(pytest.param(case, id=f"{path.stem}::{case['test']}::{case['name']}"))
    return cases


def _plain(value: Any) -> Any:
    """Comparable form: Go maps and our dict subclasses alike, numbers as floats."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value


def _multiset(items: list[Any]) -> Counter[str]:
    """assert.ElementsMatch: the same elements in any order (flat cluster lists too)."""

    def key(item: Any) -> str:
        if isinstance(item, dict) and isinstance(item.get("clusters"), list):
            item = {**item, "clusters": sorted(json.dumps(c, sort_keys=True) for c in item["clusters"])}
        return json.dumps(item, sort_keys=True)

    return Counter(key(_plain(item)) for item in items)


def _run(case: Mapping[str, Any], action: Callable[[], Any]) -> Any:
    """The result of `action`, or the check that it refuses as the case says it must."""
    if "unsupported" in case:
        if case.get("portable", True) is False:
            pytest.skip(f"unsupported: {case['unsupported']}")
        with pytest.raises(Unsupported):
            action()
        return None
    if "error" in case:
        with pytest.raises(ApplicationSetError, match=case["error"]):
            action()
        return None
    return action()


@pytest.mark.parametrize("case", _load("cases"))
def test_generator_params(case: dict[str, Any]) -> None:
    def action() -> list[dict[str, Any]]:
        return generate_params(case["generator"], {"spec": case.get("spec") or {}}, case.get("secrets") or [])

    got = _run(case, action)
    if got is not None:
        assert _multiset(got) == _multiset(case["expected"])


@pytest.mark.parametrize("case", _load("sanitize"))
def test_sanitize_name(case: dict[str, Any]) -> None:
    assert sanitize_name(case["input"]) == case["expected"]


@pytest.mark.parametrize("case", _load("replace"))
def test_render_replace(case: dict[str, Any]) -> None:
    """Render.Replace of one string field, as TestRenderTemplateParamsGoTemplate runs it per field."""

    def action() -> dict[str, Any]:
        return render_application(
            {"metadata": {"name": "application-one"}, "spec": {"source": {"path": case["template"]}}},
            case.get("params") or {},
            go_template=case.get("goTemplate", True),
            go_template_options=case.get("options") or [],
        )

    got = _run(case, action)
    if got is not None:
        assert got["spec"]["source"]["path"] == case["expected"]
        assert got["metadata"]["name"] == "application-one"


@pytest.mark.parametrize("case", _load("render"))
def test_render_application(case: dict[str, Any]) -> None:
    def action() -> dict[str, Any]:
        return render_application(
            case["template"],
            case.get("params") or {},
            go_template=case.get("goTemplate", True),
            go_template_options=case.get("options") or [],
            sync_policy=case.get("syncPolicy"),
        )

    got = _run(case, action)
    if got is not None:
        for path, expected in case["expected"].items():
            value: Any = got
            for part in path.split("/"):
                value = value.get(part) if isinstance(value, dict) else None
            assert value == expected, path


@pytest.mark.parametrize("case", _load("interpolate"))
def test_interpolate_generator(case: dict[str, Any]) -> None:
    def action() -> dict[str, Any]:
        return interpolate_generator(
            case["generator"],
            case["params"],
            go_template=case["goTemplate"],
            go_template_options=case.get("options") or [],
        )

    got = _run(case, action)
    if got is not None:
        for path, expected in case["expected"].items():
            value: Any = got
            for part in path.split("/"):
                part = part.replace("~1", "/")
                value = value[int(part)] if isinstance(value, list) else value[part]
            assert _plain(value) == _plain(expected), path


@pytest.mark.parametrize("case", _load("patch"))
def test_template_patch(case: dict[str, Any]) -> None:
    got = _run(case, lambda: apply_template_patch(case["application"], case["patch"]))
    if got is not None:
        assert got == case["expected"]


@pytest.mark.parametrize("case", _load("expand"))
def test_expand(case: dict[str, Any]) -> None:
    got = _run(case, lambda: expand(case["applicationSet"], case.get("secrets") or []))
    if got is not None:
        assert _multiset(got) == _multiset(case["expected"])


def test_template_functions_render_as_go_does() -> None:
    """A direct check of the engine on the parts Slipway's templates use."""
    assert render('{{"{{"}}args.x{{"}}"}}', {}) == "{{args.x}}"
    assert render("{{ .m }}", {"m": {"b": 1.0, "a": ["x", True]}}) == "map[a:[x true] b:1]"


def test_template_patch_null_deletes_and_lists_replace() -> None:
    """Strategic merge as k8s.io/apimachinery v0.34.0 patch.go mergeMap does it (see apply_template_patch)."""
    application = {
        "metadata": {"name": "a", "labels": {"keep": "1", "drop": "2"}},
        "spec": {"project": "p", "source": {"helm": {"valueFiles": ["a.yaml", "b.yaml"]}}},
    }
    patch = "metadata:\n  labels:\n    drop: null\nspec:\n  source:\n    helm:\n      valueFiles: [c.yaml]\n"
    patch += "  syncPolicy:\n    automated: {prune: true, selfHeal: null}\n  project: other\n"
    assert apply_template_patch(application, patch) == {
        "metadata": {"name": "a", "labels": {"keep": "1"}},
        "spec": {
            "project": "p",
            "source": {"helm": {"valueFiles": ["c.yaml"]}},
            "syncPolicy": {"automated": {"prune": True}},
        },
    }
