"""Check 2: what each AppProject and the RBAC policy permit, by `offline.admission`, `offline.sync_checks`,
`contracts.syncwindow` and `offline.argocd_rbac`, and by ArgoCD v3.4.4's own code.

Go's side is the `projectcheck` binary (conformance/argocd: `AppProject.IsSourcePermitted`,
`IsDestinationPermitted`, `IsGroupKindNamePermitted`, `SyncWindows.Matches(...).CanSync`, and the API
server's RBAC enforcer with the built-in policy and `rbacpolicy.EnforceClaims`). The Applications
are those Slipway expands from each stack's ApplicationSets over its cluster Secrets (shown as
check 1 shows them); for each, under its AppProject:

- its sources, and variants of their URLs (`.git` dropped, upper case, another repository);
- its destination, on every cluster ArgoCD knows, in its namespace and in others;
- every object a sync applies that Slipway knows offline (the Namespace `CreateNamespace=true`
  adds, the objects of its objects chart) and a few no chart applies (a ClusterRole, a
  ResourceQuota, another Namespace...), each asked as namespaced and as cluster-scoped;
- its sync windows, automated and manual, with each window's `timeZone` as written and moved
  through a list of zones so that the same schedules are judged at many local times. ArgoCD reads
  the clock itself: Slipway is asked at the instants just before and after, and a case whose
  answer changes between the two (a window opening in that instant) is counted, not judged;
- and, per stack, every group the policy or a project role names: may it get, sync, override
  each Application (the chart's `configs.rbac`, as argocd-rbac-cm).

Not judged here: project JWT tokens (Slipway issues none), regex match mode (Slipway refuses it).
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from conformance.applicationsets_check import as_sent, shown
from conformance.manifests import written
from conformance.report import arguments, emit, missing_binary, run_lines, stack_dirs
from contracts.syncwindow import CronError
from offline.admission import (
    Cluster,
    destination_cluster,
    destination_permitted,
    glob_match,
    known_clusters,
    source_permitted,
)
from offline.applications import ApplicationSetError, Unsupported, expand
from offline.argocd_rbac import ACTIONS, Policy, allowed, builtin_policy, project_policy
from offline.sync_checks import can_sync_at, group_kind_name_permitted

ZONES: tuple[str, ...] = ("", "UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Asia/Kolkata")
ZONES += ("Pacific/Auckland", "America/Los_Angeles", "Australia/Adelaide", "Asia/Kathmandu", "Pacific/Chatham")
ZONES += ("Etc/GMT+12",)

Case = tuple[str, dict[str, Any], Any]  # (where, the Go case, Slipway's answer: a callable for windows)


class Stack:
    """One stack's AppProjects, clusters, Applications and ArgoCD's chart values, from its manifests."""

    def __init__(self, stack_dir: Path) -> None:
        objects = [as_sent(i.document) for i in written(stack_dir) if i.source.split("/")[1] == "objects"]
        self.name = stack_dir.name
        self.secrets = [shown(o) for o in objects if o.get("kind") == "Secret" and _labelled_cluster(o)]
        self.projects = {o["metadata"]["name"]: o for o in objects if o.get("kind") == "AppProject"}
        self.clusters = known_clusters(self.secrets)
        self.applications: list[dict[str, Any]] = []
        for application_set in (o for o in objects if o.get("kind") == "ApplicationSet"):
            try:
                self.applications += expand(application_set, self.secrets)
            except (ApplicationSetError, Unsupported):
                continue
        values = stack_dir / "helm" / "argocd.yaml"
        chart = yaml.safe_load(values.read_text()) if values.is_file() else {}
        self.rbac: dict[str, str] = {k: str(v) for k, v in ((chart.get("configs") or {}).get("rbac") or {}).items()}


def _labelled_cluster(document: Mapping[str, Any]) -> bool:
    labels = (document.get("metadata") or {}).get("labels") or {}
    return bool(labels.get("argocd.argoproj.io/secret-type") == "cluster")


def _go_cluster(cluster: Cluster) -> dict[str, str]:
    return {"name": cluster.name, "server": cluster.server, "project": cluster.project}


def _url_variants(url: str) -> list[str]:
    return sorted({url, url.removesuffix(".git"), url.upper(), url.rstrip("/") + "-other.git", url + "/"})


def source_cases(stack: Stack, app: Mapping[str, Any], project: dict[str, Any]) -> Iterator[Case]:
    spec = app.get("spec") or {}
    for source in spec.get("sources") or [spec.get("source") or {}]:
        for url in _url_variants(str(source.get("repoURL", ""))):
            go = {"check": "source", "project": project, "repoURL": url}
            yield f"{_where(stack, app)} source {url}", go, source_permitted(project.get("spec") or {}, url)


def destination_cases(stack: Stack, app: Mapping[str, Any], project: dict[str, Any]) -> Iterator[Case]:
    destination = (app.get("spec") or {}).get("destination") or {}
    own = destination_cluster(destination, stack.clusters)
    namespace = str(destination.get("namespace", ""))
    name = project["metadata"]["name"]
    for cluster in stack.clusters:
        for ns in sorted({namespace, "kube-system", "default", namespace + "-x", ""}):
            if cluster != own and ns != namespace:
                continue
            ours = destination_permitted(name, project.get("spec") or {}, cluster, ns, stack.clusters)
            go = {
                "check": "destination",
                "project": project,
                "cluster": _go_cluster(cluster),
                "namespace": ns,
                "clusters": [_go_cluster(c) for c in stack.clusters],
            }
            yield f"{_where(stack, app)} destination {cluster.name} {ns!r}", go, {"permitted": ours}


def _applied(app: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(group, kind, name) of each object a sync applies that is known offline."""
    spec = app.get("spec") or {}
    options = (spec.get("syncPolicy") or {}).get("syncOptions") or []
    namespace = (spec.get("destination") or {}).get("namespace")
    if "CreateNamespace=true" in options and namespace:
        yield "", "Namespace", str(namespace)
    for source in spec.get("sources") or [spec.get("source") or {}]:
        for item in ((source.get("helm") or {}).get("valuesObject") or {}).get("objects") or []:
            api_version = str(item.get("apiVersion", ""))
            group = api_version.rpartition("/")[0]
            yield group, str(item.get("kind", "")), str((item.get("metadata") or {}).get("name", ""))


