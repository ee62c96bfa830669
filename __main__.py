"""Slipway's composition root: read the stack's settings once, then build the four layers in order.

cloud (Azure) -> platform (ArgoCD and its add-ons) -> delivery (what ArgoCD delivers) -> github
(Actions wiring and golden images). Each layer's wiring lives in `wiring/<layer>.py`; data only
flows down, from one layer's outputs to the next layer's arguments.
"""

from __future__ import annotations

import pulumi

from wiring import cloud, delivery, github, platform
from wiring.stack import read_stack


def main() -> None:
    stack = read_stack(pulumi.get_stack())
    built_cloud = cloud.build(stack, stack.cloud) if stack.cloud is not None else None
    if built_cloud is not None:
        cloud.export(built_cloud)
    built_platform = None
    if stack.platform is not None:
        built_platform = platform.build(stack, stack.platform, built_cloud)
        platform.export(built_platform)
        if stack.delivery is not None:
            delivery.build(stack, stack.delivery, built_cloud, built_platform)
    if stack.github is not None and built_cloud is not None:
        images = github.build(stack, stack.github, built_cloud, built_platform)
        if images is not None:
            github.export(images)


main()
