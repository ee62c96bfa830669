"""Azure's own rules, offline: every Azure resource's inputs against the ARM schema of its API version.

azure-native sends each resource to Azure Resource Manager as a REST body that ARM validates against
the provider's published description (patterns, lengths, ranges, enums, required and known
properties). The mocks accept anything, so a name Azure would refuse previews clean unless this
module checks it. It rebuilds the ARM body from azure-native's flattened inputs (see
`offline/reference/arm/SOURCE.md`) and walks the vendored ARM template JSON Schema. Values not known
at preview time are skipped, never guessed. A resource type or schema keyword this module does not
model is reported or raised, never passed silently.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

from offline.engine import SECRET, RecordedResource, Recording

REFERENCE = Path(__file__).resolve().parent / "reference" / "arm"
COMMON = "https://schema.management.azure.com/schemas/common/definitions.json"
EXPRESSION = f"{COMMON}#/definitions/expression"
# Keywords that only describe (they constrain nothing ARM checks).
_ANNOTATIONS = frozenset({"description", "title", "default", "id", "$schema"})
_CHECKED = frozenset(
    {
        "$ref",
        "type",
        "oneOf",
        "anyOf",
        "allOf",
        "enum",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "items",
        "properties",
        "required",
        "additionalProperties",
        "format",
    }
)
_PROVIDER_PREFIX = "azure-native:"
# ARM body keys that the caller never sets: they come from the resource definition itself.
_FIXED = ("type", "apiVersion")


class UnsupportedSchemaError(Exception):
    """The schema uses something this walker does not model: an error, never a silent pass."""


@dataclass(frozen=True)
class ArmType:
    """Where azure-native's resource type lives in the ARM schemas, and how its inputs address it."""

    file: str
    definition: str
    name: str
    address: tuple[str, ...] = ("resourceGroupName",)
    section: str = "resourceDefinitions"
    # Inputs that write the body's own `name` or `type` (network sub-resources take both).
    body_keys: tuple[str, ...] = ()
    # ARM property names azure-native spells in camelCase without their underscores
    # (`Application_Type` is the input `applicationType`).
    renamed: tuple[str, ...] = ()


