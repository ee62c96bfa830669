"""Names that collide once the target normalises them, and derived names the target's rules refuse.

Azure and GitHub compare names without case; Slipway sanitises repository and role names into resource
names; a list entry given twice becomes two resources of one name (Pulumi's duplicate URN). Each collision
is one line naming both settings. Rules are from `settings/reference/` (SOURCE.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from settings.base import NAMESPACE
from settings.github import variable_prefix
from settings.reference import azure_name_length, github_reserved_prefix
from settings.stack import Settings

# The tags Slipway sets on every Azure resource itself (wiring/stack.py): a stack's tag of the same name
# (in any case: Azure tag names are case-insensitive) would silently replace them.
OWN_TAGS = ("app", "stack")


def identity_purpose(repository: str) -> str:
    """The purpose part of a delivery identity's name: the repository name sanitised; wiring/cloud.py names it so."""
    return f"delivery-{re.sub(r'[^A-Za-z0-9-]', '-', repository)}"


def role_slug(role: str) -> str:
    """The part of a deploy role assignment's resource name that names the role; wiring/cloud.py names it so."""
    return role.lower().replace(" ", "-")


def collisions(entries: Iterable[tuple[str, str]], normalise: Callable[[str], str], why: str) -> list[str]:
    """One line per pair of (key, value) entries whose values are equal once normalised."""
    seen: dict[str, tuple[str, str]] = {}
    problems = []
    for key, value in entries:
        first = seen.setdefault(normalise(value), (key, value))
        if first != (key, value):
            problems.append(
                f"{NAMESPACE}:{key}: got '{value}', which collides with {first[0]} '{first[1]}' ({why}): "
                "expected each once"
            )
    return problems


def _listed(key: str, values: Iterable[str]) -> list[tuple[str, str]]:
    return [(f"{key}[{index}]", value) for index, value in enumerate(values)]


def name_collisions(settings: Settings, stack: str) -> list[str]:
    """Every pair of settings that would make one Azure, GitHub or Kubernetes object twice."""
    same = str.lower
    problems = collisions(
        [(f"Slipway's own tag {t}", t) for t in OWN_TAGS]
        + [(f"azure.tags.{name}", name) for name in settings.azure.tags],
        same,
        "Azure tag names are case-insensitive; Slipway sets app and stack itself",
    )
    services = settings.delivery.services
    repositories = [
        (f"delivery.services[{i}].repository", s.repository) for i, s in enumerate(services) if s.repository
    ]
    problems += collisions(repositories, same, "GitHub repository names are case-insensitive")
    distinct = list({value.lower(): (key, value) for key, value in reversed(repositories)}.values())[::-1]
    problems += collisions(
        distinct,
        lambda repository: identity_purpose(repository).lower(),
        "both become the delivery identity and role assignment names "
        f"'{settings.azure.name_prefix}-{stack}-delivery-<name>' once '.' and '_' are replaced by '-'",
    )
    problems += _repeated_entries(settings)
    return problems


def _repeated_entries(settings: Settings) -> list[str]:
    """List settings whose repeated entries become two objects of one name (or mean nothing twice)."""
    same = str.lower
    problems = []
    if settings.identity is not None:
        problems += collisions(
            _listed("identity.deployRoles", settings.identity.deploy_roles),
            role_slug,
            "both become one role assignment of the deploy identity; Azure role names are case-insensitive",
        )
    for role, cluster in (settings.clusters.enabled() if settings.clusters is not None else {}).items():
        key = f"clusters.{role}"
        problems += collisions(
            _listed(f"{key}.adminGroupObjectIds", cluster.admin_group_object_ids), same, "object ids"
        )
        problems += collisions(_listed(f"{key}.authorizedIpRanges", cluster.authorized_ip_ranges), same, "one range")
        problems += collisions(_listed(f"{key}.availabilityZones", cluster.availability_zones), same, "one zone")
    problems += collisions(
        _listed("registries.acr.allowedRanges", settings.registries.acr.allowed_ranges), same, "one range"
    )
    for field_name, groups in settings.platform.argocd.rbac.model_dump(by_alias=True).items():
        problems += collisions(_listed(f"platform.argocd.rbac.{field_name}", groups), str, "one policy line twice")
    reviewers = settings.github.reviewers
    problems += collisions(_listed("github.reviewers.teams", reviewers.teams), same, "GitHub team slugs")
    problems += collisions(
        _listed("github.reviewers.users", reviewers.users), same, "GitHub logins are case-insensitive"
    )
    delivery = settings.delivery
    problems += collisions(
        _listed("delivery.productionEnvironments", delivery.production_environments), same, "one environment"
    )
    for index, service in enumerate(delivery.services):
        environments = _listed(f"delivery.services[{index}].environments", service.environments or [])
        problems += collisions(environments, same, "one namespace and Application twice")
    excluded = settings.platform.gatekeeper.excluded_namespaces
    problems += collisions(_listed("platform.gatekeeper.excludedNamespaces", excluded), same, "one namespace")
    return problems


def stack_name_problems(settings: Settings, stack: str) -> list[str]:
    """The stack name as Azure and GitHub see it: case-insensitive, inside their length and prefix rules."""
    problems = []
    uses_azure, uses_github = settings.azure.enabled, settings.github.enabled
    if (uses_azure or uses_github) and stack != stack.lower():
        problems.append(
            f"{NAMESPACE}:(stack): stack '{stack}' names Azure resources (rg-{settings.azure.name_prefix}-{stack}) and "
            f"GitHub variables ({variable_prefix(stack)}_...) that Azure and GitHub compare without case: they collide "
            f"with stack '{stack.lower()}''s, expected a lower-case stack name"
        )
    prefix = github_reserved_prefix()
    if uses_github and f"{variable_prefix(stack)}_".startswith(prefix):
        problems.append(
            f"{NAMESPACE}:github.enabled: stack '{stack}' gives the Actions variable names "
            f"'{variable_prefix(stack)}_AZURE_TENANT_ID' and others, expected names not starting with {prefix} "
            "(GitHub reserves the prefix): rename the stack or switch the GitHub layer off"
        )
    if uses_azure:
        problems += _derived_azure_names(settings, stack)
    return problems


def _derived_azure_names(settings: Settings, stack: str) -> list[str]:
    """Resource group and identity names built from the stack name, within Azure's naming rules."""
    base = f"{settings.azure.name_prefix}-{stack}"
    problems = []
    low, high = azure_name_length("resourcegroups")
    group = f"rg-{base}"
    if not low <= len(group) <= high or group.endswith("."):
        problems.append(
            f"{NAMESPACE}:(stack): stack '{stack}' makes the resource group name '{group}' ({len(group)} characters), "
            f"expected {low}-{high} characters not ending with '.' (Azure's resourcegroups naming rule)"
        )
    low, high = azure_name_length("userAssignedIdentities")
    purposes = [("(stack)", purpose) for purpose in ("argocd", "deploy", "preview")]
    purposes += [
        (f"delivery.services[{index}].repository", identity_purpose(service.repository))
        for index, service in enumerate(settings.delivery.services)
        if service.repository is not None
    ]
    for key, purpose in purposes:
        name = f"id-{base}-{purpose}"
        if not (low <= len(name) <= high and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", name)):
            problems.append(
                f"{NAMESPACE}:{key}: stack '{stack}' makes the identity name '{name}' ({len(name)} characters), "
                f"expected {low}-{high} letters, digits, '-' or '_' starting with a letter or digit (Azure's "
                "userAssignedIdentities naming rule): shorten the stack name, azure.namePrefix or the repository"
            )
    return problems
