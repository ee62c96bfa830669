"""The GitHub layer's wiring: Actions environments, variables and secrets from stack outputs, and the golden images."""

from __future__ import annotations

import pulumi
import pulumi_github as github

from components.github.actions import (
    DeploymentPolicy,
    EnvironmentSpec,
    RepositoryActions,
    RepositoryActionsArgs,
    Reviewers,
)
from components.github.images import GoldenImages, GoldenImagesArgs
from contracts.gitops import ClusterRole
from settings import (
    DeliverySettings,
    GithubSettings,
    ReviewersSettings,
    SharedVariables,
    drift_environment,
    runs_on,
    secret_output,
    variable_prefix,
)
from wiring.cloud import Cloud
from wiring.platform import Platform
from wiring.stack import GithubPart, Stack

GOLDEN_IMAGES = ("python", "cuda")


def reviewer_ids(reviewers: ReviewersSettings, provider: github.Provider) -> Reviewers:
    """Each reviewer team and user looked up once per stack, whatever the number of repositories."""
    invoke = pulumi.InvokeOptions(provider=provider)
    return Reviewers(
        team_ids=[github.get_team_output(slug=slug, opts=invoke).id.apply(int) for slug in reviewers.teams],
        user_ids=[github.get_user_output(username=login, opts=invoke).id.apply(int) for login in reviewers.users],
    )


def stack_variables(cloud: Cloud) -> dict[str, pulumi.Input[str]]:
    """Where the stack lives and what it pushes to: the same for every identity and repository."""
    variables: dict[str, pulumi.Input[str]] = {
        "AZURE_TENANT_ID": cloud.tenant_id,
        "AZURE_SUBSCRIPTION_ID": cloud.subscription_id,
    }
    if cloud.acr is not None:
        variables["ACR_LOGIN_SERVER"] = cloud.acr.login_server
    if cloud.ghcr is not None:
        variables["GHCR_IMAGE_PREFIX"] = cloud.ghcr.image_prefix
    return variables


def sign_in_secret(secret: pulumi.Output[str] | None, settings: GithubSettings) -> dict[str, pulumi.Output[str]]:
    """Secrets exist only where a secret really exists: the client secret mode, a webhook."""
    secrets: dict[str, pulumi.Output[str]] = {}
    if secret is not None:
        secrets["AZURE_CLIENT_SECRET"] = secret
    if settings.notification_webhook is not None:
        secrets["NOTIFICATION_WEBHOOK"] = secret_output(settings.notification_webhook)
    return secrets


def platform_repository(
    stack: Stack, part: GithubPart, cloud: Cloud, reviewers: Reviewers, opts: pulumi.ResourceOptions
) -> RepositoryActions:
    """Slipway's own repository, for stack S: environment S (deploy identity; reviewed in production),
    environment S-drift (preview identity, main branch only) and the repository variables
    `<S>_PREVIEW_AZURE_CLIENT_ID`, `<S>_AZURE_TENANT_ID`, `<S>_AZURE_SUBSCRIPTION_ID` for the
    pull-request preview, which names no environment."""
    settings = part.settings
    identities = cloud.identities
    main_branch = stack.cloud.identity.main_branch if stack.cloud is not None else "main"
    shared = {**stack_variables(cloud), "PULUMI_STACK": stack.name}
    deploy = EnvironmentSpec(
        stack.name,
        DeploymentPolicy(protected_branches=True),
        reviewed=stack.production,
        variables={"AZURE_CLIENT_ID": identities.deploy.client_id, **shared},
        secrets=sign_in_secret(identities.deploy.client_secret, settings),
    )
    drift = EnvironmentSpec(
        drift_environment(stack.name),
        DeploymentPolicy(branch_pattern=main_branch),
        variables={"AZURE_CLIENT_ID": identities.preview.client_id, **shared},
        secrets=sign_in_secret(identities.preview.client_secret, settings),
    )
    prefix = variable_prefix(stack.name)
    secrets = {}
    if identities.preview.client_secret is not None:
        secrets[f"{prefix}_PREVIEW_AZURE_CLIENT_SECRET"] = identities.preview.client_secret
    return RepositoryActions(
        f"{settings.platform_repository}-{stack.name}",
        RepositoryActionsArgs(
            repository=settings.platform_repository,
            environments=[deploy, drift],
            variables={
                f"{prefix}_PREVIEW_AZURE_CLIENT_ID": identities.preview.client_id,
                f"{prefix}_AZURE_TENANT_ID": cloud.tenant_id,
                f"{prefix}_AZURE_SUBSCRIPTION_ID": cloud.subscription_id,
            },
            secrets=secrets,
            reviewers=reviewers,
        ),
        opts,
    )


