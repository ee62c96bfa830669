"""The AKS options a stack picks from (ARM's enums of Microsoft.ContainerService 2025-09-01).

Settings validate a stack's choice against them; the cluster component declares them.
"""

from __future__ import annotations

from enum import StrEnum


class ClusterTier(StrEnum):
    FREE = "Free"
    STANDARD = "Standard"


class UpgradeChannel(StrEnum):
    """AKS's auto-upgrade channels (ARM enum of ManagedClusterAutoUpgradeProfile.upgradeChannel)."""

    PATCH = "patch"
    STABLE = "stable"
    RAPID = "rapid"
    NODE_IMAGE = "node-image"
    NONE = "none"


# Channels that move the Kubernetes version: the stack pins only major.minor and lets the channel pick the patch.
VERSION_CHANNELS = (UpgradeChannel.PATCH, UpgradeChannel.STABLE, UpgradeChannel.RAPID)


class NodeOsUpgradeChannel(StrEnum):
    NODE_IMAGE = "NodeImage"
    SECURITY_PATCH = "SecurityPatch"


class NetworkPolicy(StrEnum):
    AZURE = "azure"
    CALICO = "calico"
    CILIUM = "cilium"


class ApiServerAccess(StrEnum):
    """How callers reach a cluster's API server."""

    # Public endpoint, no IP allow-list: Entra ID (no local accounts) and Azure RBAC decide who gets in.
    PUBLIC = "public"
    # Public endpoint open only to the stack's static egress (clusters' outbound prefixes, runners' NAT) and
    # `authorizedIpRanges`.
    ALLOW_LISTED = "allowListed"
    # No public endpoint: reachable only from the cluster's own VNet (self-hosted runners and the other cluster).
    PRIVATE = "private"


class OsSku(StrEnum):
    AZURE_LINUX = "AzureLinux"
    UBUNTU = "Ubuntu"


class GpuDriver(StrEnum):
    """Who installs the NVIDIA driver: AKS (`Install`) or the GPU operator (`None`)."""

    INSTALL = "Install"
    NONE = "None"


class WeekDay(StrEnum):
    SUNDAY = "Sunday"
    MONDAY = "Monday"
    TUESDAY = "Tuesday"
    WEDNESDAY = "Wednesday"
    THURSDAY = "Thursday"
    FRIDAY = "Friday"
    SATURDAY = "Saturday"
