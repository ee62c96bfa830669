"""Check 1: each ApplicationSet expanded by `offline.applications` and by ArgoCD v3.4.4's own code.

Go's side is the `appsetcheck` binary (conformance/argocd: the generators the ApplicationSet
controller builds, reading cluster Secrets through a controller-runtime client, and
`template.GenerateApplications`, the call the controller makes). The cases are every
ApplicationSet of each stack's manifests expanded over cluster-Secret worlds made from that stack's
own Secrets (as written; none; one more Secret naming the in-cluster server; a `project` in each;
each label of each Secret flipped in turn; a Secret without annotations), with its
`goTemplateOptions` as written and without them, plus the whole-ApplicationSet cases ported from
ArgoCD's tests (tests/argocd_cases, kind `expand`).

The manifests show a cluster Secret's `stringData` as "[secret]", as `pulumi preview` does: there
the check gives both sides the same made-up `name` (the Secret's `cluster_name` label, else its
name) and `server` (`https://<name>.cluster.invalid`), so what is compared is the expansion, not
values a preview cannot show. Agreement is the same Applications (a multiset: ArgoCD walks cluster
Secrets in map order), both refusing the ApplicationSet, or Slipway's explicit `Unsupported`.
Slipway's Applications are decoded strictly into ArgoCD's Application type, so a field ArgoCD does
not have is a disagreement too.
"""

from __future__ import annotations

import copy
import json
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from conformance.manifests import written
from conformance.report import PROJECT_DIR, arguments, emit, missing_binary, run_lines, stack_dirs
from offline.applications import CLUSTER_SECRET_LABEL, ApplicationSetError, Unsupported, expand

PORTED_CASES = PROJECT_DIR / "tests" / "argocd_cases"
REDACTED = "[secret]"
IN_CLUSTER_SERVER = "https://kubernetes.default.svc"

Case = tuple[str, dict[str, Any], list[dict[str, Any]]]


def as_sent(value: Any) -> Any:
    """The object as Pulumi's Kubernetes provider sends it: Pulumi carries every number as a float64
    (a protobuf Struct), which Go's encoder writes without a fraction when it is integral (10, not 10.0)."""
    if isinstance(value, dict):
        return {key: as_sent(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_sent(item) for item in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


def shown(secret: Mapping[str, Any]) -> dict[str, Any]:
    """The Secret with a redacted `stringData` replaced by the made-up name and server (see above)."""
    copied: dict[str, Any] = copy.deepcopy(dict(secret))
    if copied.get("stringData") == REDACTED:
        metadata = copied.get("metadata") or {}
        name = (metadata.get("labels") or {}).get("cluster_name") or metadata.get("name", "")
        copied["stringData"] = {"name": name, "server": f"https://{name}.cluster.invalid"}
    return copied


def worlds(secrets: Sequence[dict[str, Any]]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """The cluster-Secret worlds an ApplicationSet is expanded over, made from a stack's Secrets."""
    yield "as written", list(secrets)
    yield "no cluster Secrets", []
    in_cluster: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "in-cluster", "labels": dict([CLUSTER_SECRET_LABEL])},
        "stringData": {"name": "in-cluster", "server": IN_CLUSTER_SERVER},
    }
    namespaces = {(s.get("metadata") or {}).get("namespace") for s in secrets} or {"argocd"}
    for namespace in sorted(n for n in namespaces if n):
        extra = copy.deepcopy(in_cluster)
        extra["metadata"]["namespace"] = namespace
        yield "plus an in-cluster Secret", [*secrets, extra]
    with_project = copy.deepcopy(list(secrets))
    for secret in with_project:
        secret["stringData"]["project"] = "team-x"
    yield "a project in every Secret", with_project
    bare = copy.deepcopy(list(secrets))
    for secret in bare:
        secret["metadata"].pop("annotations", None)
    yield "Secrets without annotations", bare
    for index, secret in enumerate(secrets):
        for key, value in sorted(((secret.get("metadata") or {}).get("labels") or {}).items()):
            if (key, value) == CLUSTER_SECRET_LABEL:
                continue
            flipped = copy.deepcopy(list(secrets))
            flipped[index]["metadata"]["labels"][key] = {"true": "false", "false": "true"}.get(value, value + "-x")
            yield f"{secret['metadata'].get('name')} label {key} flipped", flipped


def stack_cases(stack_dir: Path) -> list[Case]:
    """Each ApplicationSet of the stack over each world, with and without its goTemplateOptions."""
    objects = [as_sent(item.document) for item in written(stack_dir) if item.source.split("/")[1] == "objects"]
    secrets = [shown(o) for o in objects if o.get("kind") == "Secret" and _is_cluster_secret(o)]
    cases = []
    for application_set in (o for o in objects if o.get("kind") == "ApplicationSet"):
        namespace = (application_set.get("metadata") or {}).get("namespace")
        local = [s for s in secrets if (s.get("metadata") or {}).get("namespace") == namespace]
        variants = [("", application_set)]
        if (application_set.get("spec") or {}).get("goTemplateOptions"):
            plain = copy.deepcopy(application_set)
            del plain["spec"]["goTemplateOptions"]
            variants.append((" without goTemplateOptions", plain))
        for label, variant in variants:
            for world, world_secrets in worlds(local):
                where = f"{stack_dir.name} {application_set['metadata']['name']}{label}, {world}"
                cases.append((where, variant, world_secrets))
    return cases


def _is_cluster_secret(document: Mapping[str, Any]) -> bool:
    labels = (document.get("metadata") or {}).get("labels") or {}
    return bool(labels.get(CLUSTER_SECRET_LABEL[0]) == CLUSTER_SECRET_LABEL[1])


def ported_cases() -> list[Case]:
    """The ported whole-ApplicationSet cases (tests/argocd_cases, kind `expand`) that carry one."""
    cases = []
    for path in sorted(PORTED_CASES.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text()).get("expand") or []:
            if "applicationSet" in case:
                where = f"ported {path.stem} {case['test']}: {case['name']}"
                cases.append((where, case["applicationSet"], list(case.get("secrets") or [])))
    return cases


def slipway(application_set: Mapping[str, Any], secrets: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]] | str:
    """Slipway's Applications, or "error" (the controller generates none), or "not modelled"."""
    try:
        return expand(application_set, secrets)
    except ApplicationSetError:
        return "error"
    except Unsupported:
        return "not modelled"


