"""The OIDC subjects Slipway's workflows send, and the subjects its identities trust, are the same list (#30.7).

A subject is derived from each job that may ask for an OIDC token (`id-token: write`) by GitHub's rules,
vendored in offline/reference/github-docs/oidc-subjects.txt: the job's environment when it names one;
otherwise `pull_request` on a pull-request event; otherwise the branch the run is on. An identity that
trusts a subject no workflow sends lets any job that can send it (a job on main with no environment,
say) sign in with that identity's rights.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from offline.engine import Recording

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
RULES = (ROOT / "offline" / "reference" / "github-docs" / "oidc-subjects.txt").read_text()
REPOSITORY = "acme-platform/slipway"  # slipway:identity.repository of dev and prod
FIC = "azure-native:managedidentity:FederatedIdentityCredential"
EXPRESSION = re.compile(r"\$\{\{[^}]*\}\}")


def _syntax(kind: str) -> str:
    """The subject syntax GitHub documents for `kind`, with this repository in place of ORG-NAME/REPO-NAME."""
    (line,) = [line for line in RULES.splitlines() if line.startswith("* Syntax:") and f":{kind}" in line]
    return line.split("`")[1].replace("ORG-NAME/REPO-NAME", REPOSITORY)


def _on(document: dict[Any, Any]) -> Any:
    return document["on"] if "on" in document else document[True]  # YAML 1.1 reads a bare `on` key as True


def _events(document: dict[Any, Any]) -> set[str]:
    on = _on(document)
    return {on} if isinstance(on, str) else set(on)


def job_subjects(document: dict[Any, Any], stack: str) -> set[str]:
    """Every subject a job of this workflow can send while working on `stack`."""
    subjects: set[str] = set()
    for job in document["jobs"].values():
        if job.get("permissions", {}).get("id-token") != "write":
            continue  # no OIDC token, no sign-in
        environment = job.get("environment")
        if environment is not None:
            # An expression in the name is the stack the job works on (drift.yml: `<stack>-drift`).
            name = EXPRESSION.sub(stack, environment if isinstance(environment, str) else environment["name"])
            if name in (stack, f"{stack}-drift"):
                subjects.add(_syntax("environment").replace("ENVIRONMENT-NAME", name))
        elif "pull_request" in _events(document):
            subjects.add(_syntax("pull_request"))
        else:
            branches = _on(document)["push"]["branches"] if "push" in _events(document) else ["main"]
            subjects |= {_syntax("ref:refs/heads").replace("BRANCH-NAME", branch) for branch in branches}
    return subjects


def workflow_subjects(stack: str) -> set[str]:
    """The subjects of Slipway's own workflows (service-delivery.yml runs in service repositories)."""
    documents = [yaml.safe_load(path.read_text()) for path in sorted(WORKFLOWS.glob("*.yml"))]
    return set().union(*(job_subjects(d, stack) for d in documents if "workflow_call" not in _events(d)))


def test_the_rules_are_githubs() -> None:
    assert _syntax("environment") == f"repo:{REPOSITORY}:environment:ENVIRONMENT-NAME"
    assert "only if the job doesn't reference an environment" in RULES


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_identities_trust_exactly_the_subjects_the_workflows_send(
    recorded: Callable[[str], Recording], stack: str
) -> None:
    trusted = {
        credential.plain()["subject"]
        for credential in recorded(stack).of_type(FIC)
        if credential.plain()["subject"].startswith(f"repo:{REPOSITORY}:")
    }
    sent = workflow_subjects(stack)
    assert trusted == sent, (
        f"trusted, never sent: {sorted(trusted - sent)}; sent, never trusted: {sorted(sent - trusted)}"
    )
