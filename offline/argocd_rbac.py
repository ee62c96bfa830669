"""Who may get, sync and override which Application: ArgoCD v3.4.4's RBAC, evaluated offline.

The policy is the chart's `configs.rbac` values of the recorded ArgoCD release (`policy.csv`,
`policy.default`) over ArgoCD's built-in policy (offline/reference/argocd/, with the model and the
enforcement path in its SOURCE.md), plus each Application's project roles. `rights(...)` answers
for every subject the policy or a project role names; `violations(...)` applies Slipway's rules:
no override and no production sync but for operators, admins and a production project's
`release` role, and no group but those with a global role syncing in more than one project.

Not modelled (ValueError): regex match mode (`policy.matchMode: regex`), and a user's own subject
(only groups are bound by Slipway); project JWT tokens hold no right Slipway declares.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from offline.admission import glob_match

BUILTIN_POLICY = Path(__file__).parent / "reference" / "argocd" / "builtin-policy.csv"
ACTIONS = ("get", "sync", "override")
PRIVILEGED_ROLES = ("role:admin", "role:operator")


@dataclass(frozen=True)
class Policy:
    """Policy lines (sub, res, act, obj, eft) and grouping lines (member, role)."""

    rules: tuple[tuple[str, str, str, str, str], ...]
    groupings: tuple[tuple[str, str], ...]

    @staticmethod
    def parse(text: str) -> Policy:
        rules, groupings = [], []
        for row in csv.reader(io.StringIO(text), skipinitialspace=True):
            fields = [field.strip() for field in row]
            if not fields or fields[0].startswith("#") or fields == [""]:
                continue
            if fields[0] == "p" and len(fields) in (5, 6):
                sub, res, act, obj = fields[1:5]
                rules.append((sub, res, act, obj, fields[5] if len(fields) == 6 else "allow"))
            elif fields[0] == "g" and len(fields) == 3:
                groupings.append((fields[1], fields[2]))
            else:
                raise ValueError(f"policy line not modelled: {','.join(row)}")
        return Policy(tuple(rules), tuple(groupings))

    def __add__(self, other: Policy) -> Policy:
        return Policy(self.rules + other.rules, self.groupings + other.groupings)


@cache
def builtin_policy() -> Policy:
    return Policy.parse(BUILTIN_POLICY.read_text())


def project_policy(project: str, spec: Mapping[str, Any]) -> Policy:
    """AppProject.ProjectPoliciesString: each role's policies, `projects, get` on itself, its group bindings."""
    lines = []
    for role in spec.get("roles") or []:
        lines.append(f"p, proj:{project}:{role['name']}, projects, get, {project}, allow")
        lines += list(role.get("policies") or [])
        lines += [f"g, {group}, proj:{project}:{role['name']}" for group in role.get("groups") or []]
    return Policy.parse("\n".join(lines))


def _roles_of(subject: str, groupings: Iterable[tuple[str, str]]) -> set[str]:
    """The subject and every role it holds, transitively (casbin's `g`)."""
    held, frontier = {subject}, [subject]
    while frontier:
        current = frontier.pop()
        for member, role in groupings:
            if member == current and role not in held:
                held.add(role)
                frontier.append(role)
    return held


def _enforce(policy: Policy, subject: str, resource: str, action: str, obj: str) -> bool:
    """The model: some allow and no deny among the rules of the subject's roles that match."""
    held = _roles_of(subject, policy.groupings)
    effects = {
        eft
        for sub, res, act, pattern, eft in policy.rules
        if sub in held and glob_match(res, resource) and glob_match(act, action) and glob_match(pattern, obj)
    }
    return "allow" in effects and "deny" not in effects


def allowed(policy: Policy, default_role: str, group: str, resource: str, action: str, obj: str) -> bool:
    """rbacpolicy EnforceClaims for a user in `group`: the default role, then the group if a `g` line names it."""
    if default_role and _enforce(policy, default_role, resource, action, obj):
        return True
    return any(member == group for member, _ in policy.groupings) and _enforce(policy, group, resource, action, obj)


