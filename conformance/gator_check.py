"""Check 4: Slipway's Gatekeeper policies judged by Slipway's Rego evaluation and by Gatekeeper's gator.

Slipway's verdict is what tests/test_rego.py does: each template's Rego run by regopy with
`input.review` = {kind, namespace, object} and `input.parameters` = the constraint's, over the
objects the constraint's `match` names (kinds by API group, excluded and included namespaces).
Gatekeeper's is the `gatorcheck` binary (conformance/gator: Gatekeeper v3.23.0 `gator test` with
the OPA it vendors). Both run each stack's templates and constraints on every object the stack
writes and on the policy test cases below (those of tests/test_rego.py, as whole objects). The
verdict per (object, constraint) is the set of violation messages: it must be the same.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Sequence
from typing import Any

from regopy import Interpreter

from conformance.manifests import written
from conformance.report import arguments, emit, missing_binary, run_lines, stack_dirs

LABELS = {"app.kubernetes.io/name": "api", "app.kubernetes.io/part-of": "payments", "environment": "dev"}
DIGEST = "slipwaydevacr.azurecr.io/payments/api@sha256:" + "a" * 64
LIMITS = {"limits": {"cpu": "500m", "memory": "256Mi"}}
LIMIT_CASES: list[dict[str, str]] = [{}, {"cpu": "1"}, {"memory": "1Gi"}]


def _pod(name: str, namespace: str = "payments", **container: Any) -> dict[str, Any]:
    base = {"name": "app", "image": DIGEST, "resources": LIMITS} | container
    metadata = {"name": name, "namespace": namespace, "labels": LABELS}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": {"containers": [base]}}


def _deployment(name: str, labels: dict[str, str] | None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "namespace": "payments"} | ({"labels": labels} if labels else {})
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata, "spec": {}}


def policy_cases() -> list[dict[str, Any]]:
    """tests/test_rego.py's cases as whole objects (each its own name, so verdicts can be told apart)."""
    init = _pod("init-without-limits")
    init["spec"]["initContainers"] = [{"name": "migrate", "image": "slipwaydevacr.azurecr.io/m:1"}]
    images = [
        "ghcr.io/acme-platform/web:1.2.3",
        "slipwaydevacr.azurecr.io/x:1",
        "docker.io/library/nginx:latest",
        "ghcr.io/acme-platform-evil/web:1",
        "slipwaydevacr.azurecr.io.evil.com/x:1",
    ]
    return [
        _pod("well-formed"),
        _deployment("deployment-labelled", LABELS),
        _deployment("deployment-name-label-only", {"app.kubernetes.io/name": "api"}),
        _deployment("deployment-no-labels", None),
        *(_pod(f"limits-{i}", resources={"limits": lim}) for i, lim in enumerate(LIMIT_CASES)),
        init,
        *(_pod(f"image-{i}", image=image) for i, image in enumerate(images)),
        _pod("privileged", securityContext={"privileged": True}),
        _pod("unprivileged", securityContext={"privileged": False}),
        _pod("in-default", namespace="default"),
    ]  # fmt: skip


def _group(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def matches(constraint: dict[str, Any], obj: dict[str, Any]) -> bool:
    """The constraint's `match` as Slipway writes it: kinds by API group, excluded/included namespaces."""
    match = constraint["spec"].get("match", {})
    group, kind = _group(obj.get("apiVersion", "")), obj.get("kind", "")
    kinds = match.get("kinds", [{"apiGroups": ["*"], "kinds": ["*"]}])
    if not any(
        (group in k.get("apiGroups", []) or "*" in k.get("apiGroups", []))
        and (kind in k.get("kinds", []) or "*" in k.get("kinds", []))
        for k in kinds
    ):
        return False
    namespace = obj.get("metadata", {}).get("namespace")
    if namespace and namespace in match.get("excludedNamespaces", []):
        return False
    return not (namespace and "namespaces" in match and namespace not in match["namespaces"])


def rego_violations(template: dict[str, Any], constraint: dict[str, Any], obj: dict[str, Any]) -> list[str]:
    """Slipway's evaluation (tests/test_rego.py `violations`) of one template's Rego on one object."""
    (target,) = template["spec"]["targets"]
    (code,) = (c for c in target["code"] if c["engine"] == "Rego")
    package = template["metadata"]["name"]
    interpreter = Interpreter()
    interpreter.add_module(package, code["source"]["rego"])
    review = {"kind": {"kind": obj["kind"]}, "namespace": obj["metadata"].get("namespace", ""), "object": obj}
    parameters = constraint["spec"].get("parameters", {})
    interpreter.set_input_term(json.dumps({"review": review, "parameters": parameters}))
    (found,) = json.loads(str(interpreter.query(f"data.{package}.violation")))["expressions"]
    return sorted(v["msg"] for v in found)


def _identity(obj: dict[str, Any]) -> str:
    return f"{obj['kind']}/{obj['metadata'].get('namespace', '')}/{obj['metadata']['name']}"


def stack_verdicts(documents: list[dict[str, Any]], source: str) -> tuple[list[dict[str, Any]], int]:
    """(disagreements, cases) for one stack's templates and constraints over its objects and the policy cases."""
    templates = {t["spec"]["crd"]["spec"]["names"]["kind"]: t for t in documents if t["kind"] == "ConstraintTemplate"}
    constraints = [c for c in documents if c["kind"] in templates]
    objects = [o for o in documents if o["kind"] != "ConstraintTemplate" and o["kind"] not in templates]
    objects = [copy.deepcopy(o) for o in objects] + policy_cases()
    (answer,) = run_lines("gatorcheck", [{"objects": list(templates.values()) + constraints + objects}])
    if "error" in answer:
        raise RuntimeError(f"gatorcheck ({source}): {answer['error']}")
    upstream: dict[tuple[str, str], list[str]] = {}
    for result in answer["results"]:
        upstream.setdefault((result["object"], result["constraint"]), []).append(result["msg"])
    disagreements, cases = [], 0
    for constraint in constraints:
        key = f"{constraint['kind']}/{constraint['metadata']['name']}"
        for obj in objects:
            cases += 1
            ours = rego_violations(templates[constraint["kind"]], constraint, obj) if matches(constraint, obj) else []
            theirs = sorted(upstream.get((_identity(obj), key), []))
            if ours != theirs:
                case = {"stack": source, "constraint": key, "object": _identity(obj)}
                disagreements.append({"case": case, "slipway": ours, "upstream": theirs})
    return disagreements, cases


def main(argv: Sequence[str] | None = None) -> int:
    args = arguments(__doc__ or "").parse_args(argv)
    if (why := missing_binary("gatorcheck")) is not None:
        print(why, file=sys.stderr)
        return 2
    disagreements, cases = [], 0
    for stack in stack_dirs(args.manifests):
        documents = [item.document for item in written(stack) if "metadata" in item.document]
        if not any(d.get("kind") == "ConstraintTemplate" for d in documents):
            continue  # a stack without Gatekeeper (local): nothing to run
        found, count = stack_verdicts(documents, stack.name)
        disagreements += found
        cases += count
    emit("gator", cases, disagreements)
    return 0


if __name__ == "__main__":
    sys.exit(main())
