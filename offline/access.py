"""`python -m offline access --stack NAME [--json]`: who can obtain which Azure role in a stack.

For every principal the stack creates or trusts (managed identities, Entra applications,
cluster kubelets), each role it holds (role name from the vendored built-in role table,
role definition id, scope) and who can obtain it: the OIDC subjects its federated
credentials trust, or the Azure resource that holds it. Built from a recording, with the
principal ids the recording engine answers (`offline.outputs`); the model and the rules
(`access_grants`, `access_violations`) are the policy pack's, so the report and the
`access-least-privilege` policy cannot disagree.
"""

from __future__ import annotations

from typing import Any

from offline.engine import Recording, reveal
from policypack.policies import Grant, access_grants, access_violations


def grants(recording: Recording) -> list[Grant]:
    """Every role assignment of the recording, joined with its principal and who can obtain it."""
    resources = [(r.type, {**reveal(r.outputs), **r.plain()}) for r in recording.resources if r.custom]
    return sorted(access_grants(resources), key=lambda g: (g.principal, g.role or "", g.scope))


def document(recording: Recording) -> list[dict[str, Any]]:
    """The `--json` document: one object per (principal, role, scope)."""
    return [grant.document() for grant in grants(recording)]


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
    return "\n".join(lines) + "\n"