@dataclass(frozen=True)
class Right:
    """What one group may do to one Application."""

    group: str
    application: str
    project: str
    production: bool
    actions: tuple[str, ...]

    def document(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "application": f"{self.project}/{self.application}",
            "production": self.production,
            "actions": list(self.actions),
        }


def rights(
    global_policy: Policy,
    default_role: str,
    projects: Mapping[str, Mapping[str, Any]],
    applications: Sequence[tuple[str, bool]],
) -> list[Right]:
    """Every group's rights on every Application (`applications`: (project/name, production))."""
    groups = {member for member, _ in global_policy.groupings if not member.startswith("role:")}
    for project, spec in projects.items():
        groups |= {member for member, _ in project_policy(project, spec).groupings}
    found = []
    for qualified, production in applications:
        project, name = qualified.split("/", 1)
        policy = builtin_policy() + global_policy + project_policy(project, projects.get(project) or {})
        for group in sorted(groups):
            actions = tuple(a for a in ACTIONS if allowed(policy, default_role, group, "applications", a, qualified))
            if actions:
                found.append(Right(group, name, project, production, actions))
    return found


def _privileged(global_policy: Policy) -> set[str]:
    """The groups bound to the admin or operator role."""
    return {member for member, role in global_policy.groupings if role in PRIVILEGED_ROLES}


def violations(found: Sequence[Right], global_policy: Policy, projects: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Slipway's rules over the rights: see the module docstring."""
    privileged = _privileged(global_policy)
    problems = []
    sync_projects: dict[str, set[str]] = {}
    for right in found:
        if right.group in privileged:
            continue
        where = f"group {right.group} may"
        if "override" in right.actions:
            problems.append(f"{where} override {right.project}/{right.application}: only operators and admins may")
        releasers = {
            group
            for role in (projects.get(right.project) or {}).get("roles") or []
            if role.get("name") == "release"
            for group in role.get("groups") or []
        }
        if "sync" in right.actions and right.production and right.group not in releasers:
            problems.append(f"{where} sync production application {right.project}/{right.application}")
        if "sync" in right.actions and not right.production:
            sync_projects.setdefault(right.group, set()).add(right.project)
    ci = {
        group
        for spec in projects.values()
        for role in spec.get("roles") or []
        if role.get("name") == "ci"
        for group in role.get("groups") or []
    }
    for group, names in sorted(sync_projects.items()):
        if len(names) > 1 and group not in ci:
            problems.append(f"group {group} may sync the applications of {len(names)} projects: {sorted(names)}")
    return problems


def recorded_rbac(
    values: Mapping[str, Any],
    projects: Sequence[Mapping[str, Any]],
    owned: Sequence[tuple[str, Mapping[str, Any]]],
    production_sets: Iterable[str],
) -> tuple[list[Right], list[str]]:
    """The rights and the rule violations of a recorded stack.

    `values` are the ArgoCD release's chart values, `owned` the generated Applications with their
    ApplicationSet, `production_sets` the ApplicationSets that deliver production.
    """
    rbac = (values.get("configs") or {}).get("rbac") or {}
    if rbac.get("policy.matchMode", "glob") != "glob":
        raise ValueError("RBAC policy.matchMode regex is not modelled")
    global_policy = Policy.parse(str(rbac.get("policy.csv", "")))
    by_name = {(p.get("metadata") or {}).get("name", ""): p.get("spec") or {} for p in projects}
    production = set(production_sets)
    applications = sorted(
        {
            (
                f"{(app.get('spec') or {}).get('project', '')}/{(app.get('metadata') or {}).get('name', '')}",
                owner in production,
            )
            for owner, app in owned
        }
    )
    found = rights(global_policy, str(rbac.get("policy.default", "")), by_name, applications)
    return found, violations(found, global_policy, by_name)
