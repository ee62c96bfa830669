"""The contract between Pulumi and ArgoCD, in one place (the gitops-bridge pattern).

Pulumi registers each cluster with ArgoCD as a cluster Secret whose labels say what the
cluster is and what it wants, and whose annotations carry the facts services and add-ons
need. Every ApplicationSet Slipway declares selects on those labels and reads those
annotations. Both sides take every name from here, so a label can never be set in one
place and selected under another spelling elsewhere.

Also here: the cluster roles (`hub`, `gpu`), the GPU and Spot taints the cloud layer puts on
GPU pools and the tolerations the platform derives from them, ArgoCD's namespace and
service accounts, the add-on names, and the ApplicationSet skeleton (Go templates with
`missingkey=error`, so a missing parameter fails instead of rendering empty).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# --- ArgoCD itself ---------------------------------------------------------------------

ARGOCD_NAMESPACE = "argocd"
# The project every add-on Application belongs to.
PLATFORM_PROJECT = "platform"
# The ArgoCD service accounts that reach other clusters through Azure workload identity.
ARGOCD_SERVICE_ACCOUNTS = ("argocd-application-controller", "argocd-applicationset-controller", "argocd-server")
# The hub registers itself under this address: ArgoCD's in-cluster destination.
IN_CLUSTER = "https://kubernetes.default.svc"
# Retries with exponential backoff for every generated Application.
SYNC_RETRY: dict[str, Any] = {"limit": 10, "backoff": {"duration": "30s", "factor": 2, "maxDuration": "10m"}}


class ClusterRole(StrEnum):
    """What a cluster is for: the hub runs ArgoCD and CPU services, the GPU cluster GPU services."""

    HUB = "hub"
    GPU = "gpu"


class Addon(StrEnum):
    """The add-ons ArgoCD installs, by the name of their ApplicationSet and release."""

    ARGO_ROLLOUTS = "argo-rollouts"
    CANARY_ANALYSIS = "canary-analysis"
    GATEKEEPER = "gatekeeper"
    SEALED_SECRETS = "sealed-secrets"
    GPU_OPERATOR = "gpu-operator"


# --- the cluster Secret ----------------------------------------------------------------

SECRET_TYPE_LABEL = {"argocd.argoproj.io/secret-type": "cluster"}
CLUSTER_NAME_LABEL = "cluster_name"
GPU_CLUSTER_LABEL = "gpu"


def enable_label(addon: Addon) -> str:
    """The cluster Secret label that asks for an add-on: `enable_argo_rollouts`."""
    return f"enable_{addon.value.replace('-', '_')}"


def environment_label(environment: str) -> str:
    """The cluster Secret label saying the cluster serves an environment (one cluster may serve several)."""
    return f"environment_{environment}"


def flag(on: bool) -> str:
    """Label values are strings: `"true"` or `"false"`."""
    return "true" if on else "false"


class Annotation(StrEnum):
    """The facts a cluster Secret carries for services and add-ons."""

    TENANT_ID = "slipway.io/tenant-id"
    SUBSCRIPTION_ID = "slipway.io/subscription-id"
    ACR_LOGIN_SERVER = "slipway.io/acr-login-server"
    GHCR_PREFIX = "slipway.io/ghcr-prefix"
    ADDONS_REPO_URL = "slipway.io/addons-repo-url"
    ADDONS_REPO_REVISION = "slipway.io/addons-repo-revision"
    ADDONS_REPO_PATH = "slipway.io/addons-repo-path"
    OIDC_ISSUER = "slipway.io/oidc-issuer"
    KUBELET_CLIENT_ID = "slipway.io/kubelet-client-id"


# This repository's deliberately trivial chart that emits the objects passed in its values.
OBJECTS_CHART_PATH = "charts/objects"


@dataclass(frozen=True)
class ClusterTarget:
    """One cluster as the platform and delivery layers see it, in Azure or local mode alike."""

    role: ClusterRole
    environments: Sequence[str]
    addons: Sequence[Addon]

    @property
    def gpu(self) -> bool:
        return self.role is ClusterRole.GPU


def cluster_labels(target: ClusterTarget) -> dict[str, str]:
    """Everything an ApplicationSet may select a cluster on."""
    labels = {**SECRET_TYPE_LABEL, CLUSTER_NAME_LABEL: target.role.value, GPU_CLUSTER_LABEL: flag(target.gpu)}
    labels.update({environment_label(env): "true" for env in target.environments})
    labels.update({enable_label(addon): "true" for addon in target.addons})
    return labels


# --- GPU nodes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Taint:
    key: str
    value: str
    effect: str

    def __str__(self) -> str:
        """AKS's `nodeTaints` form: `key=value:Effect`."""
        return f"{self.key}={self.value}:{self.effect}"

    def toleration(self, *, any_value: bool = False) -> dict[str, str]:
        """The Kubernetes toleration that lets a pod onto nodes with this taint."""
        if any_value:
            return {"key": self.key, "operator": "Exists", "effect": self.effect}
        return {"key": self.key, "operator": "Equal", "value": self.value, "effect": self.effect}


# GPU pools keep everything that does not ask for a GPU off their expensive nodes.
GPU_TAINT = Taint("nvidia.com/gpu", "present", "NoSchedule")
GPU_NODE_LABEL = {"slipway.io/accelerator": "nvidia"}
# AKS's own taint and label on Spot nodes (AKS adds them to every Spot pool).
SPOT_TAINT = Taint("kubernetes.azure.com/scalesetpriority", "spot", "NoSchedule")
SPOT_NODE_LABEL = {"kubernetes.azure.com/scalesetpriority": "spot"}
# What GPU add-ons tolerate: any GPU taint value, and Spot eviction.
GPU_TOLERATIONS = [GPU_TAINT.toleration(any_value=True), SPOT_TAINT.toleration()]


# --- ApplicationSets -------------------------------------------------------------------


def go_template_literal(text: str) -> str:
    """`text` escaped so an ApplicationSet's Go templating emits it unchanged (`{{` stays `{{`)."""
    opening, closing = "\x00", "\x01"
    marked = text.replace("{{", opening).replace("}}", closing)
    return marked.replace(opening, '{{"{{"}}').replace(closing, '{{"}}"}}')


def clusters_generator(selector: Mapping[str, str]) -> dict[str, Any]:
    """ArgoCD's clusters generator over the cluster Secrets matching `selector`."""
    return {"clusters": {"selector": {"matchLabels": dict(selector)}}}


def application_set_spec(
    generators: Sequence[Mapping[str, Any]], template: Mapping[str, Any], **extra: Any
) -> dict[str, Any]:
    """The skeleton every Slipway ApplicationSet shares: Go templates that fail on a missing key."""
    return {
        "goTemplate": True,
        "goTemplateOptions": ["missingkey=error"],
        "generators": [dict(g) for g in generators],
        **extra,
        "template": dict(template),
    }