# azure-native type -> its ARM resource definition. `name` is the input that holds the ARM name;
# `address` the inputs that only build the request URL (resource group, parents, scope).
# `tests/test_arm.py` checks every input named here against the installed SDK.
TYPES: dict[str, ArmType] = {
    "azure-native:resources:ResourceGroup": ArmType(
        "2024-03-01/Microsoft.Resources.json",
        "resourceGroups",
        name="resourceGroupName",
        address=(),
        section="subscription_resourceDefinitions",
    ),
    "azure-native:containerservice:ManagedCluster": ArmType(
        "2025-09-01/Microsoft.ContainerService.Aks.json", "managedClusters", name="resourceName"
    ),
    "azure-native:containerservice:AgentPool": ArmType(
        "2025-09-01/Microsoft.ContainerService.Aks.json",
        "managedClusters_agentPools",
        name="agentPoolName",
        address=("resourceGroupName", "resourceName"),
    ),
    "azure-native:containerservice:MaintenanceConfiguration": ArmType(
        "2025-09-01/Microsoft.ContainerService.Aks.json",
        "managedClusters_maintenanceConfigurations",
        name="configName",
        address=("resourceGroupName", "resourceName"),
    ),
    "azure-native:containerregistry:Registry": ArmType(
        "2023-01-01-preview/Microsoft.ContainerRegistry.json", "registries", name="registryName"
    ),
    "azure-native:containerregistry:Replication": ArmType(
        "2024-11-01-preview/Microsoft.ContainerRegistry.json",
        "registries_replications",
        name="replicationName",
        address=("resourceGroupName", "registryName"),
    ),
    "azure-native:managedidentity:UserAssignedIdentity": ArmType(
        "2023-01-31/Microsoft.ManagedIdentity.json", "userAssignedIdentities", name="resourceName"
    ),
    "azure-native:managedidentity:FederatedIdentityCredential": ArmType(
        "2023-01-31/Microsoft.ManagedIdentity.json",
        "userAssignedIdentities_federatedIdentityCredentials",
        name="federatedIdentityCredentialResourceName",
        address=("resourceGroupName", "resourceName"),
    ),
    "azure-native:authorization:RoleAssignment": ArmType(
        "2022-04-01/Microsoft.Authorization.json", "roleAssignments", name="roleAssignmentName", address=("scope",)
    ),
    "azure-native:network:PrivateEndpoint": ArmType(
        "2024-05-01/Microsoft.Network.NRP.json", "privateEndpoints", name="privateEndpointName"
    ),
    "azure-native:network:PrivateDnsZoneGroup": ArmType(
        "2024-05-01/Microsoft.Network.NRP.json",
        "privateEndpoints_privateDnsZoneGroups",
        name="privateDnsZoneGroupName",
        address=("resourceGroupName", "privateEndpointName"),
        body_keys=("name",),
    ),
    "azure-native:network:NatGateway": ArmType(
        "2024-05-01/Microsoft.Network.NRP.json", "natGateways", name="natGatewayName"
    ),
    "azure-native:network:Subnet": ArmType(
        "2024-05-01/Microsoft.Network.NRP.json",
        "virtualNetworks_subnets",
        name="subnetName",
        address=("resourceGroupName", "virtualNetworkName"),
        body_keys=("name", "type"),
    ),
    "azure-native:network:VirtualNetwork": ArmType(
        "2024-05-01/Microsoft.Network.NRP.json", "virtualNetworks", name="virtualNetworkName"
    ),
    "azure-native:network:PublicIPPrefix": ArmType(
        "2024-05-01/Microsoft.Network.NRP.json", "publicIPPrefixes", name="publicIpPrefixName"
    ),
    "azure-native:privatedns:PrivateZone": ArmType(
        "2024-06-01/Microsoft.Network.privateDns.json", "privateDnsZones", name="privateZoneName"
    ),
    "azure-native:privatedns:VirtualNetworkLink": ArmType(
        "2024-06-01/Microsoft.Network.privateDns.json",
        "privateDnsZones_virtualNetworkLinks",
        name="virtualNetworkLinkName",
        address=("resourceGroupName", "privateZoneName"),
    ),
    "azure-native:operationalinsights:Workspace": ArmType(
        "2023-09-01/Microsoft.OperationalInsights.json", "workspaces", name="workspaceName"
    ),
    "azure-native:applicationinsights:Component": ArmType(
        "2020-02-02/Microsoft.Insights.Application.json",
        "components",
        name="resourceName",
        renamed=("Application_Type", "Flow_Type", "Request_Source"),
    ),
    "azure-native:monitor:DiagnosticSetting": ArmType(
        "2021-05-01-preview/Microsoft.Insights.json",
        "diagnosticSettings",
        name="name",
        address=("resourceUri",),
        section="extension_resourceDefinitions",
    ),
}


@dataclass(frozen=True)
class Violation:
    """One ARM rule one input breaks. `path` is in the ARM body, `input` in azure-native's inputs."""

    urn: str
    path: str
    input: str
    value: Any
    rule: str

    def __str__(self) -> str:
        what = f"{self.input} is missing" if self.rule == "required" else f"{self.input} = {self.value!r}"
        return f"{self.urn}: {what}, which breaks ARM rule `{self.rule}` (at {self.path})"


def is_unknown(value: Any) -> bool:
    """A value the preview does not know yet (an output of a resource not created)."""
    return value is None or isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN)


@cache
def _document(file: str) -> dict[str, Any]:
    path = REFERENCE / file
    if not path.is_file():
        raise UnsupportedSchemaError(f"no ARM schema vendored at {path}")
    return json.loads(path.read_text())  # type: ignore[no-any-return]


_COMMON_FILE = "common/definitions.json"


def _resolve(file: str, ref: str) -> tuple[str, dict[str, Any]]:
    """The schema a `$ref` names, and the file further `#/...` references in it are relative to."""
    where, _, pointer = ref.partition("#")
    if where == COMMON:
        file = _COMMON_FILE
    elif where:
        raise UnsupportedSchemaError(f"$ref into a schema that is not vendored: {ref}")
    node: Any = _document(file)
    for part in filter(None, pointer.split("/")):
        node = node[part]
    return file, node


def _is_expression(schema: Mapping[str, Any]) -> bool:
    return schema.get("$ref") == EXPRESSION


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_TYPES = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    # Pulumi carries every number as a double: 3.0 is the integer 3 on the wire to ARM.
    "integer": lambda v: isinstance(v, int | float) and not isinstance(v, bool) and float(v).is_integer(),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


