"""OPA Gatekeeper and our policies, delivered by ArgoCD in one Application per cluster.

The Application has two sources: the pinned Gatekeeper chart, and this repository's
deliberately trivial `charts/objects` chart, which only emits the objects passed in its
values. Those objects (ConstraintTemplates with the Rego kept in
`components/platform/rego/`, and their Constraints) are built here, in Python, so tests
validate them. Sync waves order them after Gatekeeper's CRDs (wave 1 templates, wave 2
constraints) and `SkipDryRunOnMissingResource` lets a constraint apply on the very first
sync, before Gatekeeper has generated its CRD from the template.

Policies: required labels, CPU and memory limits, images only from our registries (where the
stack has one: an empty allow-list would refuse every Pod), no privileged containers, nothing in
`default` but Kubernetes' own objects. Excluded namespaces and the enforcement
action (dryrun, warn, deny) come from settings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi

from components.platform.addons import AddonArgs, addon_application_set, chart_source, objects_source
from components.versions import GATEKEEPER
from contracts.gitops import Addon

REGO_DIR = Path(__file__).parent / "rego"
REQUIRED_LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/part-of", "environment")
WORKLOAD_KINDS = [
    {"apiGroups": ["apps"], "kinds": ["Deployment", "StatefulSet", "DaemonSet"]},
    {"apiGroups": ["batch"], "kinds": ["Job", "CronJob"]},
    {"apiGroups": ["argoproj.io"], "kinds": ["Rollout"]},
]
POD_KINDS = [{"apiGroups": [""], "kinds": ["Pod"]}]
NAMESPACED_KINDS = [
    *WORKLOAD_KINDS,
    *POD_KINDS,
    {"apiGroups": [""], "kinds": ["Service", "ConfigMap", "Secret", "ServiceAccount"]},
]
STRING_LIST = {"type": "array", "items": {"type": "string"}}


@dataclass(frozen=True)
class Policy:
    """One ConstraintTemplate (its Rego file, its parameters' schema) and its Constraint."""

    name: str
    kind: str
    match_kinds: Sequence[Mapping[str, Any]]
    parameters_schema: Mapping[str, Any] | None = None

    def rego(self) -> str:
        return (REGO_DIR / f"{self.name}.rego").read_text()


POLICIES = (
    Policy("k8srequiredlabels", "K8sRequiredLabels", WORKLOAD_KINDS, {"labels": STRING_LIST}),
    Policy("k8scontainerlimits", "K8sContainerLimits", POD_KINDS),
    Policy("k8sallowedrepos", "K8sAllowedRepos", POD_KINDS, {"repos": STRING_LIST}),
    Policy("k8snoprivileged", "K8sNoPrivileged", POD_KINDS),
    Policy("k8snodefaultnamespace", "K8sNoDefaultNamespace", NAMESPACED_KINDS),
)


def _sync(wave: int) -> dict[str, str]:
    return {
        "argocd.argoproj.io/sync-wave": str(wave),
        "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true",
    }


def constraint_template(policy: Policy) -> dict[str, Any]:
    names: dict[str, Any] = {"names": {"kind": policy.kind}}
    if policy.parameters_schema is not None:
        names["validation"] = {"openAPIV3Schema": {"type": "object", "properties": dict(policy.parameters_schema)}}
    return {
        "apiVersion": "templates.gatekeeper.sh/v1",
        "kind": "ConstraintTemplate",
        "metadata": {"name": policy.name, "annotations": _sync(1)},
        "spec": {
            "crd": {"spec": names},
            "targets": [
                {
                    "target": "admission.k8s.gatekeeper.sh",
                    "code": [{"engine": "Rego", "source": {"version": "v1", "rego": policy.rego()}}],
                }
            ],
        },
    }


def constraint(
    policy: Policy, enforcement_action: str, excluded_namespaces: Sequence[str], parameters: Mapping[str, Any]
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "enforcementAction": enforcement_action,
        "match": {"kinds": list(policy.match_kinds), "excludedNamespaces": list(excluded_namespaces)},
    }
    if parameters:
        spec["parameters"] = dict(parameters)
    return {
        "apiVersion": "constraints.gatekeeper.sh/v1beta1",
        "kind": policy.kind,
        "metadata": {"name": f"slipway-{policy.name}", "annotations": _sync(2)},
        "spec": spec,
    }


@dataclass(frozen=True)
class GatekeeperArgs:
    addon: AddonArgs
    high_availability: bool
    enforcement_action: str
    excluded_namespaces: Sequence[str]
    allowed_repos: Sequence[pulumi.Input[str]]


class Gatekeeper(pulumi.ComponentResource):
    """Gatekeeper and Slipway's policies on every cluster that asks for them."""

    def __init__(self, name: str, args: GatekeeperArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("slipway:platform:Gatekeeper", name, None, opts)
        parameters: dict[str, dict[str, Any]] = {
            "k8srequiredlabels": {"labels": list(REQUIRED_LABELS)},
            "k8sallowedrepos": {"repos": list(args.allowed_repos)},
        }
        # An empty allow-list would make every Pod a violation: without a registry, no such policy.
        policies = [p for p in POLICIES if p.name != "k8sallowedrepos" or args.allowed_repos]
        objects = [constraint_template(policy) for policy in policies] + [
            constraint(policy, args.enforcement_action, args.excluded_namespaces, parameters.get(policy.name, {}))
            for policy in policies
        ]
        values = {
            "replicas": 3 if args.high_availability else 1,
            "auditInterval": 60,
            "logDenies": True,
            "constraintViolationsLimit": 50,
        }
        addon = Addon.GATEKEEPER
        addon_application_set(
            addon,
            sources=[
                chart_source(GATEKEEPER, addon, values),
                objects_source("gatekeeper-policies", objects),
            ],
            args=args.addon,
            parent=self,
        )
        self.register_outputs({})