# Objects no Slipway chart applies, asked of every project so that refusals are judged too.
PROBES = (
    ("rbac.authorization.k8s.io", "ClusterRole", "cluster-admin"),
    ("", "ResourceQuota", "quota"),
    ("networking.k8s.io", "NetworkPolicy", "deny-all"),
    ("", "Namespace", "kube-system"),
    ("apps", "Deployment", "web"),
)


def resource_cases(stack: Stack, app: Mapping[str, Any], project: dict[str, Any]) -> Iterator[Case]:
    for group, kind, name in sorted({*_applied(app), *PROBES}):
        for namespaced in (True, False):
            ours = group_kind_name_permitted(project.get("spec") or {}, group, kind, name, namespaced)
            go: dict[str, Any] = {"check": "resource", "project": project, "group": group, "kind": kind}
            go |= {"name": name, "namespaced": namespaced}
            scope = "namespaced" if namespaced else "cluster-scoped"
            yield f"{_where(stack, app)} applies {group}/{kind} {name} ({scope})", go, {"permitted": ours}


def _in_zone(project: dict[str, Any], zone: str) -> dict[str, Any]:
    moved = copy.deepcopy(project)
    for window in moved["spec"].get("syncWindows") or []:
        if zone:
            window["timeZone"] = zone
        else:
            window.pop("timeZone", None)
    return moved


def window_cases(stack: Stack, app: Mapping[str, Any], project: dict[str, Any]) -> Iterator[Case]:
    windows = (project.get("spec") or {}).get("syncWindows") or []
    zones = ZONES if windows else ("",)
    for zone in (*(["as written"] if windows else []), *zones):
        moved = project if zone == "as written" else _in_zone(project, zone)
        for manual in (False, True):
            go = {"check": "window", "project": moved, "application": app, "manual": manual}
            where = f"{_where(stack, app)} sync ({'manual' if manual else 'automated'}, timeZone {zone or 'unset'})"
            yield where, go, (moved.get("spec") or {}, manual)


