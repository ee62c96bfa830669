"""What the providers would answer: realistic outputs and invoke results, offline.

A real `pulumi up` gets names, ids, login servers, OIDC issuers and kubeconfigs from
Azure; without them downstream code would see `None` and never run. Each answer here
follows the shape of the provider's real response (ARM ids, `<name>.azurecr.io`, the AKS
issuer URL format, a base64 kubeconfig with a kubelogin exec user), derived
deterministically from the resource's inputs so two runs record the same thing.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import yaml

# Used when the stack sets no `azure-native:subscriptionId` / `azure-native:tenantId`.
OFFLINE_SUBSCRIPTION = "00000000-0000-4000-8000-000000000001"
OFFLINE_TENANT = "00000000-0000-4000-8000-000000000002"
# The creation time the engine reports for time-based resources, fixed so runs repeat.
OFFLINE_NOW = "2026-01-01T00:00:00Z"
# The Entra ID application of the AKS AAD server, the audience kubelogin asks tokens for.
AKS_AAD_SERVER_APP = "6dae42f8-4368-4678-94ff-3960e28e3630"

# Inputs the engine does not hand to `ProviderAnswers.resource`, by type, so they are not echoed
# back as outputs: big documents nothing downstream reads. Echoing a CRD's schema cost a copy, a
# serialisation and one more deserialisation by the SDK per run. Slipway's program declares no
# CRD since ArgoCD's chart installs its own; a program that reads a CRD's spec must drop it here.
NOT_ECHOED: dict[str, frozenset[str]] = {
    "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition": frozenset({"spec"}),
}

_NS = uuid.UUID("5a4f0e1c-6a55-4a2f-9a3b-2f1c5e9d7b10")

# azure-native token -> (ARM resource type, the input that holds the resource's name).
_ARM: dict[str, tuple[str, str]] = {
    "azure-native:resources:ResourceGroup": ("", "resourceGroupName"),
    "azure-native:containerregistry:Registry": ("Microsoft.ContainerRegistry/registries", "registryName"),
    "azure-native:containerregistry:Replication": (
        "Microsoft.ContainerRegistry/registries/{registryName}/replications",
        "replicationName",
    ),
    "azure-native:managedidentity:UserAssignedIdentity": (
        "Microsoft.ManagedIdentity/userAssignedIdentities",
        "resourceName",
    ),
    "azure-native:managedidentity:FederatedIdentityCredential": (
        "Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}/federatedIdentityCredentials",
        "federatedIdentityCredentialResourceName",
    ),
    "azure-native:containerservice:ManagedCluster": ("Microsoft.ContainerService/managedClusters", "resourceName"),
    "azure-native:containerservice:AgentPool": (
        "Microsoft.ContainerService/managedClusters/{resourceName}/agentPools",
        "agentPoolName",
    ),
    "azure-native:containerservice:MaintenanceConfiguration": (
        "Microsoft.ContainerService/managedClusters/{resourceName}/maintenanceConfigurations",
        "configName",
    ),
    "azure-native:network:VirtualNetwork": ("Microsoft.Network/virtualNetworks", "virtualNetworkName"),
    "azure-native:network:Subnet": ("Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets", "subnetName"),
    "azure-native:network:PublicIPPrefix": ("Microsoft.Network/publicIPPrefixes", "publicIpPrefixName"),
    "azure-native:network:NatGateway": ("Microsoft.Network/natGateways", "natGatewayName"),
    "azure-native:network:PrivateEndpoint": ("Microsoft.Network/privateEndpoints", "privateEndpointName"),
    "azure-native:network:PrivateDnsZoneGroup": (
        "Microsoft.Network/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups",
        "privateDnsZoneGroupName",
    ),
    "azure-native:privatedns:PrivateZone": ("Microsoft.Network/privateDnsZones", "privateZoneName"),
    "azure-native:privatedns:VirtualNetworkLink": (
        "Microsoft.Network/privateDnsZones/{privateZoneName}/virtualNetworkLinks",
        "virtualNetworkLinkName",
    ),
    "azure-native:operationalinsights:Workspace": ("Microsoft.OperationalInsights/workspaces", "workspaceName"),
    "azure-native:applicationinsights:Component": ("Microsoft.Insights/components", "resourceName"),
}


def stable_uuid(*parts: str) -> str:
    return str(uuid.uuid5(_NS, "/".join(parts)))


class ProviderAnswers:
    """Answers registrations and invokes the way the real providers would."""

    def __init__(self, config: dict[str, str]) -> None:
        self.subscription = config.get("azure-native:subscriptionId", OFFLINE_SUBSCRIPTION)
        self.tenant = config.get("azure-native:tenantId", OFFLINE_TENANT)
        self.location = config.get("azure-native:location", "westeurope")
        self._resources: dict[str, Callable[[str, dict[str, Any]], dict[str, Any]]] = {
            "azure-native:containerregistry:Registry": self._registry,
            "azure-native:managedidentity:UserAssignedIdentity": self._identity,
            "azure-native:containerservice:ManagedCluster": self._cluster,
            "azuread:index/application:Application": self._application,
            "azuread:index/servicePrincipal:ServicePrincipal": self._service_principal,
            "azuread:index/applicationPassword:ApplicationPassword": self._application_password,
            "time:index/rotating:Rotating": self._rotating,
            "tls:index/privateKey:PrivateKey": self._private_key,
            "tls:index/selfSignedCert:SelfSignedCert": self._self_signed_cert,
            "docker-build:index:Image": self._image,
            "azure-native:network:PublicIPPrefix": self._ip_prefix,
            "azure-native:operationalinsights:Workspace": self._workspace,
            "azure-native:monitor:DiagnosticSetting": self._diagnostic_setting,
            "azure-native:applicationinsights:Component": self._app_insights,
        }
        self._invokes: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "azure-native:authorization:getClientConfig": self._client_config,
            "azure-native:containerservice:listManagedClusterUserCredentials": self._user_credentials,
            "azuread:index/getClientConfig:getClientConfig": self._client_config,
            "github:index/getTeam:getTeam": self._github_team,
            "github:index/getUser:getUser": self._github_user,
            "github:index/getRepository:getRepository": self._github_repository,
        }

    # --- registrations -----------------------------------------------------------

    def resource(
        self, type_: str, name: str, inputs: dict[str, Any], *, custom: bool
    ) -> tuple[str | None, dict[str, Any]]:
        """(id, outputs) of a registration: inputs echoed, plus what the provider computes."""
        if not custom:
            return None, {}
        state = dict(inputs)
        if type_ in _ARM:
            state.update(self._arm(type_, name, inputs))
        answer = self._resources.get(type_)
        if answer is not None:
            state.update(answer(name, state))
        resource_id = state.get("id") or f"{name}-{stable_uuid(type_, name)[:8]}"
        return str(resource_id), state

    def _rg_scope(self, inputs: dict[str, Any]) -> str:
        return f"/subscriptions/{self.subscription}/resourceGroups/{inputs.get('resourceGroupName', 'unknown')}"

    def _arm(self, type_: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        arm_type, name_key = _ARM[type_]
        # azure-native auto-names a resource whose name input is unset: logical name + suffix.
        resource_name = inputs.get(name_key) or f"{name}{stable_uuid(type_, name)[:7]}"
        if not arm_type:
            resource_id = f"/subscriptions/{self.subscription}/resourceGroups/{resource_name}"
        else:
            path = arm_type.format(**{k: v for k, v in inputs.items() if isinstance(v, str)})
            resource_id = f"{self._rg_scope(inputs)}/providers/{path}/{resource_name}"
        return {"id": resource_id, "name": resource_name, name_key: resource_name}

    def _registry(self, name: str, state: dict[str, Any]) -> dict[str, Any]:
        return {"loginServer": f"{str(state['name']).lower()}.azurecr.io", "provisioningState": "Succeeded"}

    def _ip_prefix(self, name: str, state: dict[str, Any]) -> dict[str, Any]:
        # Azure allocates the range; offline, a stable one from 20.0.0.0/8 aligned to the asked length.
        length = int(state.get("prefixLength", 31))
        seed = int(hashlib.sha256(str(state["id"]).encode()).hexdigest()[:6], 16)
        block = ipaddress.ip_network(f"20.0.0.0/{length}")
        start = int(block.network_address) + (seed << (32 - length)) % (1 << 24)
        return {"ipPrefix": str(ipaddress.ip_network(f"{ipaddress.IPv4Address(start)}/{length}"))}

    def _workspace(self, name: str, state: dict[str, Any]) -> dict[str, Any]:
        return {"customerId": stable_uuid("workspace", state["id"]), "provisioningState": "Succeeded"}

    def _app_insights(self, name: str, state: dict[str, Any]) -> dict[str, Any]:
        # The connection string in the form the collector's azuremonitor exporter documents
        # (tests/schemas/otel/azuremonitorexporter-README-excerpt.md), with a stable key.
        key = stable_uuid("instrumentation-key", state["id"])
        return {
            "instrumentationKey": key,
            "connectionString": f"InstrumentationKey={key};IngestionEndpoint=https://ingestion.azuremonitor.com/",
            "provisioningState": "Succeeded",
        }

    def _diagnostic_setting(self, name: str, state: dict[str, Any]) -> dict[str, Any]:
        # An extension resource: its id hangs under the resource it watches.
        setting = str(state.get("name") or name)
        return {"id": f"{state.get('resourceUri')}/providers/Microsoft.Insights/diagnosticSettings/{setting}"}

    def _identity(self, name: str, state: dict[str, Any]) -> dict[str, Any]:
        return {
            "clientId": stable_uuid("client", state["id"]),
            "principalId": stable_uuid("principal", state["id"]),
            "tenantId": self.tenant,
        }

    def _cluster(self, name: str, state: dict[str, Any]) -> dict[str, Any]:
        cluster = str(state["name"])
        location = state.get("location", self.location)
        node_rg = state.get("nodeResourceGroup") or f"MC_{state.get('resourceGroupName')}_{cluster}_{location}"
        kubelet_name = f"{cluster}-agentpool"
        kubelet_id = (
            f"/subscriptions/{self.subscription}/resourceGroups/{node_rg}"
            f"/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{kubelet_name}"
        )
        dns_prefix = state.get("dnsPrefix", cluster)
        fqdn = f"{dns_prefix}-{stable_uuid(cluster)[:8]}.hcp.{location}.azmk8s.io"
        private = (state.get("apiServerAccessProfile") or {}).get("enablePrivateCluster", False)
        identity = dict(state.get("identity") or {})
        # ARM takes a list of identity ids and answers with a map of id -> its client and principal ids.
        identity["userAssignedIdentities"] = {
            resource_id: {
                "clientId": stable_uuid("client", resource_id),
                "principalId": stable_uuid("principal", resource_id),
            }
            for resource_id in identity.get("userAssignedIdentities") or []
        }
        outputs: dict[str, Any] = {
            "identity": identity,
            "fqdn": None if private else fqdn,
            "privateFQDN": fqdn.replace(".hcp.", ".privatelink.") if private else None,
            "nodeResourceGroup": node_rg,
            "currentKubernetesVersion": state.get("kubernetesVersion"),
            "provisioningState": "Succeeded",
            "identityProfile": {
                "kubeletidentity": {
                    "clientId": stable_uuid("client", kubelet_id),
                    "objectId": stable_uuid("principal", kubelet_id),
                    "resourceId": kubelet_id,
                }
            },
        }
        if (state.get("oidcIssuerProfile") or {}).get("enabled"):
            issuer = f"https://{location}.oic.prod-aks.azure.com/{self.tenant}/{stable_uuid('issuer', cluster)}/"
            outputs["oidcIssuerProfile"] = {"enabled": True, "issuerURL": issuer}
        return outputs

    def _application(self, name: str, state: dict[str, Any]) -> dict[str, Any]:
        client_id = stable_uuid("application", name)
        return {"clientId": client_id, "objectId": stable_uuid("object", name), "id": f"/applications/{client_id}"}

    def _service_principal(self, name: str, state: dict[str, Any]) -> dict[str, Any]:
        object_id = stable_uuid("service-principal", name)
        return {"objectId": object_id, "id": f"/servicePrincipals/{object_id}"}

    def _application_password(self, name: str, state: dict[str, Any]) -> dict[str, Any]:
        # Entra ID generates the value; the SDK asks the engine to keep it secret.
        return {"keyId": stable_uuid("key", name), "value": f"offline~{stable_uuid('password', name)}"}

    def _rotating(self, name: str, state: dict[str, Any]) -> dict[str, Any]:
        created = datetime.fromisoformat(state.get("rfc3339", OFFLINE_NOW).replace("Z", "+00:00"))
        rotation = created + timedelta(days=int(state.get("rotationDays", 0)))
        stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"id": stamp, "rfc3339": stamp, "rotationRfc3339": rotation.strftime("%Y-%m-%dT%H:%M:%SZ")}

    def _private_key(self, name: str, state: dict[str, Any]) -> dict[str, Any]:
        # The SDK asks the engine to keep the private forms secret.
        return {
            "privateKeyPem": pem("RSA PRIVATE KEY", f"private {name}"),
            "publicKeyPem": pem("PUBLIC KEY", f"public {name}"),
        }

    def _self_signed_cert(self, name: str, state: dict[str, Any]) -> dict[str, Any]:
        return {"certPem": pem("CERTIFICATE", f"certificate {name}"), "validityStartTime": OFFLINE_NOW}

    def _image(self, name: str, state: dict[str, Any]) -> dict[str, Any]:
        # The registry's digest of the pushed manifest, derived from what was built.
        content = json.dumps({"context": state.get("context"), "labels": state.get("labels")}, sort_keys=True)
        return {"digest": "sha256:" + hashlib.sha256(content.encode()).hexdigest(), "ref": ""}

    # --- invokes -----------------------------------------------------------------

    def invoke(self, token: str, args: dict[str, Any]) -> dict[str, Any]:
        answer = self._invokes.get(token)
        if answer is None:
            raise NotImplementedError(f"the recording engine has no answer for invoke {token}")
        return answer(args)

    def _client_config(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "clientId": stable_uuid("offline-client"),
            "objectId": stable_uuid("offline-object"),
            "subscriptionId": self.subscription,
            "tenantId": self.tenant,
        }

    def _github_team(self, args: dict[str, Any]) -> dict[str, Any]:
        slug = str(args["slug"])
        return {"id": str(_github_id("team", slug)), "slug": slug, "name": slug, "nodeId": f"T_{slug}"}

    def _github_user(self, args: dict[str, Any]) -> dict[str, Any]:
        login = str(args["username"])
        return {"id": str(_github_id("user", login)), "login": login, "username": login, "nodeId": f"U_{login}"}

    def _github_repository(self, args: dict[str, Any]) -> dict[str, Any]:
        name = str(args.get("name") or str(args["fullName"]).rsplit("/", 1)[-1])
        return {"id": name, "name": name, "repoId": _github_id("repository", name), "nodeId": f"R_{name}"}

    def _user_credentials(self, args: dict[str, Any]) -> dict[str, Any]:
        cluster = str(args["resourceName"])
        server = f"https://{cluster}-{stable_uuid(cluster)[:8]}.hcp.{self.location}.azmk8s.io:443"
        kubeconfig = kubeconfig_for(cluster, server, self.tenant)
        encoded = base64.b64encode(kubeconfig.encode()).decode()
        return {"kubeconfigs": [{"name": "clusterUser", "value": encoded}]}


def _github_id(kind: str, name: str) -> int:
    """A stable numeric id, as GitHub's REST API gives teams and users."""
    return int(hashlib.sha256(f"{kind}/{name}".encode()).hexdigest()[:7], 16)


def pem(label: str, seed: str) -> str:
    """A PEM block of the right shape; its body is deterministic filler, not key material."""
    body = base64.b64encode(hashlib.sha512(seed.encode()).digest() * 4).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----", ""])


def kubeconfig_for(cluster: str, server: str, tenant: str) -> str:
    """The kubeconfig AKS returns for an Entra ID cluster in `exec` format (kubelogin)."""
    ca = base64.b64encode(f"offline CA of {cluster}".encode()).decode()
    user = f"clusterUser_{cluster}"
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": cluster, "cluster": {"server": server, "certificate-authority-data": ca}}],
        "contexts": [{"name": cluster, "context": {"cluster": cluster, "user": user}}],
        "current-context": cluster,
        "users": [
            {
                "name": user,
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1beta1",
                        "command": "kubelogin",
                        "args": [
                            "get-token",
                            "--login",
                            "devicecode",
                            "--server-id",
                            AKS_AAD_SERVER_APP,
                            "--tenant-id",
                            tenant,
                        ],
                        "interactiveMode": "IfAvailable",
                    }
                },
            }
        ],
    }
    return yaml.safe_dump(document, sort_keys=False)
