"""Checks that span sections: names Azure derives from the stack, reachability, identities, layers.

Each returns one line per problem, named by the key path to fix; `cross_checks` runs them all.
"""

from __future__ import annotations

import re

from contracts.aks import ApiServerAccess
from contracts.azure_roles import role_id
from settings.base import (
    ACR_NAME,
    CLUSTER_NAME,
    DNS_PREFIX,
    DNS_PREFIX_MAX_LENGTH,
    NAMESPACE,
    PRODUCTION_STACK,
    UUID_PATTERN,
    WORKSPACE_NAME,
)
from settings.boundaries import address_problems, network_problems, production_policy_problems, repository_problems
from settings.cloud import (
    DEPLOY_CI,
    GOLDEN_IMAGE_BUILD,
    MAX_AUTHORIZED_IP_RANGES,
    REGISTRY,
    IdentityCredential,
    RegistryAccess,
    Runners,
    api_server,
)
from settings.delivery import ProjectLayout
from settings.github import variable_prefix
from settings.names import name_collisions, stack_name_problems
from settings.offered import offered_problems
from settings.platform import EnforcementAction, TraceBackend
from settings.stack import Settings


def acr_registry_name(settings: Settings, stack: str) -> str:
    """The registry's name: `registries.acr.name`, or `<namePrefix><stack>acr` without `-`, `_` and `.`.

    Upper case is kept, not dropped or lower-cased: the cross-checks reject it with the name to set instead.
    """
    return settings.registries.acr.name or re.sub(r"[-_.]", "", f"{settings.azure.name_prefix}{stack}acr")


def _name_checks(settings: Settings, stack: str) -> list[str]:
    """Names derived from the stack name that Azure would refuse, each with the ARM rule it breaks."""
    problems = []
    ns = NAMESPACE
    base = f"{settings.azure.name_prefix}-{stack}"
    derived = acr_registry_name(settings, stack)
    if settings.registries.acr.enabled and not re.fullmatch(ACR_NAME, derived):
        problems.append(
            f"{ns}:registries.acr.name: the name derived for stack '{stack}' is '{derived}', expected 5-50 lowercase "
            f"letters and digits ({ACR_NAME}; Azure lower-cases the login server): set registries.acr.name"
        )
    for role in settings.clusters.enabled() if settings.clusters is not None else {}:
        name = f"aks-{base}-{role}"
        if not re.fullmatch(CLUSTER_NAME, name):
            problems.append(
                f"{ns}:clusters.{role}: stack '{stack}' makes the cluster name and dnsPrefix '{name}', expected "
                f"1-63 characters matching ARM's managedClusters name rule {CLUSTER_NAME}: rename the stack or "
                "azure.namePrefix"
            )
        elif not re.fullmatch(DNS_PREFIX, name):
            problems.append(
                f"{ns}:clusters.{role}: stack '{stack}' makes the cluster's dnsPrefix '{name}' ({len(name)} "
                f"characters), expected at most {DNS_PREFIX_MAX_LENGTH} characters of letters, digits and inner "
                f"hyphens ({DNS_PREFIX}): rename the stack or azure.namePrefix"
            )
    workspace = f"log-{base}"
    if settings.azure.monitoring.enabled and not (
        4 <= len(workspace) <= 63 and re.fullmatch(WORKSPACE_NAME, workspace)
    ):
        problems.append(
            f"{ns}:azure.monitoring: stack '{stack}' makes the workspace name '{workspace}', expected 4-63 "
            f"characters matching ARM's workspaces name rule {WORKSPACE_NAME}: rename the stack or azure.namePrefix"
        )
    for index, region in enumerate(settings.registries.acr.geo_replicas):
        if region == settings.azure.location:
            problems.append(
                f"{ns}:registries.acr.geoReplicas[{index}]: got '{region}', the registry's home region "
                "(azure.location), expected another region: the home region holds the registry itself"
            )
    return problems