def window_answer(app: Mapping[str, Any], spec: Mapping[str, Any], manual: bool, at: datetime) -> bool:
    """Slipway's CanSync at `at`; a window that does not parse blocks the sync, as ArgoCD's error does."""
    try:
        return can_sync_at(app, spec, at, manual, glob_match)
    except (CronError, ValueError):
        return False


def rbac_case(stack: Stack) -> Case | None:
    """Every group's get/sync/override on every Application, as one case of many queries."""
    if not stack.rbac or stack.rbac.get("policy.matchMode", "glob") != "glob":
        return None
    global_policy = Policy.parse(stack.rbac.get("policy.csv", ""))
    specs = {name: p.get("spec") or {} for name, p in stack.projects.items()}
    groups = {m for m, _ in global_policy.groupings if not m.startswith("role:")}
    for name, spec in specs.items():
        groups |= {m for m, _ in project_policy(name, spec).groupings}
    queries, ours = [], []
    for app in stack.applications:
        project = str((app.get("spec") or {}).get("project", ""))
        qualified = f"{project}/{(app.get('metadata') or {}).get('name', '')}"
        policy = builtin_policy() + global_policy + project_policy(project, specs.get(project) or {})
        for group in sorted(groups):
            for action in ACTIONS:
                queries.append({"group": group, "resource": "applications", "action": action, "object": qualified})
                default = stack.rbac.get("policy.default", "")
                ours.append(allowed(policy, default, group, "applications", action, qualified))
    go = {"check": "rbac", "rbac": stack.rbac, "projects": list(stack.projects.values()), "queries": queries}
    return f"{stack.name} RBAC ({len(queries)} queries)", go, ours


def _where(stack: Stack, app: Mapping[str, Any]) -> str:
    return f"{stack.name} {(app.get('metadata') or {}).get('name', '')}"


def stack_cases(stack: Stack) -> list[Case]:
    cases: list[Case] = []
    for app in stack.applications:
        project = stack.projects.get(str((app.get("spec") or {}).get("project", "")))
        if project is None:
            continue  # admission refuses it before any of this: offline.admission says so
        for make in (source_cases, destination_cases, resource_cases, window_cases):
            cases += make(stack, app, project)
    if (case := rbac_case(stack)) is not None:
        cases.append(case)
    return cases


def judge(go: Mapping[str, Any], ours: Any, theirs: Mapping[str, Any]) -> tuple[Any, str | None]:
    """(Slipway's answer, why the two disagree or None); windows answer "boundary" when the clock moved."""
    if go["check"] == "window":
        spec, manual = ours
        before = window_answer(go["application"], spec, manual, datetime.fromisoformat(theirs["before"]))
        after = window_answer(go["application"], spec, manual, datetime.fromisoformat(theirs["after"]))
        if before != after:
            return "boundary", None
        return before, None if before == theirs["permitted"] else "different sync verdict"
    if go["check"] == "rbac":
        return ours, None if list(ours) == list(theirs.get("allowed") or []) else "different RBAC verdicts"
    if go["check"] == "source":
        return ours, None if ours == theirs["permitted"] else "different source verdict"
    permitted = ours["permitted"]
    return permitted, None if permitted == theirs["permitted"] else f"different {go['check']} verdict"


def main(argv: Sequence[str] | None = None) -> int:
    args = arguments(__doc__ or "").parse_args(argv)
    if (why := missing_binary("projectcheck")) is not None:
        print(why, file=sys.stderr)
        return 2
    cases = [case for stack_dir in stack_dirs(args.manifests) for case in stack_cases(Stack(stack_dir))]
    upstream = run_lines("projectcheck", (go for _, go, _ in cases))
    disagreements, verdicts, boundary = [], [], 0
    for (where, go, ours), theirs in zip(cases, upstream, strict=True):
        answer, why = judge(go, ours, theirs)
        boundary += answer == "boundary"
        verdicts.append({"case": where, "slipway": answer, "upstream": theirs})
        if why is not None:
            disagreements.append({"case": where, "why": why, "slipway": answer, "upstream": theirs})
    queries = sum(len(go.get("queries") or []) for _, go, _ in cases)
    emit("projects", len(cases), disagreements, verdicts, rbac_queries=queries, window_boundaries=boundary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
