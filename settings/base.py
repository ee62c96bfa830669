"""What every settings module shares: the base model, name patterns with their meanings, common types.

A pattern is declared with `pattern(regex, meaning)`, so an error says what a name must be in words,
not as a regex; `secret_output` is the one way to read a secret setting.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from typing import Annotated, Literal

import pulumi
from pydantic import AfterValidator, BaseModel, ConfigDict, SecretStr, StringConstraints
from pydantic.alias_generators import to_camel

NAMESPACE = "slipway"

# Stacks whose name is `prod` or starts with `prod-` are production stacks: they must
# protect stateful and identity resources.
PRODUCTION_STACK = re.compile(r"^prod(-.*)?$")

# What each name pattern means, for error messages: a regex is no answer to a person.
PATTERN_MEANINGS: dict[str, str] = {}


def pattern_meaning(regex: str) -> str:
    """What a name pattern means, in words (the regex itself where none was given)."""
    return PATTERN_MEANINGS.get(regex, f"matching {regex}")


def pattern(regex: str, meaning: str) -> StringConstraints:
    PATTERN_MEANINGS[regex] = meaning
    return StringConstraints(pattern=regex)


# GitHub: 1-39 alphanumerics or single inner hyphens; repository names 1-100 of [A-Za-z0-9._-].
_OWNER = r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}"

Dns1123Label = Annotated[
    str,
    StringConstraints(max_length=63),
    pattern(
        r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        "a DNS-1123 label (lowercase letters, digits and inner '-', at most 63)",
    ),
]
AzureRegion = Annotated[str, pattern(r"^[a-z][a-z0-9]{2,30}$", "an Azure region name such as westeurope")]
NamePrefix = Annotated[
    str, pattern(r"^[a-z][a-z0-9]{1,11}$", "2-12 lowercase letters and digits, starting with a letter")
]
# ARM allows upper case in a registry name (`^[a-zA-Z0-9]*$`, 5-50) but serves the registry at the lower-cased
# `<name>.azurecr.io`: a lower-case name is the one the login server, the CI and the clusters all spell alike.
ACR_NAME = r"^[a-z0-9]{5,50}$"
AcrName = Annotated[
    str,
    pattern(ACR_NAME, "a registry name of 5-50 lowercase letters and digits (Azure lower-cases its login server)"),
]
GitHubOwner = Annotated[str, pattern(rf"^{_OWNER}$", "a GitHub user or organisation name")]
GitHubRepo = Annotated[str, pattern(rf"^{_OWNER}/[A-Za-z0-9._-]{{1,100}}$", "a GitHub repository as OWNER/NAME")]
GitBranch = Annotated[str, pattern(r"^[A-Za-z0-9._/-]{1,200}$", "a git branch name")]
KubernetesVersion = Annotated[
    str, pattern(r"^1\.\d{2}(\.\d{1,2})?$", "a Kubernetes version, major.minor (1.33) or a full patch (1.33.5)")
]
VmSize = Annotated[str, pattern(r"^Standard_[A-Za-z0-9_]+$", "an Azure VM size such as Standard_D4ds_v5")]
# ARM (Microsoft.ContainerService 2025-09-01, managedClusters/agentPools name): `^[a-z][a-z0-9]{0,11}$`.
AGENT_POOL_NAME = r"^[a-z][a-z0-9]{0,11}$"
AgentPoolName = Annotated[
    str,
    pattern(
        AGENT_POOL_NAME,
        f"an AKS pool name (1-12 lowercase letters and digits, starting with a letter; ARM rule {AGENT_POOL_NAME})",
    ),
]
# ARM (Microsoft.ContainerService 2025-09-01, managedClusters name, 1-63 characters). The cluster's dnsPrefix is
# its name; the schema sets no pattern of its own on dnsPrefix.
CLUSTER_NAME = r"^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$"
# AKS's own rule for a dnsPrefix, stricter than the name's: 1-54 alphanumerics and hyphens, alphanumeric at
# both ends (offline/reference/azure-docs/psrule-aks-dns-prefix.txt).
DNS_PREFIX_MAX_LENGTH = 54
DNS_PREFIX = rf"^[a-zA-Z0-9]$|^[a-zA-Z0-9][-a-zA-Z0-9]{{0,{DNS_PREFIX_MAX_LENGTH - 2}}}[a-zA-Z0-9]$"
# ARM (Microsoft.OperationalInsights 2023-09-01, workspaces name, 4-63 characters).
WORKSPACE_NAME = r"^[A-Za-z0-9][A-Za-z0-9-]+[A-Za-z0-9]$"
# ARM (Microsoft.ContainerService 2025-09-01, MaintenanceWindow startTime and utcOffset).
MaintenanceTime = Annotated[str, pattern(r"^\d{2}:\d{2}$", "a time of day as HH:MM (ARM rule ^\\d{2}:\\d{2}$)")]
UtcOffset = Annotated[
    str, pattern(r"^(-|\+)[0-9]{2}:[0-9]{2}$", "a UTC offset such as +01:00 (ARM rule ^(-|\\+)[0-9]{2}:[0-9]{2}$)")
]
HttpsUrl = Annotated[str, pattern(r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s]*)?$", "an https:// URL")]
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
Uuid = Annotated[str, pattern(UUID_PATTERN, "an object id (lowercase UUID)")]
AvailabilityZone = Literal["1", "2", "3"]


def _cidr(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value, strict=True))
    except ValueError as err:
        raise ValueError(f"an IP range in CIDR form such as 203.0.113.0/24 ({err})") from None


Cidr = Annotated[str, AfterValidator(_cidr)]


def _not_dots(value: str) -> str:
    if set(value) == {"."}:
        raise ValueError(f"a repository name, got {value!r}, which names a directory, not a repository")
    return value


# GitHub repository names: 1-100 of [A-Za-z0-9._-]; `.` and `..` would be paths, not names.
RepositoryName = Annotated[str, pattern(r"^[A-Za-z0-9._-]{1,100}$", "a repository name"), AfterValidator(_not_dots)]

# Azure's tag rules: a name of at most 512 characters, without < > % & \ ? /, not starting with
# microsoft, azure or windows (reserved to Azure); a value of at most 256 characters. Sources:
# Az.Resources' Set-AzTag synopsis (tag name length, reserved prefixes) and the ARM `tags`
# property documentation of the Azure SDKs (value length, forbidden characters). Control
# characters are ours to refuse: a tag is shown in portals and billing exports.
_TAG_NAME = r"^[^<>%&\\?/\x00-\x1f]{1,512}$"


def _not_azure_prefix(name: str) -> str:
    if name.lower().startswith(("microsoft", "azure", "windows")):
        raise ValueError(f"a tag name not starting with microsoft, azure or windows (reserved to Azure), got {name!r}")
    return name


TagName = Annotated[
    str,
    pattern(_TAG_NAME, "an Azure tag name (1-512 characters, none of < > % & \\ ? / or control characters)"),
    AfterValidator(_not_azure_prefix),
]
TagValue = Annotated[
    str, StringConstraints(max_length=256), pattern(r"^[^\x00-\x1f]*$", "an Azure tag value (no control characters)")
]


class Model(BaseModel):
    """Base of every settings model: camelCase keys, unknown keys rejected, immutable."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        validate_default=True,
        # `.inf` and `.nan` are YAML floats; no threshold, price or count of ours may be either.
        allow_inf_nan=False,
    )


def unique(values: Sequence[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} must be unique, '{value}' appears twice")
        seen.add(value)


def secret_output(value: SecretStr) -> pulumi.Output[str]:
    """The one way to read a secret setting: as a Pulumi secret, never as plain text."""
    return pulumi.Output.secret(value.get_secret_value())
