"""`python -m offline reach --stack NAME`: can each caller reach each API server and registry, and by which path.

Read from the recording, that is from what the program really declares (the clusters' API
server access profiles and egress, the registry's public access and network rules, the
private endpoints, private DNS zones and their VNet links, the subnets and NAT gateways
of the self-hosted runners), never from the settings that asked for it. One row per
(caller, target):
- deploy CI (`pulumi up`, drift) -> each cluster's API server;
- ArgoCD on the hub -> each cluster's API server (its own through `kubernetes.default.svc`);
- each cluster's kubelet -> each registry;
- deploy CI and the golden-image build -> each registry;
- each service repository's delivery (service-delivery.yml, as its delivery identity) -> each registry,
  from the runners the repository's `DELIVERY_RUNS_ON` variable names (GitHub's when none is declared,
  the workflow's default).

Modelled: one region, VNets without peering, IPv4 ranges, public endpoints reached from a
caller's declared egress, private endpoints reached from their own VNet when the private
DNS zone is linked to it. A caller whose egress the stack does not declare (GitHub-hosted
runners, a cluster on AKS's own outbound IP) cannot be allow-listed: its row is unreachable
on an allow-listed path. A private cluster's API server is reached only from its own VNet
(AKS's private DNS zone is not modelled beyond that). Authorisation (role assignments) is
not this report's business: `python -m offline access` answers that.
"""

from __future__ import annotations

import ipaddress
import json
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from components.cloud.network import RUNNERS_SUBNET
from components.cloud.registry import ACR_PRIVATE_DNS_ZONE, ACR_PRIVATE_LINK_GROUP
from contracts.gitops import ClusterRole
from offline.engine import RecordedResource, Recording
from settings import (
    ARGOCD,
    DEPLOY_CI,
    GOLDEN_IMAGE_BUILD,
    REGISTRY,
    NetworkSettings,
    api_server,
    delivery,
    kubelet,
    load_settings,
    sections_from_config,
)

CLUSTER = "azure-native:containerservice:ManagedCluster"
REGISTRY_TYPE = "azure-native:containerregistry:Registry"
ARGOCD_TYPE = "slipway:platform:ArgoCd"
IMAGE_TYPE = "docker-build:index:Image"
FIC_TYPE = "azure-native:managedidentity:FederatedIdentityCredential"
VARIABLE_TYPE = "github:index/actionsVariable:ActionsVariable"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Row:
    """One (caller, target) pair: the path the caller would take and whether it gets through."""

    caller: str
    target: str
    path: str
    reachable: bool
    reason: str
    expected: str | None = None  # why an unreachable row is acceptable, from the stack's settings

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Place:
    """Where a caller's traffic starts: its VNet (if any) and its declared public egress (None: undeclared)."""

    what: str
    vnet: str | None
    egress: tuple[Network, ...] | None


GITHUB_HOSTED = Place("GitHub-hosted runners", None, None)


def _vnet_of(subnet_id: str | None) -> str | None:
    return subnet_id.split("/subnets/")[0] if subnet_id else None


