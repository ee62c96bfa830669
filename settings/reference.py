"""External facts the settings are checked against, read from the upstream copies in `settings/reference/`.

Each list comes from the file named in `settings/reference/SOURCE.md` (repository, path, commit, date);
nothing here is typed from memory. Lists that go stale (regions, Kubernetes versions) are refreshed by
copying the upstream rows again; until then `slipway:azure.acceptUnlisted` lets a value through, warned.
"""

from __future__ import annotations

import ipaddress
import re
from functools import cache
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent / "reference"


def _text(name: str) -> str:
    return (REFERENCE / name).read_text()


@cache
def azure_regions() -> frozenset[str]:
    """Programmatic names of the Azure public cloud's regions."""
    return frozenset(line.strip() for line in _text("azure-regions.txt").splitlines() if line.strip())


@cache
def aks_kubernetes_minors() -> tuple[str, ...]:
    """The Kubernetes minor versions AKS's release calendar lists (GA, LTS or announced)."""
    found = {match.group(1) for match in re.finditer(r"^\| (1\.\d+) \|", _text("aks-kubernetes-versions.md"), re.M)}
    return tuple(sorted(found, key=lambda version: int(version.split(".")[1])))


@cache
def aks_reserved_ranges() -> tuple[ipaddress.IPv4Network, ...]:
    """Ranges no AKS cluster may use for its service, pod or virtual network address ranges."""
    lines = [line for line in _text("aks-networks.md").splitlines() if "All AKS clusters" in line]
    return tuple(ipaddress.IPv4Network(re.search(r"`([0-9./]+)`", line).group(1)) for line in lines)  # type: ignore[union-attr]


def _default(flag: str) -> ipaddress.IPv4Network:
    line = next(line for line in _text("aks-networks.md").splitlines() if line.startswith(f"| `{flag}`"))
    found = re.search(r"default (?:value of |is )`([0-9./]+)", line)
    assert found is not None, f"no default in the copy of {flag}"
    return ipaddress.IPv4Network(found.group(1))


@cache
def aks_default_pod_cidr() -> ipaddress.IPv4Network:
    """The overlay pod CIDR AKS assigns when none is given (Slipway gives none)."""
    return _default("--pod-cidr")


@cache
def aks_default_service_cidr() -> ipaddress.IPv4Network:
    """The service CIDR AKS assigns when none is given (Slipway gives none)."""
    return _default("--service-cidrs")


@cache
def instance_metadata_address() -> ipaddress.IPv4Address:
    """Azure's instance metadata service, reachable from every pod by default."""
    found = re.search(r"nonroutable IP address \(([0-9.]+)\)", _text("aks-networks.md"))
    assert found is not None, "no metadata address in the copy"
    return ipaddress.IPv4Address(found.group(1))


@cache
def aks_gpu_series() -> tuple[str, ...]:
    """The VM series whose sizes carry the NVIDIA GPUs AKS supports (NC, ND, NV)."""
    found = re.search(r"across the ((?:N[A-Z], )+and N[A-Z]) series", _text("aks-gpu-series.md"))
    assert found is not None, "no GPU series in the copy"
    return tuple(re.findall(r"N[A-Z]", found.group(1)))


@cache
def log_analytics_retention() -> tuple[int, int]:
    """The analytics retention a workspace's tables take, in days (lowest, highest)."""
    found = re.search(r"can be between (\d+) and (\d+)\.", _text("log-analytics-retention.md"))
    assert found is not None, "no retention range in the copy"
    return int(found.group(1)), int(found.group(2))


@cache
def github_reserved_prefix() -> str:
    """The prefix no Actions variable or secret name may start with."""
    found = re.search(r"must not start with the `([A-Z_]+)` prefix", _text("github-variable-names.md"))
    assert found is not None, "no reserved prefix in the copy"
    return found.group(1)


@cache
def argocd_secret_reference_prefix() -> str:
    """The prefix that makes ArgoCD replace an `oidc.config` string by a key of `argocd-secret`."""
    found = re.search(r'strings\.HasPrefix\(val, "(.)"\)', _text("argocd-secret-references.go.txt"))
    assert found is not None, "no prefix in the copy"
    return found.group(1)


@cache
def azure_name_length(entity: str) -> tuple[int, int]:
    """The length range Azure's resource naming rules give an entity (`userAssignedIdentities`, ...)."""
    found = re.search(rf"^> \| {entity} \| [^|]+ \| (\d+)-(\d+) \|", _text("azure-name-rules.md"), re.M)
    assert found is not None, f"no rule for {entity} in the copy"
    return int(found.group(1)), int(found.group(2))
