"""The NVIDIA GPU operator, on GPU clusters only, with its own device plugin.

Its ApplicationSet selects cluster Secrets labelled both `gpu: "true"` and
`enable_gpu_operator: "true"`, so CPU clusters never get it. The operator installs the
NVIDIA container toolkit and device plugin (never the standalone plugin as well: two
plugins would fight over the GPUs) and the driver only where AKS does not (the GPU pools'
`driver` setting), so the two never fight either. Its daemonsets and node-feature-discovery
workers tolerate the GPU and Spot taints of Slipway's GPU pools.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.platform.addons import AddonArgs, addon_application_set, chart_source
from components.versions import GPU_OPERATOR
from contracts.gitops import GPU_CLUSTER_LABEL, GPU_TOLERATIONS, Addon, flag


@dataclass(frozen=True)
class GpuOperatorArgs:
    addon: AddonArgs
    install_driver: bool
    service_monitors: bool


class GpuOperator(pulumi.ComponentResource):
    """The GPU operator's ApplicationSet, selecting GPU clusters."""

    def __init__(self, name: str, args: GpuOperatorArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("slipway:platform:GpuOperator", name, None, opts)
        values = {
            "driver": {"enabled": args.install_driver},
            "toolkit": {"enabled": True},
            "devicePlugin": {"enabled": True},
            "daemonsets": {"tolerations": GPU_TOLERATIONS},
            "node-feature-discovery": {"worker": {"tolerations": GPU_TOLERATIONS}},
            "dcgmExporter": {"serviceMonitor": {"enabled": args.service_monitors}},
        }
        addon = Addon.GPU_OPERATOR
        addon_application_set(
            addon,
            sources=[chart_source(GPU_OPERATOR, addon, values)],
            args=args.addon,
            parent=self,
            extra_selector={GPU_CLUSTER_LABEL: flag(True)},
        )
        self.register_outputs({})
