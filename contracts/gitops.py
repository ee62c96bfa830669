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
    METRICS = "metrics"
    TRACES = "traces"


# Where each add-on runs on a cluster.
ADDON_NAMESPACES: dict[Addon, str] = {
    Addon.ARGO_ROLLOUTS: "argo-rollouts",
    Addon.CANARY_ANALYSIS: "argo-rollouts",  # Rollouts reads its ClusterAnalysisTemplates there
    Addon.GATEKEEPER: "gatekeeper-system",
    Addon.SEALED_SECRETS: "sealed-secrets",
    Addon.GPU_OPERATOR: "gpu-operator",
    Addon.METRICS: "monitoring",
    Addon.TRACES: "opentelemetry",
}
# Kubernetes' own namespaces; every `kube-` name is reserved to Kubernetes as well.
KUBERNETES_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
PLATFORM_NAMESPACES = (ARGOCD_NAMESPACE, *sorted(set(ADDON_NAMESPACES.values())))


def is_system_namespace(namespace: str) -> bool:
    """A namespace no service may be delivered into: Kubernetes' own, ArgoCD's, an add-on's."""
    return namespace.startswith("kube-") or namespace in (*KUBERNETES_NAMESPACES, *PLATFORM_NAMESPACES)


# --- the cluster Secret ----------------------------------------------------------------

SECRET_TYPE_LABEL = {"argocd.argoproj.io/secret-type": "cluster"}
CLUSTER_NAME_LABEL = "cluster_name"
GPU_CLUSTER_LABEL = "gpu"
# gitops-bridge's `environment` label holds ONE environment (its workload ApplicationSets
# select on it and read `{{metadata.labels.environment}}`: gitops-bridge-dev/gitops-bridge
# @cac900a2, argocd/iac/terraform/examples/eks/multi-cluster/hub-spoke/hub/bootstrap/workloads.yaml).
# A Slipway cluster may serve several environments, so it carries the one it matters most
# for (its production environment if it serves one, else the last it serves) here, and
# every environment it serves as `environment_<env>: "true"`, which Slipway's own
# ApplicationSets select on.
ENVIRONMENT_LABEL = "environment"


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
    """The facts a cluster Secret carries for services and add-ons.

    The `addons_repo_*` keys are gitops-bridge's own: its bootstrap ApplicationSets read the
    add-ons' source as `repoURL: '{{metadata.annotations.addons_repo_url}}'`,
    `path: '{{metadata.annotations.addons_repo_basepath}}{{metadata.annotations.addons_repo_path}}'`,
    `targetRevision: '{{metadata.annotations.addons_repo_revision}}'`
    (gitops-bridge-dev/gitops-bridge @cac900a22e6b82fd011f0f5f94dc35a1614cf24d,
    argocd/iac/terraform/examples/eks/getting-started/bootstrap/addons.yaml, lines 17-19).
    """

    TENANT_ID = "slipway.io/tenant-id"
    SUBSCRIPTION_ID = "slipway.io/subscription-id"
    ACR_LOGIN_SERVER = "slipway.io/acr-login-server"
    GHCR_PREFIX = "slipway.io/ghcr-prefix"
    ADDONS_REPO_URL = "addons_repo_url"
    ADDONS_REPO_REVISION = "addons_repo_revision"
    ADDONS_REPO_BASEPATH = "addons_repo_basepath"
    ADDONS_REPO_PATH = "addons_repo_path"
    OIDC_ISSUER = "slipway.io/oidc-issuer"
    KUBELET_CLIENT_ID = "slipway.io/kubelet-client-id"
    # The cluster's OpenTelemetry collector, where services send OTLP (gRPC and HTTP), when traces are on.
    OTLP_GRPC_ENDPOINT = "slipway.io/otlp-grpc-endpoint"
    OTLP_HTTP_ENDPOINT = "slipway.io/otlp-http-endpoint"


# This repository's deliberately trivial chart that emits the objects passed in its values.
OBJECTS_CHART_PATH = "charts/objects"