def _network_checks(settings: Settings) -> list[str]:
    """Who could not reach what under the stack's network model; rows marked expected are let through."""
    problems = []
    ns = NAMESPACE
    network = settings.azure.network
    clusters = settings.clusters.enabled() if settings.clusters is not None else {}
    acr = settings.registries.acr
    vnet_users = [
        f"clusters.{role}.apiServer private" for role, c in clusters.items() if c.api_server is ApiServerAccess.PRIVATE
    ]
    if acr.enabled and acr.access is RegistryAccess.PRIVATE_ENDPOINT:
        vnet_users.append("registries.acr.access privateEndpoint")
    if network.runners is Runners.SELF_HOSTED:
        vnet_users.append("azure.network.runners selfHosted")
    private = [role for role, c in clusters.items() if c.api_server is ApiServerAccess.PRIVATE]
    if len(private) > 1:
        problems.append(
            f"{ns}:clusters.{private[1]}.apiServer: got private beside the private {private[0]} cluster in the "
            "stack's one VNet, expected at most one private cluster: two private clusters' DNS zones in one VNet "
            "are not modelled"
        )
    if vnet_users and network.address_space is None:
        problems.append(
            f"{ns}:azure.network.addressSpace: required by {', '.join(vnet_users)}, expected the VNet's IPv4 range"
        )
    github_hosted = network.runners is Runners.GITHUB_HOSTED
    ci_callers = [DEPLOY_CI]
    if settings.github.enabled and settings.github.images.enabled:
        ci_callers.append(GOLDEN_IMAGE_BUILD)

    def unreachable(caller: str, target: str, how: str, fix: str) -> None:
        if not network.expected(caller, target):
            problems.append(
                f"{ns}:azure.network.runners: {caller} on GitHub-hosted runners could not reach {target} ({how}): "
                f"GitHub-hosted runners have no egress range this stack declares; expected runners selfHosted, "
                f"{fix}, or the row in azure.network.expectedUnreachable with a reason"
            )

    static_ranges = len(clusters) + (0 if github_hosted else 1)
    for role, cluster in clusters.items():
        if github_hosted and cluster.api_server is not ApiServerAccess.PUBLIC:
            unreachable(DEPLOY_CI, api_server(role), f"apiServer {cluster.api_server.value}", "apiServer public")
        ranges = static_ranges + len(cluster.authorized_ip_ranges)
        if cluster.api_server is ApiServerAccess.ALLOW_LISTED and ranges > MAX_AUTHORIZED_IP_RANGES:
            problems.append(
                f"{ns}:clusters.{role}.authorizedIpRanges: {ranges} ranges with the stack's static egress, expected "
                f"at most {MAX_AUTHORIZED_IP_RANGES} (AKS's limit on authorized IP ranges)"
            )
    if acr.enabled and github_hosted and acr.access is not RegistryAccess.PUBLIC:
        for caller in ci_callers:
            unreachable(caller, REGISTRY, f"access {acr.access.value}", "registries.acr.access public")
    return problems


def cross_checks(settings: Settings, stack: str) -> list[str]:
    """Problems that span sections, each named by the key path to fix, layer by layer."""
    production = bool(PRODUCTION_STACK.match(stack))
    problems = _cloud_layer_checks(settings, stack) + _platform_checks(settings, stack, production)
    problems += _github_checks(settings, stack, production) + _delivery_checks(settings)
    if settings.identity is not None:
        problems += _identity_checks(settings, stack)
    problems += stack_name_problems(settings, stack) + name_collisions(settings, stack) + offered_problems(settings)
    problems += network_problems(settings) + address_problems(settings)
    return problems + repository_problems(settings) + production_policy_problems(settings)


def _cloud_layer_checks(settings: Settings, stack: str) -> list[str]:
    """With the cloud layer: Azure's naming and reach, protection, its sections; without: what replaces it."""
    ns = NAMESPACE
    if not settings.azure.enabled:
        problems = []
        if settings.registries.acr.enabled:
            problems.append(f"{ns}:registries.acr.enabled: got true without the cloud layer, expected false")
        if settings.platform.enabled and settings.platform.kube_context is None:
            problems.append(
                f"{ns}:platform.kubeContext: required without the cloud layer: the kubeconfig context to install into"
            )
        return problems
    problems = _name_checks(settings, stack) + _network_checks(settings)
    if PRODUCTION_STACK.match(stack) and not settings.azure.protect:
        problems.append(f"{ns}:azure.protect: got false on production stack '{stack}', expected true")
    if settings.clusters is None:
        problems.append(f"{ns}:clusters: required when the cloud layer is on (azure.enabled)")
    if settings.identity is None:
        problems.append(f"{ns}:identity: required when the cloud layer is on (azure.enabled)")
    return problems


