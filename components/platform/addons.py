"""How every add-on reaches the clusters: an ArgoCD ApplicationSet on the hub.

An add-on's ApplicationSet uses the clusters generator on the label `enable_<addon>: "true"`
(plus any other labels it needs, such as `gpu: "true"`) of the ArgoCD cluster Secrets,
so each cluster gets exactly the add-ons its labels ask for. The generated Application
installs its sources (the pinned chart with values built in Python, the objects chart
found where the cluster Secret's `addons_repo_*` annotations say, or both), syncs
automatically with prune and self-heal, server-side apply
(CRDs too large for a client-side apply annotation), and retries with exponential backoff.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.versions import HelmChart
from contracts.gitops import (
    ADDON_NAMESPACES,
    ADDONS_REPO_SOURCE,
    ARGOCD_NAMESPACE,
    PLATFORM_PROJECT,
    SYNC_RETRY,
    Addon,
    application_set_spec,
    clusters_generator,
    enable_label,
)


def chart_source(chart: HelmChart, release: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """An Application source that installs a pinned chart with values built in Python."""
    return {
        "repoURL": chart.repository,
        "chart": chart.name,
        "targetRevision": chart.version,
        "helm": {"releaseName": release, "valuesObject": dict(values)},
    }


def objects_source(release: str, objects: Sequence[Any]) -> dict[str, Any]:
    """An Application source that installs `objects` through the objects chart.

    Repository, revision and path come from the cluster Secret's gitops-bridge annotations,
    so the chart can move without a Pulumi change.
    """
    return {**ADDONS_REPO_SOURCE, "helm": {"releaseName": release, "valuesObject": {"objects": list(objects)}}}


@dataclass(frozen=True)
class AddonArgs:
    """What every add-on component takes: what it must exist after, and the labels it carries.

    The hub's Kubernetes provider comes through the component's `opts` (`providers=[hub]`).
    """

    depends_on: Sequence[pulumi.Resource]
    labels: Mapping[str, str] = field(default_factory=dict)


def addon_application_set(
    addon: Addon,
    *,
    sources: Sequence[Mapping[str, Any]],
    args: AddonArgs,
    parent: pulumi.Resource,
    extra_selector: Mapping[str, str] | None = None,
) -> k8s.apiextensions.CustomResource:
    """The ApplicationSet that installs `sources` on every cluster labelled for `addon`, in its namespace."""
    selector = {enable_label(addon): "true", **(extra_selector or {})}
    template = {
        "metadata": {"name": f"{addon}-{{{{.name}}}}", "labels": {"slipway.io/addon": addon.value}},
        "spec": {
            "project": PLATFORM_PROJECT,
            "sources": [dict(source) for source in sources],
            "destination": {"server": "{{.server}}", "namespace": ADDON_NAMESPACES[addon]},
            "syncPolicy": {
                "automated": {"prune": True, "selfHeal": True},
                "syncOptions": ["CreateNamespace=true", "ServerSideApply=true"],
                "retry": SYNC_RETRY,
            },
        },
    }
    return k8s.apiextensions.CustomResource(
        f"{addon}-applicationset",
        api_version="argoproj.io/v1alpha1",
        kind="ApplicationSet",
        metadata=k8s.meta.v1.ObjectMetaArgs(name=addon.value, namespace=ARGOCD_NAMESPACE, labels=dict(args.labels)),
        # No preserveResourcesOnDeletion: a cluster that stops asking for the add-on (its `enable_`
        # label gone) loses the Application, and the resources finalizer uninstalls what it installed.
        spec=application_set_spec([clusters_generator(selector)], template),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(args.depends_on)),
    )


def addon_secret(
    prefix: str,
    suffix: str,
    *,
    namespace: str,
    secret: k8s.meta.v1.ObjectMetaArgs,
    string_data: Mapping[str, pulumi.Input[str]],
    on_cluster: pulumi.ResourceOptions,
    secret_type: str | None = None,
) -> k8s.core.v1.Secret:
    """The add-on's namespace on one cluster and a Secret in it, there before ArgoCD installs what reads it.

    Declared as `<prefix>-namespace` and `<prefix>-<suffix>`; `on_cluster` carries the cluster's
    provider and the parent.
    """
    created = k8s.core.v1.Namespace(
        f"{prefix}-namespace", metadata=k8s.meta.v1.ObjectMetaArgs(name=namespace), opts=on_cluster
    )
    return k8s.core.v1.Secret(
        f"{prefix}-{suffix}",
        metadata=secret,
        type=secret_type,
        string_data=dict(string_data),
        opts=pulumi.ResourceOptions.merge(on_cluster, pulumi.ResourceOptions(depends_on=[created])),
    )
