"""schema_check refuses what the API server refuses: here, a custom resource's name.

Conformance check 3 (conformance/crd_check.py) found Slipway's own check accepting an AppProject,
an Application or a ClusterAnalysisTemplate named `Not_A_DNS_Name`, which the API server's
custom-resource strategy refuses (metadata.name must be a lowercase RFC 1123 subdomain).
"""

from __future__ import annotations

import pytest
from schema_check import custom_resource_errors

PROJECT = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "AppProject",
    "metadata": {"name": "team-web", "namespace": "argocd"},
    "spec": {"sourceRepos": ["*"]},
}


@pytest.mark.parametrize("name", ["Not_A_DNS_Name", "UPPER", "-leading", "trailing.", "a" * 254, ""])
def test_a_name_that_is_not_a_dns_subdomain_is_refused(name: str) -> None:
    document = {**PROJECT, "metadata": {**PROJECT["metadata"], "name": name}}  # type: ignore[dict-item]
    assert any(problem.startswith("metadata.name") for problem in custom_resource_errors(document))


@pytest.mark.parametrize("name", ["team-web", "a.b-c", "a" * 253, "0"])
def test_a_dns_subdomain_is_accepted(name: str) -> None:
    document = {**PROJECT, "metadata": {**PROJECT["metadata"], "name": name}}  # type: ignore[dict-item]
    assert custom_resource_errors(document) == []
