"""`python -m offline access --stack NAME [--json]`: who can obtain which Azure role, and which ArgoCD right.

For every principal the stack creates or trusts (managed identities, Entra applications,
cluster kubelets), each role it holds (role name from the vendored built-in role table,
role definition id, scope) and who can obtain it: the OIDC subjects its federated
credentials trust, or the Azure resource that holds it. Built from a recording, with the
principal ids the recording engine answers (`offline.outputs`); the model and the rules
(`access_grants`, `access_violations`) are the policy pack's, so the report and the
`access-least-privilege` policy cannot disagree.

Beside the Azure roles: each SSO group's ArgoCD rights (get, sync, override) on each generated
Application, from the recorded RBAC policy and AppProjects (`offline.argocd_rbac`), and the rules'
verdict on them (no CI, developer or team path to production or to another team's applications).
"""

from __future__ import annotations

from typing import Any

from offline.applications import application_sets, owned_applications, recorded_objects
from offline.argocd_rbac import Right, recorded_rbac
from offline.engine import Recording, reveal
from policypack.policies import Grant, access_grants, access_violations


def grants(recording: Recording) -> list[Grant]:
    """Every role assignment of the recording, joined with its principal and who can obtain it."""
    resources = [(r.type, {**reveal(r.outputs), **r.plain()}) for r in recording.resources if r.custom]
    return sorted(access_grants(resources), key=lambda g: (g.principal, g.role or "", g.scope))


def document(recording: Recording) -> list[dict[str, Any]]:
    """The Azure part of the `--json` document: one object per (principal, role, scope)."""
    return [grant.document() for grant in grants(recording)]


def argocd_rights(recording: Recording) -> tuple[list[Right], list[str]]:
    """Every group's ArgoCD rights on every generated Application, and the rules' violations (none without ArgoCD)."""
    releases = [r for r in recording.of_type("kubernetes:helm.sh/v3:Release") if r.plain().get("chart") == "argo-cd"]
    if not releases:
        return [], []
    production = [
        (s.get("metadata") or {}).get("name", "")
        for s in application_sets(recording)
        if ((s.get("metadata") or {}).get("labels") or {}).get("slipway.io/production") == "true"
    ]
    projects = recorded_objects(recording, "kubernetes:argoproj.io/v1alpha1:AppProject")
    return recorded_rbac(releases[0].plain().get("values") or {}, projects, owned_applications(recording), production)


def full_document(recording: Recording) -> dict[str, Any]:
    """The `--json` document: the Azure grants and the ArgoCD rights, each with the rules' violations."""
    rights, problems = argocd_rights(recording)
    return {
        "azure": document(recording),
        "argocd": {"rights": [right.document() for right in rights], "violations": problems},
    }


def text(recording: Recording) -> str:
    """The report for a person: grants grouped by principal, then the rules' verdict."""
    found = grants(recording)
    lines: list[str] = []
    for principal in sorted({g.principal for g in found}):
        mine = [g for g in found if g.principal == principal]
        lines.append(f"{principal}  ({mine[0].principal_id})")
        holders = mine[0].obtainable_by or ("nobody this stack declares",)
        lines.append("  obtainable by: " + "; ".join(holders))
        for grant in mine:
            role = grant.role or "NOT IN THE BUILT-IN ROLE TABLE"
            kind = "write" if grant.writes else "read"
            limited = ", with a condition" if grant.condition else ""
            lines.append(f"  {role} [{kind}{limited}] {grant.role_definition_id.rsplit('/', 1)[-1]} on {grant.scope}")
    problems = access_violations(found, recording.stack)
    lines.append("")
    lines.append(f"access rules: {len(problems)} violation(s)")
    lines += [f"  - {problem}" for problem in problems]
    return "\n".join(lines + argocd_text(recording)) + "\n"


def argocd_text(recording: Recording) -> list[str]:
    """The ArgoCD part of the report: per group, what it may do to which Application."""
    rights, problems = argocd_rights(recording)
    lines = ["", "ArgoCD (get, sync, override per SSO group and generated Application)"]
    for group in sorted({r.group for r in rights}):
        lines.append(f"{group}")
        for right in (r for r in rights if r.group == group):
            where = " [production]" if right.production else ""
            lines.append(f"  {right.project}/{right.application}{where}: {', '.join(right.actions)}")
    lines.append("")
    lines.append(f"ArgoCD access rules: {len(problems)} violation(s)")
    return lines + [f"  - {problem}" for problem in problems]
