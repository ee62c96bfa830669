"""The GPU cluster's exec config in the form `argocd-k8s-auth azure` accepts at the pinned ArgoCD.

The facts come from tests/argocd_cases/argocd_k8s_auth_azure.json, copied from ArgoCD v3.4.4's
`cmd/argocd-k8s-auth/commands/azure_cgo.go` and the kubelogin v0.2.16 code it calls (sources named
in the file): which environment variables are read, which the workload-identity flow requires.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from components.versions import ARGO_CD
from offline.engine import Recording

FACTS: dict[str, Any] = json.loads((Path(__file__).parent / "argocd_cases" / "argocd_k8s_auth_azure.json").read_text())


def test_the_facts_are_those_of_the_pinned_argocd() -> None:
    assert ARGO_CD.app_version == "v3.4.4"
    assert any("argo-cd v3.4.4" in source and "kubelogin v0.2.16" in source for source in FACTS["_source"])


def _gpu_exec_env(recording: Recording) -> dict[str, str]:
    (secret,) = [s for s in recording.of_type("kubernetes:core/v1:Secret") if s.name == "clusters-gpu"]
    exec_config = json.loads(secret.plain()["stringData"]["config"])["execProviderConfig"]
    assert exec_config["command"] == "argocd-k8s-auth" and exec_config["args"] == ["azure"]
    return exec_config["env"]  # type: ignore[no-any-return]


def test_workload_identity_exec_env_is_read_by_kubelogin_at_the_pinned_version(
    recorded: Callable[[str], Recording],
) -> None:
    env = _gpu_exec_env(recorded("prod"))
    known = set(FACTS["kubelogin_options_with_env"]) | set(FACTS["argocd_reads"])
    assert set(env) <= known, set(env) - known
    assert env["AAD_LOGIN_METHOD"] == FACTS["workload_identity_login_method"]
    for name in FACTS["workload_identity_requires_non_empty"]:
        assert env.get(name), name
    # AZURE_CLIENT_ID overrides the AAD_SERVICE_PRINCIPAL_* names; mixing them would be ambiguous.
    assert not [name for name in env if name.startswith("AAD_SERVICE_PRINCIPAL_")]
    assert env["AZURE_AUTHORITY_HOST"].endswith(FACTS["authority_host_suffix"])
    assert env["AAD_ENVIRONMENT_NAME"].upper() in FACTS["environment_names_public_cloud"]
