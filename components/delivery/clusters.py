"""Cluster registration, gitops-bridge style: one ArgoCD cluster Secret per cluster.

Each Secret carries what ApplicationSets select on, as labels (`cluster_name`, `gpu`,
`environment_<env>: "true"` for each environment the cluster serves, since one cluster
may serve several, gitops-bridge's `environment` with the one it matters most for, and
`enable_<addon>: "true"` for each add-on it gets), and what services and add-ons need to
know, as annotations (registries, tenant and subscription, OIDC issuer, workload-identity
client ids, and gitops-bridge's `addons_repo_*`: the repository, revision and path the
add-on ApplicationSets read).

The hub registers itself as the in-cluster destination. A remote cluster is reached with
Azure workload identity (`argocd-k8s-auth azure`): the Secret holds its address and CA,
never a token, password or client key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from contracts.gitops import ARGOCD_NAMESPACE, IN_CLUSTER, ClusterTarget, cluster_labels

# Where the Azure workload identity webhook mounts the service account's federated token.
FEDERATED_TOKEN_FILE = "/var/run/secrets/azure/tokens/azure-identity-token"


@dataclass(frozen=True)
class WorkloadIdentityAuth:
    client_id: pulumi.Input[str]
    tenant_id: pulumi.Input[str]
    server: pulumi.Input[str]
    ca_data: pulumi.Input[str]


@dataclass(frozen=True)
class ClusterEntry:
    """One cluster as ArgoCD should know it. `remote` is None for the hub itself."""

    target: ClusterTarget
    annotations: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    remote: WorkloadIdentityAuth | None = None
    # What must exist on the cluster before ArgoCD may see it (its sealing key Secret).
    after: Sequence[pulumi.Resource] = ()


@dataclass(frozen=True)
class ClusterRegistrationArgs:
    """The hub's Kubernetes provider comes through `opts` (`providers=[hub]`)."""

    depends_on: Sequence[pulumi.Resource]
    clusters: Sequence[ClusterEntry]
    production_environments: Sequence[str]


def _remote_config(auth: WorkloadIdentityAuth) -> pulumi.Output[str]:
    # The form `argocd-k8s-auth azure` accepts at the pinned ArgoCD v3.4.4 (argoproj/argo-cd
    # 443415b5527ac55366e0760c93ef0e1abd0cf273, cmd/argocd-k8s-auth/commands/azure_cgo.go), which calls
    # kubelogin v0.2.16 (go.mod; Azure/kubelogin f2dcbd90666712e664d61419dc093219b3e5b1d5):
    # pkg/token/options_ctor.go OptionsWithEnv reads AAD_LOGIN_METHOD, AZURE_TENANT_ID, AZURE_CLIENT_ID
    # (over AAD_SERVICE_PRINCIPAL_CLIENT_ID), AZURE_FEDERATED_TOKEN_FILE and AZURE_AUTHORITY_HOST;
    # pkg/internal/token/workloadidentitycredential.go refuses an empty client id, tenant id or token
    # file, so all three are set here rather than left to the webhook; options.go wants the authority
    # host with its trailing slash. The AAD_SERVICE_PRINCIPAL_* names of the 2.x docs are not used.
    # Pinned by tests/test_cluster_auth.py against tests/argocd_cases/argocd_k8s_auth_azure.json.
    return pulumi.Output.all(auth.client_id, auth.tenant_id, auth.ca_data).apply(
        lambda v: json.dumps(
            {
                "execProviderConfig": {
                    "command": "argocd-k8s-auth",
                    "args": ["azure"],
                    "apiVersion": "client.authentication.k8s.io/v1beta1",
                    "env": {
                        "AAD_ENVIRONMENT_NAME": "AzurePublicCloud",
                        "AAD_LOGIN_METHOD": "workloadidentity",
                        "AZURE_CLIENT_ID": v[0],
                        "AZURE_TENANT_ID": v[1],
                        "AZURE_FEDERATED_TOKEN_FILE": FEDERATED_TOKEN_FILE,
                        "AZURE_AUTHORITY_HOST": "https://login.microsoftonline.com/",
                    },
                },
                "tlsClientConfig": {"insecure": False, "caData": v[2]},
            },
            sort_keys=True,
        )
    )


class ClusterRegistration(pulumi.ComponentResource):
    """The ArgoCD cluster Secrets of every cluster, on the hub."""

    def __init__(
        self, resource: str, args: ClusterRegistrationArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("slipway:delivery:ClusterRegistration", resource, None, opts)
        for entry in args.clusters:
            name = entry.target.role.value
            string_data: dict[str, Any] = {"name": name}
            if entry.remote is None:
                string_data.update(server=IN_CLUSTER, config=json.dumps({"tlsClientConfig": {"insecure": False}}))
            else:
                string_data.update(server=entry.remote.server, config=_remote_config(entry.remote))
            k8s.core.v1.Secret(
                f"{resource}-{name}",
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name=f"cluster-{name}",
                    namespace=ARGOCD_NAMESPACE,
                    labels=cluster_labels(entry.target, args.production_environments),
                    annotations=dict(entry.annotations),
                ),
                type="Opaque",
                string_data=string_data,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[*args.depends_on, *entry.after]),
            )
        self.register_outputs({})
