"""What ArgoCD v3.4.4 checks when it SYNCS an Application, beyond what it checks when it creates one.

From argoproj/argo-cd v3.4.4 (commit 443415b5527ac55366e0760c93ef0e1abd0cf273), read 2026-12-04:
- every object a sync applies passes `validateSyncPermissions` (controller/sync.go, lines 613-641):
  `AppProject.IsGroupKindNamePermitted` (app_project_types.go, lines 398-418) against the cluster
  white- and blacklists by group, kind and name (`isNamedResourceInList`, Go's `filepath.Match`), or
  the namespaced ones by group and kind; with `CreateNamespace=true` that includes the Namespace the
  sync adds (gitops-engine pkg/sync/sync_context.go autoCreateNamespace, lines 1141-1180);
- the sync windows matching the Application (`SyncWindows.Matches`, types.go, lines 2988-3062) must
  let the sync through (`CanSync`: contracts/syncwindow.py), and an invalid window blocks every sync;
- Helm renders the source with its release name (contracts/helm.py), or the sync cannot compare.
And the API server's rule for any custom resource's name (kubernetes apiextensions-apiserver,
pkg/registry/customresource/validator.go: `validation.NameIsDNSSubdomain`): a DNS-1123 subdomain.

Not modelled, said here rather than guessed: the objects inside a chart or a Git path (only the
auto-created Namespace and the objects Slipway passes to its objects chart are known offline), the
`Local` time zone, and the in-cluster `time.Local` of the schedule (taken as UTC, as in ArgoCD's image).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from contracts.helm import release_name_problem
from contracts.syncwindow import active, can_sync, window_problem

# A glob matcher as util/glob.Match (offline.admission.glob_match): pattern, text -> matched.
Glob = Callable[[str, str], bool]
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _filepath_regex(pattern: str) -> str:
    """Go's path/filepath.Match syntax as a regular expression; ValueError for ErrBadPattern."""
    out, position = [], 0
    while position < len(pattern):
        char = pattern[position]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "\\":
            if position + 1 >= len(pattern):
                raise ValueError("syntax error in pattern")
            position += 1
            out.append(re.escape(pattern[position]))
        elif char == "[":
            end = pattern.find("]", position + 2 if pattern[position + 1 : position + 2] == "^" else position + 1)
            if end < 0:
                raise ValueError("syntax error in pattern")
            body = pattern[position + 1 : end]
            negated = body.startswith("^")
            body = body.removeprefix("^")
            if not body or body.startswith("-") or body.endswith("-"):
                raise ValueError("syntax error in pattern")
            out.append(f"[{'^' if negated else ''}{re.escape(body).replace(chr(92) + '-', '-')}]")
            position = end
        else:
            out.append(re.escape(char))
        position += 1
    return "".join(out)


def filepath_match(pattern: str, name: str) -> bool:
    """filepath.Match; a malformed pattern matches nothing (ArgoCD skips the item on the error)."""
    try:
        return re.fullmatch(_filepath_regex(pattern), name, re.S) is not None
    except (ValueError, re.error):
        return False


def _in_list(group: str, kind: str, name: str | None, items: Sequence[Mapping[str, Any]]) -> bool:
    """types.go isResourceInList (name None) and isNamedResourceInList."""
    for item in items:
        if not filepath_match(str(item.get("kind", "")), kind) or not filepath_match(str(item.get("group", "")), group):
            continue
        if name is None or not item.get("name") or filepath_match(str(item["name"]), name):
            return True
    return False


def group_kind_name_permitted(spec: Mapping[str, Any], group: str, kind: str, name: str, namespaced: bool) -> bool:
    """AppProject.IsGroupKindNamePermitted: a missing namespaced whitelist allows all, a missing cluster one none."""
    if namespaced:
        whitelist = spec.get("namespaceResourceWhitelist")
        blacklist = spec.get("namespaceResourceBlacklist") or []
        allowed = whitelist is None or (len(whitelist) != 0 and _in_list(group, kind, None, whitelist))
        return allowed and not (blacklist and _in_list(group, kind, None, blacklist))
    whitelist = spec.get("clusterResourceWhitelist") or []
    blacklist = spec.get("clusterResourceBlacklist") or []
    return bool(whitelist) and _in_list(group, kind, name, whitelist) and not _in_list(group, kind, name, blacklist)


def _sync_options(spec: Mapping[str, Any]) -> list[str]:
    return list((spec.get("syncPolicy") or {}).get("syncOptions") or [])


def matching_windows(
    application: Mapping[str, Any], windows: Sequence[Mapping[str, Any]], glob_match: Glob
) -> list[Mapping[str, Any]]:
    """SyncWindows.Matches: by application name, cluster or namespace (all of those set, with andOperator)."""
    name = (application.get("metadata") or {}).get("name", "")
    destination = (application.get("spec") or {}).get("destination") or {}
    found = []
    for window in windows:
        use_and = bool(window.get("andOperator"))
        checks = []
        if window.get("applications"):
            checks.append(any(glob_match(p, name) for p in window["applications"]))
        if window.get("clusters"):
            checks.append(
                any(
                    (destination.get("name") and glob_match(c, destination["name"]))
                    or (destination.get("server") and glob_match(c, destination["server"]))
                    for c in window["clusters"]
                )
            )
        if window.get("namespaces"):
            checks.append(any(glob_match(n, destination.get("namespace", "")) for n in window["namespaces"]))
        if checks and (all(checks) if use_and else any(checks)):
            found.append(window)
    return found


def can_sync_at(
    application: Mapping[str, Any], project_spec: Mapping[str, Any], at: datetime, manual: bool, glob_match: Glob
) -> bool:
    """CanSync(manual) at `at`, over the project's windows that match the application."""
    windows = matching_windows(application, project_spec.get("syncWindows") or [], glob_match)
    return can_sync(windows, manual, lambda window: active(window, at))


def sync_problems(
    application: Mapping[str, Any], project: str, project_spec: Mapping[str, Any], glob_match: Glob
) -> list[str]:
    """Why a sync of this Application would fail, independent of the time of day."""
    found = []
    spec = application.get("spec") or {}
    name = (application.get("metadata") or {}).get("name", "")
    if len(name) > 253 or not DNS1123_SUBDOMAIN.match(name):
        found.append(f"metadata.name '{name}' is not a DNS-1123 subdomain: the API server refuses the Application")
    namespace = (spec.get("destination") or {}).get("namespace", "")
    creates = "CreateNamespace=true" in _sync_options(spec) and namespace
    if creates and not group_kind_name_permitted(project_spec, "", "Namespace", namespace, namespaced=False):
        found.append(f"resource :Namespace is not permitted in project {project} (the Namespace '{namespace}')")
    sources = spec.get("sources") or [spec.get("source") or {}]
    for source in sources:
        release = (source.get("helm") or {}).get("releaseName")
        if release is not None and release_name_problem(str(release)) is not None:
            found.append(f"helm release name '{release}': {release_name_problem(str(release))}")
    for window in matching_windows(application, project_spec.get("syncWindows") or [], glob_match):
        problem = window_problem(window)
        if problem is not None:
            found.append(f"cannot sync: invalid sync window: {problem}")
    return found
