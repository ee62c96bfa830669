"""The GitHub layer's wiring: Actions environments, variables and secrets from stack outputs, and the golden images."""

from __future__ import annotations

import pulumi
import pulumi_github as github

from components.github.actions import ActionsEnvironments, ActionsEnvironmentsArgs, EnvironmentSpec
from components.github.images import GoldenImages, GoldenImagesArgs
from components.gitops import ClusterRole
from settings import DeliverySettings, GithubSettings, secret_output
from wiring.cloud import Cloud
from wiring.platform import Platform
from wiring.stack import GithubPart, Stack

GOLDEN_IMAGES = ("python", "cuda")


def ci_variables(settings: GithubSettings, cloud: Cloud) -> dict[str, pulumi.Input[str]]:
    """What every workflow needs to sign in to Azure and push: the CI identity and registries."""
    variables: dict[str, pulumi.Input[str]] = {
        "AZURE_CLIENT_ID": cloud.ci.client_id,
        "AZURE_TENANT_ID": cloud.tenant_id,
        "AZURE_SUBSCRIPTION_ID": cloud.subscription_id,
    }
    if cloud.acr is not None:
        variables["ACR_LOGIN_SERVER"] = cloud.acr.login_server
    if cloud.ghcr is not None:
        variables["GHCR_IMAGE_PREFIX"] = cloud.ghcr.image_prefix
    if settings.gitops_repository is not None:
        variables["GITOPS_REPOSITORY"] = settings.gitops_repository
    return variables


def ci_secrets(settings: GithubSettings, cloud: Cloud) -> dict[str, pulumi.Output[str]]:
    """Secrets exist only where a secret really exists: the client secret mode, a webhook."""
    secrets: dict[str, pulumi.Output[str]] = {}
    if cloud.ci.client_secret is not None:
        secrets["AZURE_CLIENT_SECRET"] = cloud.ci.client_secret
    if settings.notification_webhook is not None:
        secrets["NOTIFICATION_WEBHOOK"] = secret_output(settings.notification_webhook)
    return secrets


def service_repositories(
    delivery: DeliverySettings,
    part: GithubPart,
    variables: dict[str, pulumi.Input[str]],
    secrets: dict[str, pulumi.Output[str]],
    certificates: dict[ClusterRole, pulumi.Output[str]],
    opts: pulumi.ResourceOptions,
) -> None:
    """Each service repository's delivery environments, with the sealing certificate of its cluster."""
    reviewers = part.settings.reviewers
    for service in delivery.services:
        if service.repository is None:
            continue
        service_variables = {**variables, "SERVICE_NAME": service.name}
        certificate = certificates.get(ClusterRole.GPU if service.gpu else ClusterRole.HUB)
        if certificate is not None:
            service_variables["SEALED_SECRETS_CERT"] = certificate
        ActionsEnvironments(
            service.repository,
            ActionsEnvironmentsArgs(
                repository=service.repository,
                environments=[
                    EnvironmentSpec(env, env in delivery.production_environments, service_variables, secrets)
                    for env in service.environments or delivery.environments
                ],
                reviewer_teams=reviewers.teams,
                reviewer_users=reviewers.users,
                tag_pattern=part.settings.production_tag_pattern,
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
    opts = pulumi.ResourceOptions(provider=github.Provider("github", owner=part.owner))
    reviewers = settings.reviewers
    variables, secrets = ci_variables(settings, cloud), ci_secrets(settings, cloud)
    # Slipway's own repository: one environment per stack, named after it, for its workflows.
    own = EnvironmentSpec(stack.name, stack.production, {**variables, "PULUMI_STACK": stack.name}, secrets)
    ActionsEnvironments(
        f"{settings.platform_repository}-{stack.name}",
        ActionsEnvironmentsArgs(
            repository=settings.platform_repository,
            environments=[own],
            reviewer_teams=reviewers.teams,
            reviewer_users=reviewers.users,
        ),
        opts,
    )
    if stack.delivery is not None and settings.manage_service_repositories:
        certificates = platform.sealing_certificates if platform is not None else {}
        service_repositories(stack.delivery.settings, part, variables, secrets, certificates, opts)
    return golden_images(part, cloud)


def export(images: GoldenImages) -> None:
    pulumi.export("goldenImageDigests", images.digests)
    pulumi.export("goldenImages", images.references)
