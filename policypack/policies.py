"""Slipway's policies: what no stack may do, checked on the resources a preview registers.

Each policy is a `pulumi_policy` policy, so `pulumi preview --policy-pack policypack` runs
them against a real preview, and `python -m offline preview --policy-pack policypack` runs
the same functions against the recording engine. Default enforcement levels are in
`DEFAULT_LEVELS`; both runners take overrides (`--policy-pack-config` / `--policy-config`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Secret,
    StackValidationArgs,
    StackValidationPolicy,
)

# Stacks named `prod` or `prod-*` are production stacks (the same rule as settings.py).
PRODUCTION_STACK = re.compile(r"^prod(-.*)?$")
EXACT_VERSION = re.compile(r"^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")
STATEFUL_OR_IDENTITY = (
    "azure-native:resources:ResourceGroup",
    "azure-native:containerregistry:Registry",
    "azure-native:containerservice:ManagedCluster",
    "azure-native:managedidentity:UserAssignedIdentity",
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


# --- access: who can obtain which Azure role, from the resources a stack declares ------------

# The vendored built-in role table (see contracts/builtin_roles.SOURCE.md): role names
# and permissions by role definition id.
ROLE_TABLE = Path(__file__).resolve().parent.parent / "contracts" / "builtin_roles.json"
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
# Slipway's reading, not a table fact: on clusters with local accounts off (the AKS baseline
# policy above), this action returns a kubeconfig that signs in through kubelogin and holds no
# credential; what the caller may do in the cluster is its AKS RBAC role's business.
NON_MUTATING_ACTIONS = frozenset({"Microsoft.ContainerService/managedClusters/listClusterUserCredential/action"})
# The one write role a non-production GitHub environment may obtain on a production stack: the
# stack's registry serves every delivery environment, so each service repository's delivery
# identity pushes from each of its environments (AcrPush on the registry only, never state or clusters).
SHARED_REGISTRY_PUSH = "AcrPush"
SUBSCRIPTION_WIDE = ("Owner", "Contributor", "User Access Administrator")


@cache
def role_table() -> dict[str, dict[str, Any]]:
    """Role definition GUID -> its entry (roleName, actions, dataActions, ...)."""
    return {role["id"]: role for role in json.loads(ROLE_TABLE.read_text())["roles"]}


def role_writes(entry: Mapping[str, Any] | None) -> bool:
    """Whether a role can change anything: some action or data action that is not a read.

    A role missing from the table counts as writing: what is unknown is not read-only.
    """
    if entry is None:
        return True
    granted = [*entry.get("actions", []), *entry.get("dataActions", [])]
    return any(not action.lower().endswith("/read") and action not in NON_MUTATING_ACTIONS for action in granted)


@dataclass(frozen=True)
class Grant:
    """One role one principal holds on one scope, and who can obtain that principal."""

    principal: str
    principal_id: str
    role: str | None  # None: the id is not a built-in role of the table
    role_definition_id: str
    scope: str
    obtainable_by: tuple[str, ...]
    writes: bool
    condition: str | None = None

    def document(self) -> dict[str, Any]:
        return {
            "principal": self.principal,
            "principalId": self.principal_id,
            "role": self.role,
            "roleDefinitionId": self.role_definition_id,
            "scope": self.scope,
            "obtainableBy": list(self.obtainable_by),
            "writes": self.writes,
            "condition": self.condition,
        }


def _subject(issuer: str, subject: str) -> str:
    """A GitHub subject as GitHub writes it; any other issuer's subject with its issuer."""
    return subject if issuer == GITHUB_ISSUER else f"{subject} (issuer {issuer})"