class _Declared:
    """The recording's network facts, indexed by resource id."""

    def __init__(self, recording: Recording) -> None:
        self.recording = recording
        self.by_id: dict[str, RecordedResource] = {
            str(r.outputs["id"]): r for r in recording.resources if r.custom and r.outputs.get("id")
        }

    def of_type(self, type_: str) -> list[RecordedResource]:
        return self.recording.of_type(type_)

    def prefix_ranges(self, ids: list[str]) -> tuple[Network, ...] | None:
        ranges = []
        for resource_id in ids:
            prefix = self.by_id.get(resource_id)
            value = prefix.outputs.get("ipPrefix") if prefix is not None else None
            if not value:
                return None
            ranges.append(ipaddress.ip_network(str(value)))
        return tuple(ranges) or None

    def cluster_place(self, cluster: RecordedResource, role: str) -> Place:
        inputs = cluster.plain()
        pools = inputs.get("agentPoolProfiles") or [{}]
        vnet = _vnet_of(pools[0].get("vnetSubnetID"))
        network = inputs.get("networkProfile") or {}
        prefixes = ((network.get("loadBalancerProfile") or {}).get("outboundIPPrefixes") or {}).get(
            "publicIPPrefixes"
        ) or []
        egress = None
        if network.get("outboundType", "loadBalancer") == "loadBalancer":
            egress = self.prefix_ranges([str(p.get("id")) for p in prefixes])
        return Place(f"the {role} cluster's nodes", vnet, egress)

    def runner_place(self) -> Place:
        for subnet in self.of_type("azure-native:network:Subnet"):
            inputs = subnet.plain()
            if inputs.get("subnetName") != RUNNERS_SUBNET:
                continue
            nat = self.by_id.get(str((inputs.get("natGateway") or {}).get("id")))
            ids = [str(p.get("id")) for p in (nat.plain().get("publicIpPrefixes") or [])] if nat is not None else []
            return Place("self-hosted runners", _vnet_of(str(subnet.outputs["id"])), self.prefix_ranges(ids))
        return GITHUB_HOSTED

    def delivery_places(self, runners: Place) -> dict[str, Place]:
        """Each service repository with a delivery identity, and where its delivery runs."""
        repositories = {
            str(c.plain()["subject"]).split(":")[1]
            for c in self.of_type(FIC_TYPE)
            if "-delivery-" in str(c.plain().get("resourceName")) and str(c.plain()["subject"]).startswith("repo:")
        }
        runs_on = {
            str(v.plain()["repository"]): str(v.plain()["value"])
            for v in self.of_type(VARIABLE_TYPE)
            if v.plain().get("variableName") == "DELIVERY_RUNS_ON"
        }
        return {
            repository: runners
            if "self-hosted" in json.loads(runs_on.get(repository.split("/")[-1], '"ubuntu-latest"'))
            else GITHUB_HOSTED
            for repository in sorted(repositories)
        }

    def dns_linked(self, endpoint: RecordedResource, vnet: str) -> bool:
        """Whether `vnet` resolves the endpoint: its zone group fills the privatelink zone, linked to `vnet`."""
        name = endpoint.plain().get("privateEndpointName")
        zones = {
            str(config.get("privateDnsZoneId"))
            for group in self.of_type("azure-native:network:PrivateDnsZoneGroup")
            if group.plain().get("privateEndpointName") == name
            for config in group.plain().get("privateDnsZoneConfigs") or []
        }
        zone_names = {str(self.by_id[zone].plain().get("privateZoneName")) for zone in zones if zone in self.by_id}
        if ACR_PRIVATE_DNS_ZONE not in zone_names:
            return False
        return any(
            link.plain().get("privateZoneName") == ACR_PRIVATE_DNS_ZONE
            and (link.plain().get("virtualNetwork") or {}).get("id") == vnet
            for link in self.of_type("azure-native:privatedns:VirtualNetworkLink")
        )


def _within(inner: Network, outer: Network) -> bool:
    if isinstance(inner, ipaddress.IPv4Network) and isinstance(outer, ipaddress.IPv4Network):
        return inner.subnet_of(outer)
    if isinstance(inner, ipaddress.IPv6Network) and isinstance(outer, ipaddress.IPv6Network):
        return inner.subnet_of(outer)
    return False


def _allow_listed(place: Place, ranges: list[Network], what: str) -> tuple[bool, str]:
    if place.egress is None:
        return False, f"{place.what} leave through no egress range the stack declares, so {what} cannot list them"
    missing = [str(e) for e in place.egress if not any(_within(e, r) for r in ranges)]
    if missing:
        return False, f"{place.what} leave from {', '.join(missing)}, which {what} does not list"
    return True, f"{place.what} leave from {', '.join(map(str, place.egress))}, listed by {what}"


def _api_row(caller: str, place: Place, role: str, cluster: RecordedResource, cluster_vnet: str | None) -> Row:
    target = api_server(role)
    access = cluster.plain().get("apiServerAccessProfile") or {}
    if access.get("enablePrivateCluster"):
        same = place.vnet is not None and place.vnet == cluster_vnet
        reason = (
            f"{place.what} are in the cluster's VNet"
            if same
            else f"{place.what} are not in the cluster's VNet, and a private API server has no public endpoint"
        )
        return Row(caller, target, "private endpoint", same, reason)
    ranges = [ipaddress.ip_network(str(r)) for r in access.get("authorizedIPRanges") or []]
    if ranges:
        ok, reason = _allow_listed(place, ranges, "the API server's authorized IP ranges")
        return Row(caller, target, "allow-listed", ok, reason)
    return Row(caller, target, "public", True, "public endpoint without an IP allow-list: Entra ID decides who gets in")


