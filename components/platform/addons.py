"""How every add-on reaches the clusters: an ArgoCD ApplicationSet on the hub.

An add-on's ApplicationSet uses the clusters generator on the label `enable_<addon>: "true"`
(plus any other labels it needs, such as `gpu: "true"`) of the ArgoCD cluster Secrets,
so each cluster gets exactly the add-ons its labels ask for. The generated Application
installs the pinned chart with values built in Python (`valuesObject`), syncs
automatically with prune and self-heal, server-side apply (CRDs too large for a
client-side apply annotation), and retries with exponential backoff.

`ArgoRollouts` lives here too: it is nothing but an add-on ApplicationSet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.platform.argocd import NAMESPACE, PLATFORM_PROJECT
from components.versions import ARGO_ROLLOUTS, HelmChart

SYNC_RETRY = {"limit": 10, "backoff": {"duration": "30s", "factor": 2, "maxDuration": "10m"}}
# This repository's deliberately trivial chart that emits the objects passed in its values.
OBJECTS_CHART_PATH = "charts/objects"


def go_template_literal(text: str) -> str:
    """`text` escaped so an ApplicationSet's Go templating emits it unchanged (`{{` stays `{{`)."""
    opening, closing = "\x00", "\x01"
    marked = text.replace("{{", opening).replace("}}", closing)
    return marked.replace(opening, '{{"{{"}}').replace(closing, '{{"}}"}}')


def objects_source(repo_url: str, revision: str, release: str, objects: Sequence[Any]) -> dict[str, Any]:
    """An Application source that installs `objects` through the objects chart."""
    return {
        "repoURL": repo_url,
        "targetRevision": revision,
        "path": OBJECTS_CHART_PATH,
        "helm": {"releaseName": release, "valuesObject": {"objects": list(objects)}},
    }


def enable_label(addon: str) -> str:
    """The cluster Secret label that asks for an add-on: `enable_argo_rollouts`."""
    return f"enable_{addon.replace('-', '_')}"


@dataclass(frozen=True)
class AddonArgs:
    """What every add-on component takes: where ArgoCD runs and what it must exist after."""

    provider: k8s.Provider
    depends_on: Sequence[pulumi.Resource]
    labels: Mapping[str, str] = field(default_factory=dict)


def addon_application_set(
    addon: str,
    *,
    chart: HelmChart,
    namespace: str,
    values: Mapping[str, Any],
    args: AddonArgs,
    parent: pulumi.Resource,
    extra_selector: Mapping[str, str] | None = None,
    extra_sources: Sequence[Mapping[str, Any]] = (),
) -> k8s.apiextensions.CustomResource:
    """The ApplicationSet that installs `chart` on every cluster labelled for `addon`."""
    selector = {enable_label(addon): "true", **(extra_selector or {})}
    sources = [
        {
            "repoURL": chart.repository,
            "chart": chart.name,
            "targetRevision": chart.version,
            "helm": {"releaseName": addon, "valuesObject": dict(values)},
        },
        *extra_sources,
    ]
    return k8s.apiextensions.CustomResource(
        f"{addon}-applicationset",
        api_version="argoproj.io/v1alpha1",
        kind="ApplicationSet",
        metadata=k8s.meta.v1.ObjectMetaArgs(name=addon, namespace=NAMESPACE, labels=dict(args.labels)),
        spec={
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [{"clusters": {"selector": {"matchLabels": selector}}}],
            # Deleting the ApplicationSet must never uninstall an add-on from running clusters.
            "syncPolicy": {"preserveResourcesOnDeletion": True},
            "template": {
                "metadata": {"name": f"{addon}-{{{{.name}}}}", "labels": {"slipway.io/addon": addon}},
                "spec": {
                    "project": PLATFORM_PROJECT,
                    "sources": sources,
                    "destination": {"server": "{{.server}}", "namespace": namespace},
                    "syncPolicy": {
                        "automated": {"prune": True, "selfHeal": True},
                        "syncOptions": ["CreateNamespace=true", "ServerSideApply=true"],
                        "retry": SYNC_RETRY,
                    },
                },
            },
        },
        opts=pulumi.ResourceOptions(parent=parent, provider=args.provider, depends_on=list(args.depends_on)),
    )


@dataclass(frozen=True)
class ArgoRolloutsArgs:
    addon: AddonArgs
    high_availability: bool
    service_monitors: bool


class ArgoRollouts(pulumi.ComponentResource):
    """Argo Rollouts (canary and blue-green controller) on every cluster that asks for it."""

    def __init__(self, name: str, args: ArgoRolloutsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("slipway:platform:ArgoRollouts", name, None, opts)
        values = {
            "installCRDs": True,
            "keepCRDs": True,
            "controller": {
                "replicas": 2 if args.high_availability else 1,
                "metrics": {"enabled": True, "serviceMonitor": {"enabled": args.service_monitors}},
            },
            "dashboard": {"enabled": False},
        }
        addon_application_set(
            "argo-rollouts", chart=ARGO_ROLLOUTS, namespace="argo-rollouts", values=values, args=args.addon, parent=self
        )
        self.register_outputs({})
