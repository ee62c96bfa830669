"""Rules Azure applies that neither the SDK nor the ARM schemas state (#30), each checked against the
documentation excerpt vendored in offline/reference/azure-docs/ (SOURCE.md there names each source)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from components.cloud.roles import RBAC_PROPAGATION_MINUTES
from offline.engine import Recording

DOCS = Path(__file__).resolve().parent.parent / "offline" / "reference" / "azure-docs"


def excerpt(name: str) -> str:
    return (DOCS / name).read_text()


# --- the Kubernetes providers wait for the deploy identity's cluster-admin grant (#30.2) ----------------


def test_role_propagation_bound_is_akss() -> None:

    documented = re.search(r"can take up to (\d+) ?min to propagate", excerpt("aks-manage-azure-rbac.txt"))
    assert documented is not None and int(documented.group(1)) == RBAC_PROPAGATION_MINUTES


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_kubernetes_providers_wait_for_the_deploy_cluster_admin_grant(
    recorded: Callable[[str], Recording], stack: str
) -> None:
    """A first `up` from CI signs in to each cluster as the deploy identity: its provider must not be used
    before that identity's cluster-admin assignment exists and has had time to reach the cluster."""
    recording = recorded(stack)
    providers = recording.of_type("pulumi:providers:kubernetes")
    assert providers
    for provider in providers:
        role = provider.name.rsplit("-", 1)[-1]
        grant = recording.one(
            "azure-native:authorization:RoleAssignment", f"slipway-{stack}-deploy-{role}-cluster-admin"
        )
        waits = [recording.by_urn(urn) for urn in provider.dependencies if "time:index/sleep:Sleep" in urn]
        assert len(waits) == 1, provider.name
        (wait,) = waits
        assert grant.urn in wait.dependencies
        assert wait.plain()["createDuration"] == f"{RBAC_PROPAGATION_MINUTES}m"
