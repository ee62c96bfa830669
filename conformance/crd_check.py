"""Check 3: every custom resource Slipway writes, judged by Slipway's own check and by the API server's.

Slipway's verdict is `tests/schema_check.py` (`custom_resource_errors`, `constraint_errors`: a
JSON Schema made as strict as the API server, unknown fields refused). The API server's is the
`crdcheck` binary (conformance/crd: k8s.io/apiextensions-apiserver v0.33.13's schema validation,
pruning, defaulting, metadata, list-type and CEL validation) over the same pinned CRDs
(tests/schemas/crds); a Gatekeeper constraint is checked against the CRD Gatekeeper itself makes
of its template (`gatorcheck`). Each object is also sent in a few broken forms (an unknown field,
a field of the wrong type, a bad name) so that both sides are seen to refuse. An object the API
server accepts with no field pruned is "accepted"; the verdicts must match.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import yaml

from conformance.manifests import Written, written
from conformance.report import PROJECT_DIR, arguments, emit, missing_binary, run_lines, stack_dirs

sys.path.insert(0, str(PROJECT_DIR / "tests"))
from schema_check import TEST_CRD_DIR, constraint_errors, crd_schemas, custom_resource_errors

CONSTRAINTS_GROUP = "constraints.gatekeeper.sh/"


def _unknown_field(document: dict[str, Any]) -> None:
    spec: dict[str, Any] = document.setdefault("spec", {})
    spec["conformanceUnknownField"] = "x"


def _wrong_type(document: dict[str, Any]) -> None:
    spec = document.get("spec")
    if isinstance(spec, dict):
        key = next((k for k, v in spec.items() if isinstance(v, (str, list, dict))), None)
        if key is not None:
            spec[key] = 12345


def _bad_name(document: dict[str, Any]) -> None:
    document.setdefault("metadata", {})["name"] = "Not_A_DNS_Name"


BREAKAGES: dict[str, Callable[[dict[str, Any]], None]] = {
    "unknown field": _unknown_field,
    "wrong type": _wrong_type,
    "bad name": _bad_name,
}


def namespaced_kinds() -> set[tuple[str, str]]:
    kinds = set()
    for path in TEST_CRD_DIR.rglob("*.yaml"):
        for crd in yaml.safe_load_all(path.read_text()):
            if crd["spec"]["scope"] == "Namespaced":
                kinds |= {
                    (f"{crd['spec']['group']}/{v['name']}", crd["spec"]["names"]["kind"])
                    for v in crd["spec"]["versions"]
                }
    return kinds


def custom_resources(items: Sequence[Written]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any] | None]]:
    """(name, document, its template if it is a constraint): each CR, then its broken forms."""
    templates = {
        t.document["spec"]["crd"]["spec"]["names"]["kind"]: t.document
        for t in items
        if t.document.get("kind") == "ConstraintTemplate"
    }
    namespaced = namespaced_kinds()
    for item in items:
        key = (item.document.get("apiVersion", ""), item.document.get("kind", ""))
        template = templates.get(key[1]) if key[0].startswith(CONSTRAINTS_GROUP) else None
        if key not in crd_schemas() and template is None:
            continue  # a built-in kind (Secret, Namespace): not a custom resource
        document = copy.deepcopy(item.document)
        if key in namespaced and item.namespace and "namespace" not in document.get("metadata", {}):
            document["metadata"]["namespace"] = item.namespace  # ArgoCD sets the destination namespace
        yield item.source, document, template
        for name, breakage in BREAKAGES.items():
            broken = copy.deepcopy(document)
            breakage(broken)
            yield f"{item.source} ({name})", broken, template


def slipway_errors(document: dict[str, Any], template: dict[str, Any] | None) -> list[str]:
    return constraint_errors(document, template) if template is not None else custom_resource_errors(document)


def constraint_crds(templates: list[dict[str, Any]]) -> dict[str, str]:
    """Constraint kind -> the CRD YAML Gatekeeper makes of its template."""
    if not templates:
        return {}
    (answer,) = run_lines("gatorcheck", [{"objects": templates}])
    if "error" in answer:
        raise RuntimeError(f"gatorcheck: {answer['error']}")
    crds = [yaml.safe_load(text) for text in answer["crds"]]
    return {crd["spec"]["names"]["kind"]: text for crd, text in zip(crds, answer["crds"], strict=True)}


def main(argv: Sequence[str] | None = None) -> int:
    args = arguments(__doc__ or "").parse_args(argv)
    if (why := missing_binary("crdcheck") or missing_binary("gatorcheck")) is not None:
        print(why, file=sys.stderr)
        return 2
    cases = [case for stack in stack_dirs(args.manifests) for case in custom_resources(list(written(stack)))]
    templates = {t["metadata"]["name"]: t for _, _, t in cases if t is not None}
    crds = constraint_crds(list(templates.values()))
    crd_files = sorted(str(p) for p in TEST_CRD_DIR.rglob("*.yaml"))
    requests = [
        {"object": yaml.safe_dump(doc), "crd": crds[doc["kind"]] if template is not None else ""}
        for _, doc, template in cases
    ]
    upstream = run_lines("crdcheck", requests, args=crd_files)
    disagreements, verdicts = [], []
    for (name, document, template), theirs in zip(cases, upstream, strict=True):
        ours = slipway_errors(document, template)
        their_problems = [theirs["error"]] if "error" in theirs else theirs["errors"] + theirs["unknown"]
        verdict = {"case": name, "slipway": "refused" if ours else "accepted"}
        verdicts.append(verdict | {"upstream": "refused" if their_problems else "accepted"})
        if bool(ours) != bool(their_problems):
            disagreements.append({"case": name, "slipway": ours, "upstream": theirs})
    emit("crd", len(cases), disagreements, verdicts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