def _registry_row(caller: str, place: Place, registry: RecordedResource, declared: _Declared) -> Row:
    inputs = registry.plain()
    registry_id = str(registry.outputs["id"])
    for endpoint in declared.of_type("azure-native:network:PrivateEndpoint"):
        plain = endpoint.plain()
        to_registry = any(
            c.get("privateLinkServiceId") == registry_id and ACR_PRIVATE_LINK_GROUP in (c.get("groupIds") or [])
            for c in plain.get("privateLinkServiceConnections") or []
        )
        endpoint_vnet = _vnet_of((plain.get("subnet") or {}).get("id"))
        in_vnet = place.vnet is not None and place.vnet == endpoint_vnet
        if to_registry and in_vnet and declared.dns_linked(endpoint, str(place.vnet)):
            return Row(caller, REGISTRY, "private endpoint", True, f"{place.what} resolve it to its private endpoint")
    if inputs.get("publicNetworkAccess") == "Disabled":
        return Row(
            caller,
            REGISTRY,
            "none",
            False,
            f"public network access is disabled and {place.what} have no private endpoint in their VNet "
            f"with {ACR_PRIVATE_DNS_ZONE} linked to it",
        )
    rules = inputs.get("networkRuleSet") or {}
    if rules.get("defaultAction") == "Deny":
        ranges = [ipaddress.ip_network(str(rule.get("iPAddressOrRange"))) for rule in rules.get("ipRules") or []]
        ok, reason = _allow_listed(place, ranges, "the registry's network rules")
        return Row(caller, REGISTRY, "allow-listed", ok, reason)
    return Row(caller, REGISTRY, "public", True, "public endpoint open to any source: Entra ID roles decide")


def _pushes_golden_images(declared: _Declared, registry: RecordedResource) -> bool:
    server = str(registry.outputs.get("loginServer", ""))
    return bool(server) and any(
        any(str(tag).startswith(f"{server}/") for tag in image.plain().get("tags") or [])
        for image in declared.of_type(IMAGE_TYPE)
    )


def report(recording: Recording) -> list[Row]:
    """Every (caller, target) row of the recording."""
    declared = _Declared(recording)
    clusters = {str(c.plain()["resourceName"]).rsplit("-", 1)[-1]: c for c in declared.of_type(CLUSTER)}
    places = {role: declared.cluster_place(cluster, role) for role, cluster in clusters.items()}
    runners = declared.runner_place()
    rows = []
    for role, cluster in clusters.items():
        rows.append(_api_row(DEPLOY_CI, runners, role, cluster, places[role].vnet))
    if declared.of_type(ARGOCD_TYPE) and ClusterRole.HUB.value in clusters:
        hub = places[ClusterRole.HUB.value]
        for role, cluster in clusters.items():
            if role == ClusterRole.HUB.value:
                rows.append(Row(ARGOCD, api_server(role), "in-cluster", True, "kubernetes.default.svc"))
            else:
                rows.append(_api_row(ARGOCD, hub, role, cluster, places[role].vnet))
    for registry in declared.of_type(REGISTRY_TYPE):
        for role in clusters:
            rows.append(_registry_row(kubelet(role), places[role], registry, declared))
        rows.append(_registry_row(DEPLOY_CI, runners, registry, declared))
        if _pushes_golden_images(declared, registry):
            rows.append(_registry_row(GOLDEN_IMAGE_BUILD, runners, registry, declared))
        for repository, place in declared.delivery_places(runners).items():
            rows.append(_registry_row(delivery(repository), place, registry, declared))
    return rows


def with_expectations(rows: list[Row], network: NetworkSettings) -> list[Row]:
    """The rows, each unreachable one carrying the reason the settings give for expecting it."""
    reasons = {(e.caller, e.target): e.reason for e in network.expected_unreachable}
    return [
        Row(**{**asdict(row), "expected": reasons.get((row.caller, row.target))}) if not row.reachable else row
        for row in rows
    ]


def stack_report(recording: Recording, config: Mapping[str, str], stack: str) -> list[Row]:
    """The report of a stack run, with the stack's expected-unreachable rows marked."""
    settings = load_settings(sections_from_config(config), stack)
    return with_expectations(report(recording), settings.azure.network)


def failures(rows: list[Row]) -> list[Row]:
    """Unreachable rows that the settings do not expect: each one fails the preview."""
    return [row for row in rows if not row.reachable and row.expected is None]


def table(rows: list[Row]) -> str:
    """The report for people: one line per row, then the reason."""
    lines = [f"{'caller':<22} {'target':<18} {'path':<17} verdict"]
    for row in rows:
        verdict = "reachable" if row.reachable else ("unreachable (expected)" if row.expected else "UNREACHABLE")
        lines.append(f"{row.caller:<22} {row.target:<18} {row.path:<17} {verdict}")
        lines.append(f"    {row.expected or row.reason}")
    return "\n".join(lines) + "\n"


def print_reach(rows: list[Row], *, as_json: bool) -> int:
    """`offline reach`: the report on stdout; exit 1 when a row is unreachable and not expected."""
    print(json.dumps([row.as_json() for row in rows], indent=2) if as_json else table(rows), end="")
    return 1 if failures(rows) else 0


def report_unreachable(rows: list[Row]) -> int:
    """`offline preview`: each unexpected unreachable row as an error on stderr; 1 if there is one."""
    for row in failures(rows):
        print(f"error: {row.caller} cannot reach {row.target} ({row.path}): {row.reason}", file=sys.stderr)
    return 1 if failures(rows) else 0