def _multiset(applications: Sequence[Any]) -> Counter[str]:
    return Counter(json.dumps(application, sort_keys=True) for application in applications)


def judge(ours: list[dict[str, Any]] | str, theirs: Mapping[str, Any]) -> str | None:
    """Why the two sides disagree, or None when they agree."""
    if ours == "not modelled":
        return None
    if theirs.get("error"):
        return None if ours == "error" else "ArgoCD refuses the ApplicationSet; Slipway generates Applications"
    if ours == "error":
        return "Slipway refuses the ApplicationSet; ArgoCD generates Applications"
    if theirs.get("slipwayError"):
        return str(theirs["slipwayError"])
    if _multiset(theirs.get("slipway") or []) != _multiset(theirs.get("applications") or []):
        return "different Applications"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = arguments(__doc__ or "").parse_args(argv)
    if (why := missing_binary("appsetcheck")) is not None:
        print(why, file=sys.stderr)
        return 2
    cases = [case for stack_dir in stack_dirs(args.manifests) for case in stack_cases(stack_dir)] + ported_cases()
    answers = [slipway(application_set, secrets) for _, application_set, secrets in cases]
    upstream = run_lines(
        "appsetcheck",
        (
            {"applicationSet": s, "secrets": secrets, "slipway": ours if isinstance(ours, list) else []}
            for (_, s, secrets), ours in zip(cases, answers, strict=True)
        ),
    )
    disagreements, verdicts = [], []
    for (where, _, _), ours, theirs in zip(cases, answers, upstream, strict=True):
        summary = ours if isinstance(ours, str) else f"{len(ours)} Applications"
        generated = len(theirs.get("applications") or [])
        argocd = f"error: {theirs['error']}" if theirs.get("error") else f"{generated} Applications"
        verdicts.append({"case": where, "slipway": summary, "upstream": argocd})
        if (why := judge(ours, theirs)) is not None:
            disagreements.append(
                {"case": where, "why": why, "slipway": theirs.get("slipway") or ours, "upstream": theirs}
            )
    emit("applicationsets", len(cases), disagreements, verdicts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