def _principals(resources: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """principal (object) id -> (what it is, who can obtain it), for every principal the resources
    create or trust. Each resource's props hold its inputs and, where known, its outputs."""
    by_type: dict[str, list[Mapping[str, Any]]] = {}
    for type_, props in resources:
        by_type.setdefault(type_, []).append(props)

    def of(type_: str) -> list[Mapping[str, Any]]:
        return by_type.get(type_, [])

    found: dict[str, tuple[str, tuple[str, ...]]] = {}
    credentials: dict[str, list[str]] = {}
    for fic in of("azure-native:managedidentity:FederatedIdentityCredential"):
        credentials.setdefault(str(fic.get("resourceName")), []).append(
            _subject(str(fic.get("issuer")), str(fic.get("subject")))
        )
    clusters = of("azure-native:containerservice:ManagedCluster")
    for identity in of("azure-native:managedidentity:UserAssignedIdentity"):
        name = str(identity.get("name") or identity.get("resourceName"))
        holders = list(credentials.get(name, []))
        for cluster in clusters:
            if identity.get("id") in (_get(cluster, "identity", "userAssignedIdentities") or {}):
                holders.append(f"cluster {cluster.get('name')} (its control plane)")
        found[str(identity.get("principalId"))] = (f"managed identity {name}", tuple(holders))
    for cluster in clusters:
        kubelet = _get(cluster, "identityProfile", "kubeletidentity", "objectId")
        if kubelet is not None:
            found[str(kubelet)] = (f"kubelet of {cluster.get('name')}", (f"nodes of cluster {cluster.get('name')}",))
    applications = {str(app.get("clientId")): app for app in of("azuread:index/application:Application")}
    for principal in of("azuread:index/servicePrincipal:ServicePrincipal"):
        app = applications.get(str(principal.get("clientId")), {})
        holders = [
            _subject(str(fic.get("issuer")), str(fic.get("subject")))
            for fic in of("azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential")
            if fic.get("applicationId") == app.get("id")
        ]
        holders += [
            f"holder of a client secret of application {app.get('displayName')}"
            for secret in of("azuread:index/applicationPassword:ApplicationPassword")
            if secret.get("applicationId") == app.get("id")
        ]
        found[str(principal.get("objectId"))] = (f"application {app.get('displayName')}", tuple(holders))
    return found


def access_grants(resources: Sequence[tuple[str, Mapping[str, Any]]]) -> list[Grant]:
    """Every role assignment the resources declare, as who holds what where, and who can obtain it."""
    principals = _principals(resources)
    table = role_table()
    grants = []
    for type_, props in resources:
        if type_ != "azure-native:authorization:RoleAssignment":
            continue
        principal_id = str(props.get("principalId"))
        definition = str(props.get("roleDefinitionId"))
        entry = table.get(definition.rsplit("/", 1)[-1])
        what, holders = principals.get(principal_id, (f"principal {principal_id} (not declared by this stack)", ()))
        grants.append(
            Grant(
                principal=what,
                principal_id=principal_id,
                role=entry["roleName"] if entry is not None else None,
                role_definition_id=definition,
                scope=str(props.get("scope")),
                obtainable_by=holders,
                writes=role_writes(entry),
                condition=props.get("condition"),
            )
        )
    return grants


_SUBSCRIPTION_SCOPE = re.compile(r"^/(subscriptions/[^/]+)?/?$|^/providers/Microsoft\.Management/managementGroups/")


def access_violations(grants: Iterable[Grant], stack: str) -> list[str]:
    """The access rules: no write role from a pull request; on a production stack, write roles only
    from the stack's own environment (the registry push of delivery environments excepted); nobody
    Owner, Contributor or User Access Administrator on a subscription (or wider)."""
    problems = []
    production = bool(PRODUCTION_STACK.match(stack))
    for grant in grants:
        role = grant.role or f"role {grant.role_definition_id} (not in the built-in role table)"
        where = f"{grant.principal} holds {role} on {grant.scope}"
        github = [s for s in grant.obtainable_by if s.startswith("repo:")]
        if grant.writes and any(s.endswith(":pull_request") for s in github):
            problems.append(f"{where}, a write role, obtainable from a pull request")
        elif grant.writes and production:
            allowed = f":environment:{stack}"
            for subject in github:
                shared_push = grant.role == SHARED_REGISTRY_PUSH and ":environment:" in subject
                shared_push = shared_push and "/providers/Microsoft.ContainerRegistry/registries/" in grant.scope
                if not subject.endswith(allowed) and not shared_push:
                    problems.append(f"{where}, a write role on a production stack, obtainable from {subject}")
        if grant.role in SUBSCRIPTION_WIDE and _SUBSCRIPTION_SCOPE.match(grant.scope):
            problems.append(f"{where}: never on a subscription or wider, scope it to the stack's resources")
    return problems


def access_least_privilege(args: StackValidationArgs, report: ReportViolation) -> None:
    """The access rules on the whole stack (principals and their roles are joined across resources)."""
    if not args.resources:
        return
    stack = _stack(args.resources[0].urn)
    grants = access_grants([(r.resource_type, _unmarked(r.props)) for r in args.resources])
    for problem in access_violations(grants, stack):
        report(problem, None)


def _unmarked(value: Any) -> Any:
    if isinstance(value, Secret):
        return _unmarked(value.value)
    if isinstance(value, Mapping):
        return {key: _unmarked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unmarked(item) for item in value]
    return value


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


STACK_POLICY_FUNCTIONS: dict[str, tuple[str, Callable[[StackValidationArgs, ReportViolation], None]]] = {
    "access-least-privilege": (
        "No write role from a pull request; production writes only from its environment; no subscription-wide roles",
        access_least_privilege,
    ),
}

DEFAULT_LEVELS.update(dict.fromkeys(STACK_POLICY_FUNCTIONS, EnforcementLevel.MANDATORY))


def policies() -> list[ResourceValidationPolicy | StackValidationPolicy]:
    return [
        *(
            ResourceValidationPolicy(name=name, description=description, validate=validate)
            for name, (description, validate) in POLICY_FUNCTIONS.items()
        ),
        *(
            StackValidationPolicy(name=name, description=description, validate=validate)
            for name, (description, validate) in STACK_POLICY_FUNCTIONS.items()
        ),
    ]