class _Walker:
    """Collects (path, value, rule) for one value against one schema node."""

    def __init__(self) -> None:
        self.found: list[tuple[str, Any, str]] = []

    def check(self, file: str, schema: Mapping[str, Any], value: Any, path: str) -> None:
        if is_unknown(value):
            return
        unknown_keywords = set(schema) - _CHECKED - _ANNOTATIONS
        if unknown_keywords:
            where = path or "<body>"
            raise UnsupportedSchemaError(f"ARM schema keyword(s) {sorted(unknown_keywords)} at {where} in {file}")
        if "$ref" in schema:
            ref_file, target = _resolve(file, schema["$ref"])
            self.check(ref_file, target, value, path)
        for part in schema.get("allOf", ()):
            self.check(file, part, value, path)
        for keyword in ("oneOf", "anyOf"):
            if keyword in schema:
                self._alternatives(file, [s for s in schema[keyword] if not _is_expression(s)], value, path)
        self._type(schema, value, path)
        if "enum" in schema and not isinstance(value, str) and value not in schema["enum"]:
            self.found.append((path, value, f"enum {schema['enum']}"))
        if isinstance(value, str):
            self._string(schema, value, path)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            self._number(schema, value, path)
        elif isinstance(value, list) and "items" in schema:
            for index, item in enumerate(value):
                self.check(file, schema["items"], item, f"{path}[{index}]")
        elif isinstance(value, dict):
            self._object(file, schema, value, path)

    def _alternatives(self, file: str, alternatives: list[Mapping[str, Any]], value: Any, path: str) -> None:
        """Valid if one alternative holds; otherwise the closest alternative's complaints."""
        best: list[tuple[str, Any, str]] | None = None
        for alternative in alternatives:
            trial = _Walker()
            trial.check(file, alternative, value, path)
            if not trial.found:
                return
            if best is None or len(trial.found) < len(best):
                best = trial.found
        self.found.extend(best or ())

    def _type(self, schema: Mapping[str, Any], value: Any, path: str) -> None:
        expected = schema.get("type")
        if expected is None:
            return
        names = expected if isinstance(expected, list) else [expected]
        if not any(_TYPES[name](value) for name in names):
            self.found.append((path, value, f"type {expected}"))

    def _string(self, schema: Mapping[str, Any], value: str, path: str) -> None:
        if "enum" in schema and value not in schema["enum"]:
            allowed = [v for v in schema["enum"] if isinstance(v, str)]
            folded = any(v.casefold() == value.casefold() for v in allowed)
            self.found.append((path, value, f"enum {allowed}" + (" (differs only in case)" if folded else "")))
        if "pattern" in schema and not _pattern(schema["pattern"]).search(value):
            self.found.append((path, value, f"pattern {schema['pattern']}"))
        if "minLength" in schema and len(value) < schema["minLength"]:
            self.found.append((path, value, f"minLength {schema['minLength']}"))
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            self.found.append((path, value, f"maxLength {schema['maxLength']}"))
        if schema.get("format") == "date-time" and not _DATE_TIME.match(value):
            self.found.append((path, value, "format date-time"))
        elif "format" in schema and schema["format"] != "date-time":
            raise UnsupportedSchemaError(f"ARM schema format {schema['format']!r} at {path}")

    def _number(self, schema: Mapping[str, Any], value: float, path: str) -> None:
        if "minimum" in schema and value < schema["minimum"]:
            self.found.append((path, value, f"minimum {schema['minimum']}"))
        if "maximum" in schema and value > schema["maximum"]:
            self.found.append((path, value, f"maximum {schema['maximum']}"))

    def _object(self, file: str, schema: Mapping[str, Any], value: dict[str, Any], path: str) -> None:
        properties: Mapping[str, Any] = schema.get("properties", {})
        # ARM matches property names case-insensitively (see offline/reference/arm/SOURCE.md).
        by_fold = {name.casefold(): name for name in properties}
        for name in schema.get("required", ()):
            if not any(key.casefold() == name.casefold() for key in value):
                self.found.append((_join(path, name), None, "required"))
        extra = schema.get("additionalProperties")
        # azure-native flattens a nested object's `properties` into it (x-ms-client-flatten), as it does at
        # the top level: keys the object does not declare are checked inside its `properties`.
        flattened: dict[str, Any] = {}
        for key, item in value.items():
            declared = by_fold.get(key.casefold())
            if declared is not None:
                self.check(file, properties[declared], item, _join(path, key))
            elif isinstance(extra, dict):
                self.check(file, extra, item, _join(path, key))
            elif "properties" in properties and path and "properties" not in value:
                flattened[key] = item
            elif properties or extra is False:
                self.found.append((_join(path, key), item, "unknown property (not in the ARM schema)"))
        if flattened:
            self.check(file, properties["properties"], flattened, _join(path, "properties"))


_DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _arm_shape(value: Any) -> Any:
    """azure-native's input value as the ARM body holds it (user-assigned identities: list -> map)."""
    if isinstance(value, dict):
        return {
            key: (
                {identity: {} for identity in item}
                if key == "userAssignedIdentities" and isinstance(item, list)
                else _arm_shape(item)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_arm_shape(item) for item in value]
    return value


def resource_definition(arm: ArmType) -> tuple[str, dict[str, Any]]:
    return arm.file, _document(arm.file)[arm.section][arm.definition]


def _top_level(file: str, schema: Mapping[str, Any]) -> set[str]:
    """The body keys a resource definition declares beside `properties` (location, tags, sku...)."""
    keys = set(schema.get("properties", {}))
    for part in schema.get("allOf", ()):
        part_file, part_schema = _resolve(file, part["$ref"]) if "$ref" in part else (file, part)
        keys |= _top_level(part_file, part_schema)
    return keys - {"properties", "name", *_FIXED}


def arm_body(arm: ArmType, inputs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The ARM request body for these inputs, and each body key's azure-native input name."""
    file, schema = resource_definition(arm)
    top = _top_level(file, schema)
    body: dict[str, Any] = {key: schema["properties"][key]["enum"][0] for key in _FIXED}
    properties: dict[str, Any] = {}
    origin = {"name": arm.name}
    renames = {name.replace("_", "").casefold(): name for name in arm.renamed}
    for key, value in inputs.items():
        if key in arm.address:
            continue
        if key == arm.name or key in arm.body_keys:
            body[key if key in arm.body_keys else "name"] = value
        elif key in top:
            body[key] = _arm_shape(value)
            origin[key] = key
        else:
            properties[renames.get(key.casefold(), key)] = _arm_shape(value)
    if properties or "properties" in schema.get("required", ()):
        body["properties"] = properties
    return body, origin


def _input_path(path: str, origin: Mapping[str, str]) -> str:
    head, dot, rest = path.partition(".")
    bracket = head.find("[")
    key = head if bracket < 0 else head[:bracket]
    if key == "properties":
        return rest or path
    return origin.get(key, key) + head[len(key) :] + dot + rest


def check_resource(resource: RecordedResource) -> list[Violation]:
    """Every ARM rule this resource's inputs break; a type with no vendored schema is one violation."""
    arm = TYPES.get(resource.type)
    if arm is None:
        return [Violation(resource.urn, "", "", resource.type, "unmodelled: no ARM schema vendored for this type")]
    body, origin = arm_body(arm, resource.plain())
    file, schema = resource_definition(arm)
    walker = _Walker()
    walker.check(file, schema, body, "")
    secrets = resource.secret_inputs()
    found = []
    for path, value, rule in walker.found:
        at = _input_path(path, origin)
        shown = SECRET if any(at == s or at.startswith((f"{s}.", f"{s}[")) for s in secrets) else value
        found.append(Violation(resource.urn, path, at, shown, rule))
    return found


def azure_resources(resources: Iterable[RecordedResource]) -> Iterator[RecordedResource]:
    """The custom resources azure-native would send to ARM."""
    return (r for r in resources if r.custom and r.type.startswith(_PROVIDER_PREFIX))


def validate(recording: Recording) -> list[Violation]:
    """Every ARM rule any Azure resource in the recording breaks."""
    return [violation for resource in azure_resources(recording.resources) for violation in check_resource(resource)]


def report(recording: Recording) -> int:
    """Print one line per ARM violation on stderr; 1 if there is any, as Azure would refuse the plan."""
    violations = validate(recording)
    for violation in violations:
        print(f"arm: {violation}", file=sys.stderr)
    return 1 if violations else 0