def _platform_checks(settings: Settings, stack: str, production: bool) -> list[str]:
    """The platform repository, SSO's URL and group ids, and production's enforcement."""
    ns, platform = NAMESPACE, settings.platform
    problems = []
    if platform.enabled and platform.addons.gatekeeper and platform.git_repo is None:
        problems.append(
            f"{ns}:platform.gitRepo: required with the gatekeeper add-on: the repository ArgoCD reads "
            "the objects chart (charts/objects) carrying our policies from"
        )
    argocd = platform.argocd
    if platform.enabled and argocd.sso is not None and argocd.url is None:
        problems.append(
            f"{ns}:platform.argocd.url: required with SSO: ArgoCD's external https:// URL, which the sign-in "
            "redirects to (the chart's default is https://argocd.example.com)"
        )
    sso = argocd.sso
    if platform.enabled and sso is not None and sso.client_secret is None and sso.application_object_id is None:
        problems.append(
            f"{ns}:platform.argocd.sso: got neither clientSecret nor applicationObjectId, expected one: the "
            "identity provider refuses a code exchange without client credentials (Entra ID: AADSTS7000218), "
            "so nobody could sign in; set applicationObjectId (Entra ID, workload identity) or clientSecret"
        )
    federated = platform.enabled and sso is not None and sso.application_object_id is not None
    if federated and sso is not None and not (sso.entra and settings.azure.enabled):
        problems.append(
            f"{ns}:platform.argocd.sso.applicationObjectId: needs Entra ID SSO and the cloud layer (the hub's "
            "OIDC issuer signs argocd-server's token); use clientSecret otherwise"
        )
    if platform.enabled and argocd.sso is not None and argocd.sso.entra:
        for field_name, groups in argocd.rbac.subjects().items():
            for index, group in enumerate(groups):
                if not re.fullmatch(UUID_PATTERN, group):
                    problems.append(
                        f"{ns}:platform.argocd.rbac.{field_name}[{index}]: got {group!r}, expected an Entra ID group "
                        "object id (lowercase UUID): Entra ID puts group ids, not names, in the groups claim"
                    )
    workspace = settings.azure.enabled and settings.azure.monitoring.enabled
    if platform.enabled and platform.traces.backend is TraceBackend.APPLICATION_INSIGHTS and not workspace:
        problems.append(
            f"{ns}:platform.traces.backend: got applicationInsights without the cloud layer's Log Analytics "
            "workspace (azure.enabled and azure.monitoring.enabled), expected otlp (with otlpEndpoint) or none"
        )
    problems += _gpu_driver_checks(settings)
    if production and platform.enabled and platform.gatekeeper.enforcement_action is not EnforcementAction.DENY:
        problems.append(
            f"{ns}:platform.gatekeeper.enforcementAction: got '{platform.gatekeeper.enforcement_action.value}' "
            f"on production stack '{stack}', expected deny"
        )
    return problems


def _gpu_driver_checks(settings: Settings) -> list[str]:
    """One driver owner per GPU cluster: the GPU operator's `driver.enabled` is cluster-wide.

    With `Install` beside `None` the operator would either install a second driver on AKS's pools
    or none on the others, so Slipway refuses the mix rather than model per-node driver labels.
    """
    clusters = settings.clusters.enabled() if settings.clusters is not None else {}
    gpu = clusters.get("gpu")
    if gpu is None or not (settings.platform.enabled and settings.platform.addons.gpu_operator):
        return []
    drivers = {pool.driver for pool in gpu.gpu_pools}
    if len(drivers) < 2:
        return []
    shown = ", ".join(f"{pool.name}: {pool.driver.value}" for pool in gpu.gpu_pools)
    return [
        f"{NAMESPACE}:clusters.gpu.gpuPools: got mixed drivers ({shown}) with the GPU operator, expected one "
        "driver setting for every pool: the operator installs the driver on the whole cluster or nowhere"
    ]


def _github_checks(settings: Settings, stack: str, production: bool) -> list[str]:
    """What the GitHub layer needs: an owner, the GitOps repository, production's reviewers."""
    ns, github = NAMESPACE, settings.github
    if not github.enabled:
        return []
    problems = []
    if github.owner is None:
        problems.append(f"{ns}:github.owner: required with the GitHub layer")
    if github.manage_service_repositories and github.gitops_repository is None:
        problems.append(f"{ns}:github.gitopsRepository: required to manage the service repositories")
    if production and not (github.reviewers.teams or github.reviewers.users):
        problems.append(
            f"{ns}:github.reviewers: got none on production stack '{stack}', expected at least one team or user "
            "to approve production deployments"
        )
    return problems


def _delivery_checks(settings: Settings) -> list[str]:
    """The GitOps repository, the platform beneath, and environments some cluster serves."""
    ns, delivery = NAMESPACE, settings.delivery
    problems = []
    if delivery.enabled and delivery.git_repo is None:
        problems.append(
            f"{ns}:delivery.gitRepo: required with the delivery layer: the GitOps repository of the services"
        )
    if delivery.enabled and not settings.platform.enabled:
        problems.append(f"{ns}:delivery.enabled: got true without the platform layer (ArgoCD), expected false")
    for index, env in enumerate(delivery.production_environments):
        if env not in delivery.environments:
            problems.append(
                f"{ns}:delivery.productionEnvironments[{index}]: got '{env}', expected one of environments "
                f"{delivery.environments}"
            )
    if settings.azure.enabled and settings.clusters is not None and delivery.enabled:
        problems += _served_environment_checks(settings)
    return problems + _team_rbac_checks(settings)


