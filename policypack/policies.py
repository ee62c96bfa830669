"""Slipway's policies: what no stack may do, checked on the resources a preview registers.

Each policy is a `pulumi_policy` policy, so `pulumi preview --policy-pack policypack` runs
them against a real preview, and `python -m offline preview --policy-pack policypack` runs
the same functions against the recording engine. Default enforcement levels are in
`DEFAULT_LEVELS`; both runners take overrides (`--policy-pack-config` / `--policy-config`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Secret,
)

# Stacks named `prod` or `prod-*` are production stacks (the same rule as settings.py).
PRODUCTION_STACK = re.compile(r"^prod(-.*)?$")
EXACT_VERSION = re.compile(r"^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")
STATEFUL_OR_IDENTITY = (
    "azure-native:resources:ResourceGroup",
    "azure-native:containerregistry:Registry",
    "azure-native:containerservice:ManagedCluster",
    "azure-native:managedidentity:UserAssignedIdentity",
    "azure-native:managedidentity:FederatedIdentityCredential",
    "azure-native:authorization:RoleAssignment",
    "azuread:index/application:Application",
    "azuread:index/servicePrincipal:ServicePrincipal",
    "tls:index/privateKey:PrivateKey",
    # The audit trail (kube-audit-admin, guard, registry events) lives in the workspace.
    "azure-native:operationalinsights:Workspace",
    # A re-created prefix gets another range: every allow-list naming the old one would lock callers out.
    "azure-native:network:PublicIPPrefix",
)


def _stack(urn: str) -> str:
    return urn.split(":", 3)[2].split("::")[0] if urn.startswith("urn:pulumi:") else ""


def _get(props: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(props, Mapping) or key not in props:
            return None
        props = props[key]
    return props


def acr_admin_user_disabled(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if (
        args.resource_type == "azure-native:containerregistry:Registry"
        and args.props.get("adminUserEnabled") is not False
    ):
        report("the registry's admin user must be off (adminUserEnabled: false): no shared password", None)


def aks_security_baseline(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != "azure-native:containerservice:ManagedCluster":
        return
    required = {
        "local accounts off (disableLocalAccounts)": args.props.get("disableLocalAccounts") is True,
        "Azure RBAC (aadProfile.enableAzureRBAC)": _get(args.props, "aadProfile", "enableAzureRBAC") is True,
        "OIDC issuer (oidcIssuerProfile.enabled)": _get(args.props, "oidcIssuerProfile", "enabled") is True,
        "workload identity (securityProfile.workloadIdentity.enabled)": _get(
            args.props, "securityProfile", "workloadIdentity", "enabled"
        )
        is True,
    }
    for what, ok in required.items():
        if not ok:
            report(f"the AKS security baseline needs {what}", None)


def production_resources_protected(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if (
        PRODUCTION_STACK.match(_stack(args.urn))
        and args.resource_type in STATEFUL_OR_IDENTITY
        and not args.opts.protect
    ):
        report(f"{args.resource_type} holds state or identity: protect it on a production stack", None)


def _chart_sources(props: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    template = _get(props, "spec", "template", "spec") or {}
    sources = list(template.get("sources") or []) + ([template["source"]] if template.get("source") else [])
    yield from (s for s in sources if isinstance(s, Mapping) and "chart" in s)


def helm_versions_pinned(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type in ("kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"):
        version = str(args.props.get("version") or "")
        if not EXACT_VERSION.match(version):
            report(f"Helm chart {args.props.get('chart')} must be pinned to an exact version, got '{version}'", None)
    if args.resource_type == "kubernetes:argoproj.io/v1alpha1:ApplicationSet":
        for source in _chart_sources(args.props):
            if not EXACT_VERSION.match(str(source.get("targetRevision") or "")):
                report(
                    f"chart {source['chart']} must be pinned to an exact version, got '{source.get('targetRevision')}'",
                    None,
                )


_IMAGE_KEYS = ("image", "tags")


def _image_references(value: Any, key: str = "") -> Iterator[str]:
    if isinstance(value, Mapping):
        for child_key, child in value.items():
            yield from _image_references(child, child_key)
    elif isinstance(value, list):
        for child in value:
            yield from _image_references(child, key)
    elif isinstance(value, str) and key in _IMAGE_KEYS and "/" in value:
        yield value


def mutable_tag(reference: str) -> bool:
    """True for `repo:latest`, or a reference with neither a tag nor a digest."""
    if "@sha256:" in reference:
        return False
    name = reference.rsplit("/", 1)[-1]
    return ":" not in name or name.rsplit(":", 1)[1] in ("latest", "stable", "main", "master")


def no_mutable_image_tags(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for reference in _image_references(args.props):
        if mutable_tag(reference):
            report(f"image '{reference}' uses a mutable tag: pin a version or a digest", None)


def github_secrets_from_secrets(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """A GitHub Actions secret is set through `value` from a Pulumi secret.

    `plaintextValue` and `encryptedValue` are the deprecated paths. Where the runner hands
    secrets over marked (`pulumi_policy.Secret`, as the recording engine does), a plain
    `value` is a violation too; the Pulumi CLI hands them over unwrapped, so there only the
    field is checked, and the provider stores `value` as a secret either way.
    """
    if args.resource_type not in (
        "github:index/actionsSecret:ActionsSecret",
        "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
    ):
        return
    for deprecated in ("plaintextValue", "encryptedValue"):
        if args.props.get(deprecated) is not None:
            report(f"set the secret through `value` from a Pulumi secret, not `{deprecated}`", None)
    value = args.props.get("value")
    if value is not None and not isinstance(value, Secret) and getattr(args, "secrets_marked", False):
        report("the secret's value comes from a plain string, not a Pulumi secret", None)


def production_applicationsets_manual_sync(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != "kubernetes:argoproj.io/v1alpha1:ApplicationSet":
        return
    if _get(args.props, "metadata", "labels", "slipway.io/production") != "true":
        return
    if _get(args.props, "spec", "template", "spec", "syncPolicy", "automated") is not None:
        report("a production ApplicationSet must not sync automatically", None)


# azure-native resources whose type takes no `tags` input.
UNTAGGABLE = (
    "azure-native:authorization:RoleAssignment",
    "azure-native:managedidentity:FederatedIdentityCredential",
    "azure-native:network:Subnet",
    "azure-native:network:PrivateDnsZoneGroup",
    "azure-native:monitor:DiagnosticSetting",
    "azure-native:containerservice:MaintenanceConfiguration",
)


def azure_resources_tagged(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type.startswith("azure-native:") and args.resource_type not in UNTAGGABLE:
        tags = args.props.get("tags") or {}
        if not {"app", "stack"} <= set(tags):
            report("Azure resources carry the `app` and `stack` tags (cost and ownership reports)", None)


POLICY_FUNCTIONS: dict[str, tuple[str, Callable[[ResourceValidationArgs, ReportViolation], None]]] = {
    "acr-admin-user-disabled": ("ACR admin user off", acr_admin_user_disabled),
    "aks-security-baseline": (
        "AKS local accounts off, Azure RBAC, OIDC issuer, workload identity",
        aks_security_baseline,
    ),
    "production-resources-protected": ("Production state and identity are protected", production_resources_protected),
    "helm-versions-pinned": ("Every Helm chart pinned to an exact version", helm_versions_pinned),
    "no-mutable-image-tags": ("No image by a mutable tag such as latest", no_mutable_image_tags),
    "github-secrets-from-secrets": ("GitHub secrets only from Pulumi secrets", github_secrets_from_secrets),
    "production-applicationsets-manual-sync": (
        "Production ApplicationSets never auto-sync",
        production_applicationsets_manual_sync,
    ),
    "azure-resources-tagged": ("Azure resources carry app and stack tags", azure_resources_tagged),
}

DEFAULT_LEVELS: dict[str, EnforcementLevel] = {
    name: EnforcementLevel.ADVISORY if name == "azure-resources-tagged" else EnforcementLevel.MANDATORY
    for name in POLICY_FUNCTIONS
}


def policies() -> list[ResourceValidationPolicy]:
    return [
        ResourceValidationPolicy(name=name, description=description, validate=validate)
        for name, (description, validate) in POLICY_FUNCTIONS.items()
    ]
