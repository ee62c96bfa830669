"""Where the stack's settings point: networks that cannot work, addresses and URLs that reach what they
must not, repositories outside `github.owner`, and production policy that means nothing.

Network facts (reserved ranges, AKS's default pod and service CIDRs, the instance metadata address) are
read from `settings/reference/aks-networks.md`.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from settings.base import NAMESPACE
from settings.reference import (
    aks_default_pod_cidr,
    aks_default_service_cidr,
    aks_reserved_ranges,
    instance_metadata_address,
)
from settings.stack import Settings

# Slipway's rule: an allow-list entry wider than a /8 (16.7 million addresses) is no allow-list.
WIDEST_ALLOWED_PREFIX = 8


def network_problems(settings: Settings) -> list[str]:
    """A VNet range AKS refuses or its clusters' own ranges overlap; allow-lists that let everyone in."""
    if not settings.azure.enabled:
        return []
    problems = []
    space = settings.azure.network.address_space
    if space is not None:
        network = ipaddress.ip_network(space)
        clashes = [(str(r), "a range AKS reserves") for r in aks_reserved_ranges()]
        clashes += [
            (str(aks_default_pod_cidr()), "the clusters' overlay pod CIDR (AKS's default, which Slipway keeps)")
        ]
        clashes += [
            (str(aks_default_service_cidr()), "the clusters' service CIDR (AKS's default, which Slipway keeps)")
        ]
        for cidr, what in clashes:
            if network.overlaps(ipaddress.ip_network(cidr)):
                problems.append(
                    f"{NAMESPACE}:azure.network.addressSpace: got {space}, which overlaps {cidr}, {what}: expected "
                    "a range clear of it (AKS refuses or misroutes overlapping ranges)"
                )
    ranges = [(f"registries.acr.allowedRanges[{i}]", r) for i, r in enumerate(settings.registries.acr.allowed_ranges)]
    for role, cluster in (settings.clusters.enabled() if settings.clusters is not None else {}).items():
        ranges += [(f"clusters.{role}.authorizedIpRanges[{i}]", r) for i, r in enumerate(cluster.authorized_ip_ranges)]
    for key, cidr in ranges:
        if ipaddress.ip_network(cidr).prefixlen < WIDEST_ALLOWED_PREFIX:
            problems.append(
                f"{NAMESPACE}:{key}: got {cidr}, which lets a large part of the Internet in, expected a range of "
                f"/{WIDEST_ALLOWED_PREFIX} or narrower: list the networks that need access (or use access public)"
            )
    return problems


def _host_address(url: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(urlsplit(url).hostname or "")
    except ValueError:
        return None


def address_problems(settings: Settings) -> list[str]:
    """Metrics addresses on the metadata service or link-local range; webhooks in clear or carrying credentials."""
    problems = []
    prometheus = settings.platform.metrics.prometheus_url
    host = _host_address(prometheus) if prometheus is not None else None
    if host is not None and (host.is_link_local or host == instance_metadata_address()):
        problems.append(
            f"{NAMESPACE}:platform.metrics.prometheusUrl: got {prometheus!r}, an address on the link-local range "
            f"(where the instance metadata service {instance_metadata_address()} answers), expected the Prometheus "
            "server's address: the analysis would send its queries to the node's metadata service"
        )
    webhook = settings.github.notification_webhook
    if webhook is not None:
        parts = urlsplit(webhook.get_secret_value())
        if parts.scheme != "https" or not parts.hostname:
            problems.append(
                f"{NAMESPACE}:github.notificationWebhook: [secret], expected an https:// URL: the webhook carries "
                "deployment notices, never in clear"
            )
        if parts.username is not None or parts.password is not None:
            problems.append(
                f"{NAMESPACE}:github.notificationWebhook: [secret], expected a URL without user:password@ "
                "(the receiver's token belongs in its path or a header, not in the URL's credentials)"
            )
    return problems


def _github_repository(url: str) -> tuple[str, str] | None:
    """(owner, name) of an https://github.com/OWNER/NAME[.git] URL, else None."""
    found = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?", url, re.I)
    return (found.group(1), found.group(2)) if found else None


def repository_problems(settings: Settings) -> list[str]:
    """With the GitHub layer: every repository the stack names belongs to github.owner, on github.com."""
    github = settings.github
    if not github.enabled or github.owner is None:
        return []
    owner = github.owner
    problems = []
    urls = [("platform.gitRepo.url", settings.platform.git_repo), ("delivery.gitRepo.url", settings.delivery.git_repo)]
    for key, repo in urls:
        if repo is None:
            continue
        found = _github_repository(repo.url)
        if found is None or found[0].lower() != owner.lower():
            problems.append(
                f"{NAMESPACE}:{key}: got {repo.url!r}, expected a repository of github.owner '{owner}' "
                f"(https://github.com/{owner}/NAME): Slipway wires credentials and webhooks for that owner only, "
                "a repository elsewhere would be read without them"
            )
    gitops = github.gitops_repository
    if gitops is not None and gitops.split("/", 1)[0].lower() != owner.lower():
        problems.append(
            f"{NAMESPACE}:github.gitopsRepository: got '{gitops}', expected a repository of github.owner '{owner}': "
            "the GitHub provider acts for that owner only"
        )
    return problems


def production_policy_problems(settings: Settings) -> list[str]:
    """Production policy settings that would protect nothing."""
    github = settings.github
    problems = []
    pattern = github.production_tag_pattern
    if pattern is not None and not pattern.strip():
        problems.append(
            f"{NAMESPACE}:github.productionTagPattern: got {pattern!r}, expected a tag pattern such as 'v*' "
            "(an empty pattern lets no tag deploy to production, or leave the key out for protected branches)"
        )
    for index, service in enumerate(settings.delivery.services):
        if service.repository is not None and service.repository.lower() == github.platform_repository.lower():
            problems.append(
                f"{NAMESPACE}:delivery.services[{index}].repository: got '{service.repository}', Slipway's own "
                "repository (github.platformRepository): its deploy environments would collide with the "
                "service's, expected the service's own repository"
            )
    return problems