def addons_repo_annotations(url: str, revision: str) -> dict[str, str]:
    """The gitops-bridge annotations saying where the add-ons' objects chart lives.

    Base path and path concatenate, as gitops-bridge's ApplicationSets do: the base path is
    the repository root, the path the objects chart.
    """
    return {
        Annotation.ADDONS_REPO_URL: url,
        Annotation.ADDONS_REPO_REVISION: revision,
        Annotation.ADDONS_REPO_BASEPATH: "",
        Annotation.ADDONS_REPO_PATH: OBJECTS_CHART_PATH,
    }


def annotation_param(annotation: Annotation) -> str:
    """The Go-template expression an ApplicationSet reads a cluster Secret annotation with.

    The clusters generator hands a Secret's annotations over as `.metadata.annotations` in
    goTemplate mode (argoproj/argo-cd v3.4.4, applicationset/generators/cluster.go, lines 142-152).
    """
    if not annotation.value.isidentifier():
        raise ValueError(f"annotation {annotation.value!r} is not a Go template field name")
    return f"{{{{.metadata.annotations.{annotation.value}}}}}"


# The add-on Application source that reads the objects chart's repository, revision and path
# from the cluster Secret, so the add-ons can move repositories without a Pulumi change.
ADDONS_REPO_SOURCE = {
    "repoURL": annotation_param(Annotation.ADDONS_REPO_URL),
    "targetRevision": annotation_param(Annotation.ADDONS_REPO_REVISION),
    "path": annotation_param(Annotation.ADDONS_REPO_BASEPATH) + annotation_param(Annotation.ADDONS_REPO_PATH),
}


@dataclass(frozen=True)
class ClusterTarget:
    """One cluster as the platform and delivery layers see it, in Azure or local mode alike."""

    role: ClusterRole
    environments: Sequence[str]
    addons: Sequence[Addon]

    @property
    def gpu(self) -> bool:
        return self.role is ClusterRole.GPU


def primary_environment(environments: Sequence[str], production_environments: Sequence[str]) -> str:
    """The one environment gitops-bridge's `environment` label names: the first production one served, else the last."""
    production = [env for env in environments if env in production_environments]
    return production[0] if production else environments[-1]


def cluster_labels(target: ClusterTarget, production_environments: Sequence[str]) -> dict[str, str]:
    """Everything an ApplicationSet may select a cluster on."""
    labels = {
        **SECRET_TYPE_LABEL,
        CLUSTER_NAME_LABEL: target.role.value,
        GPU_CLUSTER_LABEL: flag(target.gpu),
        ENVIRONMENT_LABEL: primary_environment(target.environments, production_environments),
    }
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


# The parameters ArgoCD's clusters generator emits for every cluster in goTemplate mode:
# `name`, `nameNormalized`, `server`, `project` (always, "" for a Secret without one),
# `metadata` (argoproj/argo-cd v3.4.4, applicationset/generators/cluster.go, lines 128-152)
# and `values` when the generator sets some (value_interpolation.go, lines 20-24).
CLUSTER_GENERATOR_PARAMS = frozenset({"name", "nameNormalized", "server", "project", "metadata", "values"})


def clusters_matrix(selector: Mapping[str, str], elements: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A matrix of the clusters matching `selector` and a list of `elements`.

    In goTemplate mode the matrix merges the FIRST generator's parameters over the second's
    (argoproj/argo-cd v3.4.4, applicationset/generators/matrix.go, lines 60-66: `b` then `a`,
    both `mergo.WithOverride`), so a list key the clusters generator also emits would be
    silently replaced by the cluster's value (`project: ""`). Such a key is refused here.
    """
    for element in elements:
        clash = sorted(CLUSTER_GENERATOR_PARAMS & set(element))
        if clash:
            raise ValueError(f"list parameters {clash} would be overridden by the clusters generator's")
    return {
        "matrix": {"generators": [clusters_generator(selector), {"list": {"elements": [dict(e) for e in elements]}}]}
    }


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
