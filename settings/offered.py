"""Values Azure does not offer: regions, Kubernetes versions, GPU sizes, from the vendored lists.

A value missing from a list is refused unless `slipway:azure.acceptUnlisted` names it: the lists are
copies (settings/reference/SOURCE.md) and go stale; `unlisted_warnings` says which values were taken.
"""

from __future__ import annotations

import re

from settings.base import NAMESPACE
from settings.reference import aks_gpu_series, aks_kubernetes_minors, azure_regions
from settings.stack import Settings

_REFRESH = "refresh settings/reference (SOURCE.md) or list it in azure.acceptUnlisted"


def _regions(settings: Settings) -> list[tuple[str, str]]:
    found = [("azure.location", settings.azure.location)]
    found += [(f"registries.acr.geoReplicas[{i}]", r) for i, r in enumerate(settings.registries.acr.geo_replicas)]
    return found


def _versions(settings: Settings) -> list[tuple[str, str]]:
    clusters = settings.clusters.enabled() if settings.clusters is not None else {}
    return [(f"clusters.{role}.kubernetesVersion", c.kubernetes_version) for role, c in clusters.items()]


def _gpu_sizes(settings: Settings) -> list[tuple[str, str]]:
    clusters = settings.clusters.enabled() if settings.clusters is not None else {}
    return [
        (f"clusters.{role}.gpuPools[{index}].vmSize", pool.vm_size)
        for role, cluster in clusters.items()
        for index, pool in enumerate(cluster.gpu_pools)
    ]


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _gpu_size(size: str) -> bool:
    return re.match(rf"^Standard_(?:{'|'.join(aks_gpu_series())})\d", size, re.I) is not None


def offered_problems(settings: Settings) -> list[str]:
    """Each region, Kubernetes version and GPU size that Azure's lists do not hold and nobody accepted."""
    if not settings.azure.enabled:
        return []
    accepted = settings.azure.accept_unlisted
    problems = []
    for key, region in _regions(settings):
        if region not in azure_regions() and region not in accepted.regions:
            problems.append(
                f"{NAMESPACE}:{key}: got '{region}', expected an Azure region (the public cloud's programmatic names, "
                f"settings/reference/azure-regions.txt): {_REFRESH}.regions"
            )
    for key, version in _versions(settings):
        if _minor(version) not in aks_kubernetes_minors() and version not in accepted.kubernetes_versions:
            problems.append(
                f"{NAMESPACE}:{key}: got '{version}', expected a Kubernetes version AKS offers "
                f"({', '.join(aks_kubernetes_minors())}, its release calendar): {_REFRESH}.kubernetesVersions"
            )
    for key, size in _gpu_sizes(settings):
        if not _gpu_size(size) and size not in accepted.gpu_vm_sizes:
            problems.append(
                f"{NAMESPACE}:{key}: got '{size}', expected a VM size with NVIDIA GPUs (the "
                f"{', '.join(aks_gpu_series())} series AKS supports): {_REFRESH}.gpuVmSizes"
            )
    return problems


def unlisted_warnings(settings: Settings) -> list[str]:
    """One warning per accepted value the vendored lists do not hold, so nobody forgets the override."""
    if not settings.azure.enabled:
        return []
    accepted = settings.azure.accept_unlisted
    taken = [(k, v) for k, v in _regions(settings) if v not in azure_regions() and v in accepted.regions]
    taken += [
        (k, v)
        for k, v in _versions(settings)
        if _minor(v) not in aks_kubernetes_minors() and v in accepted.kubernetes_versions
    ]
    taken += [(k, v) for k, v in _gpu_sizes(settings) if not _gpu_size(v) and v in accepted.gpu_vm_sizes]
    return [
        f"{NAMESPACE}:{key}: '{value}' is not in Slipway's vendored list; taken because azure.acceptUnlisted names it: "
        "refresh settings/reference (SOURCE.md)"
        for key, value in taken
    ]