def service_repositories(
    delivery: DeliverySettings,
    part: GithubPart,
    cloud: Cloud,
    reviewers: Reviewers,
    certificates: dict[ClusterRole, pulumi.Output[str]],
    provider: github.Provider,
    delivery_runs_on: str,
) -> None:
    """Each service repository: its own delivery identity, name, sealing certificate and the runners its
    delivery must run on (`DELIVERY_RUNS_ON`, JSON for service-delivery.yml's `runs-on` input) as repository
    variables, a reviewed environment per production environment; the values every service shares
    set once, as organisation variables visible to these repositories only (or, by setting, per repository)."""
    settings = part.settings
    opts = pulumi.ResourceOptions(provider=provider)
    shared: dict[str, pulumi.Input[str]] = stack_variables(cloud)
    if settings.gitops_repository is not None:
        shared["GITOPS_REPOSITORY"] = settings.gitops_repository
    per_repository = settings.shared_variables is SharedVariables.REPOSITORY
    policy = (
        DeploymentPolicy(tag_pattern=settings.production_tag_pattern)
        if settings.production_tag_pattern is not None
        else DeploymentPolicy(protected_branches=True)
    )
    repositories: list[str] = []
    for service in delivery.services:
        if service.repository is None:
            continue
        repositories.append(service.repository)
        variables: dict[str, pulumi.Input[str]] = {
            "SERVICE_NAME": service.name,
            "DELIVERY_RUNS_ON": delivery_runs_on,
            **(shared if per_repository else {}),
        }
        identity = cloud.identities.delivery.get(service.repository)
        if identity is not None:
            variables["AZURE_CLIENT_ID"] = identity.client_id
        certificate = certificates.get(ClusterRole.GPU if service.gpu else ClusterRole.HUB)
        if certificate is not None:
            variables["SEALED_SECRETS_CERT"] = certificate
        production = [
            EnvironmentSpec(env, policy, reviewed=True)
            for env in service.environments or delivery.environments
            if env in delivery.production_environments
        ]
        RepositoryActions(
            service.repository,
            RepositoryActionsArgs(
                repository=service.repository,
                environments=production,
                variables=variables,
                secrets=sign_in_secret(identity.client_secret if identity is not None else None, settings),
                reviewers=reviewers,
            ),
            opts,
        )
    if not per_repository and repositories:
        invoke = pulumi.InvokeOptions(provider=provider)
        ids = [github.get_repository_output(name=repo, opts=invoke).repo_id for repo in repositories]
        for variable, value in sorted(shared.items()):
            github.ActionsOrganizationVariable(
                f"services-{variable.lower()}",
                github.ActionsOrganizationVariableArgs(
                    variable_name=variable, value=value, visibility="selected", selected_repository_ids=ids
                ),
                opts,
            )


def golden_images(part: GithubPart, cloud: Cloud) -> GoldenImages | None:
    """The golden images, where there is somewhere to push: ACR needs nothing stored, GHCR a push token."""
    images = part.settings.images
    token = secret_output(images.ghcr_push_token) if images.ghcr_push_token is not None else None
    if not images.enabled or (cloud.acr is None and (token is None or cloud.ghcr is None)):
        return None
    return GoldenImages(
        "golden-images",
        GoldenImagesArgs(
            images=GOLDEN_IMAGES,
            acr_login_server=cloud.acr.login_server if cloud.acr is not None else None,
            ghcr_prefix=cloud.ghcr.image_prefix if cloud.ghcr is not None else None,
            ghcr_username=part.owner,
            ghcr_token=token,
        ),
    )


def build(stack: Stack, part: GithubPart, cloud: Cloud, platform: Platform | None) -> GoldenImages | None:
    """Declare the GitHub wiring of Slipway's own repository and of every service repository."""
    settings = part.settings
    provider = github.Provider("github", owner=part.owner)
    opts = pulumi.ResourceOptions(provider=provider)
    reviewers = reviewer_ids(settings.reviewers, provider)
    platform_repository(stack, part, cloud, reviewers, opts)
    if stack.delivery is not None and settings.manage_service_repositories:
        certificates = platform.sealing_certificates if platform is not None else {}
        # Delivery pushes to the registry, so it runs where the stack's CI runs (a private registry: in the VNet).
        runners = runs_on(stack.cloud.azure.network.runners, stack.name) if stack.cloud is not None else ""
        service_repositories(stack.delivery.settings, part, cloud, reviewers, certificates, provider, runners)
    return golden_images(part, cloud)


def export(images: GoldenImages) -> None:
    pulumi.export("goldenImageDigests", images.digests)
    pulumi.export("goldenImages", images.references)
