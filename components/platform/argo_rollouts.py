"""Argo Rollouts (the canary and blue-green controller) on every cluster that asks for it."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.platform.addons import AddonArgs, addon_application_set, chart_source
from components.versions import ARGO_ROLLOUTS
from contracts.gitops import Addon


@dataclass(frozen=True)
class ArgoRolloutsArgs:
    addon: AddonArgs
    high_availability: bool
    service_monitors: bool


class ArgoRollouts(pulumi.ComponentResource):
    """The Argo Rollouts ApplicationSet: the pinned chart, CRDs kept on uninstall."""

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
        addon = Addon.ARGO_ROLLOUTS
        addon_application_set(
            addon,
            sources=[chart_source(ARGO_ROLLOUTS, addon, values)],
            args=args.addon,
            parent=self,
        )
        self.register_outputs({})