def _team_rbac_checks(settings: Settings) -> list[str]:
    """Per-team developer groups need per-team projects: ArgoCD scopes a role's rights by project.

    A team without services (yet) is let through: its groups then hold no right at all.
    """
    teams = settings.platform.argocd.rbac.teams
    if not teams or not settings.delivery.enabled or settings.delivery.projects is ProjectLayout.PER_TEAM:
        return []
    return [
        f"{NAMESPACE}:platform.argocd.rbac.teams: got groups for {sorted(teams)} with delivery.projects "
        f"'{settings.delivery.projects.value}', expected perTeam: a team's rights are its own project's"
    ]


def _served_environment_checks(settings: Settings) -> list[str]:
    """Every delivery environment served by an enabled cluster; GPU services by the gpu cluster."""
    assert settings.clusters is not None
    ns, delivery = NAMESPACE, settings.delivery
    problems = []
    clusters = settings.clusters.enabled()
    served = {env for cluster in clusters.values() for env in cluster.environments}
    for index, env in enumerate(delivery.environments):
        if env not in served:
            problems.append(
                f"{ns}:delivery.environments[{index}]: got '{env}', expected an environment that an enabled "
                f"cluster serves ({', '.join(sorted(served))})"
            )
    gpu_served = set(clusters["gpu"].environments) if "gpu" in clusters else set()
    for index, service in enumerate(delivery.services):
        missing = sorted(set(service.environments or delivery.environments) - gpu_served)
        if service.gpu and missing:
            problems.append(
                f"{ns}:delivery.services[{index}].gpu: service '{service.name}' needs GPUs in {missing}, "
                "expected a gpu cluster serving each of them"
            )
    return problems


# Roles that can grant roles; the deploy identity gets that right only with a condition.
ROLE_GRANTING_ROLES = ("Owner", "User Access Administrator", "Role Based Access Control Administrator")

# Azure allows at most 20 federated identity credentials on one managed identity or application
# (the figure; see components/cloud/federated_identity.py).
MAX_FEDERATED_CREDENTIALS = 20


def _identity_checks(settings: Settings, stack: str) -> list[str]:
    """Every identity within Azure's credential cap; Slipway's repository the one the GitHub layer wires."""
    assert settings.identity is not None
    ns, identity, github = NAMESPACE, settings.identity, settings.github
    problems: list[str] = []
    for index, role in enumerate(identity.deploy_roles):
        try:
            role_id(role)
        except ValueError as err:
            problems.append(f"{ns}:identity.deployRoles[{index}]: got '{role}', expected a built-in role name ({err})")
        if role in ROLE_GRANTING_ROLES:
            problems.append(
                f"{ns}:identity.deployRoles[{index}]: got '{role}', expected a role that cannot grant roles: the "
                "deploy identity assigns roles only through its constrained Role Based Access Control Administrator"
            )
    federated = identity.credential is IdentityCredential.FEDERATED
    delivery = delivery_subjects(settings)
    for index, service in enumerate(settings.delivery.services):
        subjects = delivery.get(service.repository or "", [])
        if federated and len(subjects) > MAX_FEDERATED_CREDENTIALS:
            key = f"delivery.services[{index}].environments" if service.environments else "delivery.environments"
            problems.append(
                f"{ns}:{key}: the delivery identity of repository '{service.repository}' would need "
                f"{len(subjects)} federated credentials (one per environment), expected at most "
                f"{MAX_FEDERATED_CREDENTIALS}, Azure's limit per identity: deliver it to fewer environments"
            )
    if github.enabled and github.owner is not None:
        expected = f"{github.owner}/{github.platform_repository}"
        if identity.repository != expected:
            problems.append(
                f"{ns}:identity.repository: got '{identity.repository}', expected '{expected}' "
                "(github.owner/github.platformRepository), the repository whose environments the GitHub layer wires"
            )
        if not re.fullmatch(r"[A-Z_][A-Z0-9_]*", variable_prefix(stack)):
            problems.append(
                f"slipway:github.enabled: stack '{stack}' gives the variable prefix '{variable_prefix(stack)}', "
                "expected a letter or '_' first (GitHub variable names): rename the stack or switch the layer off"
            )
    return problems


def delivery_subjects(settings: Settings) -> dict[str, list[str]]:
    """Service repository name -> the subjects its delivery identity trusts: each delivery environment.

    Only the stack that wires the service repositories (github.manageServiceRepositories) gives
    them identities: an identity no repository signs in as is a door nobody watches.
    """
    github = settings.github
    if settings.identity is None or not (settings.delivery.enabled and github.enabled):
        return {}
    if not github.manage_service_repositories:
        return {}
    owner = settings.identity.repository.split("/", 1)[0]
    found: dict[str, list[str]] = {}
    for service in settings.delivery.services:
        if service.repository is None:
            continue
        subjects = found.setdefault(service.repository, [])
        for env in service.environments or settings.delivery.environments:
            subject = f"repo:{owner}/{service.repository}:environment:{env}"
            if subject not in subjects:
                subjects.append(subject)
    return found
