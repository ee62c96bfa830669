"""Settings of the GitHub layer: `slipway:github` (Actions wiring, reviewers, golden images)."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import Field, SecretStr

from settings.base import Dns1123Label, GitHubOwner, GitHubRepo, Model, pattern

# --- slipway:github ------------------------------------------------------------------


class ReviewersSettings(Model):
    """Who approves deployments to production environments: team slugs and user logins."""

    teams: list[Dns1123Label] = Field(default_factory=list)
    users: list[GitHubOwner] = Field(default_factory=list)


class GoldenImagesSettings(Model):
    """The base images service teams build on (`images/`); a real run needs a Docker daemon."""

    enabled: bool = True
    ghcr_push_token: SecretStr | None = None


class SharedVariables(StrEnum):
    """Where the variables every service repository shares live.

    `organization`: one organisation variable each, visible to the managed service repositories
    only (needs a token that may administer the organisation's Actions variables);
    `repository`: a copy in every service repository (a user account, or a repository-scoped token).
    """

    ORGANIZATION = "organization"
    REPOSITORY = "repository"


class GithubSettings(Model):
    """GitHub Actions wiring from stack outputs, and the golden images."""

    enabled: bool = False
    owner: GitHubOwner | None = None
    platform_repository: Annotated[str, pattern(r"^[A-Za-z0-9._-]{1,100}$", "a repository name")] = "slipway"
    gitops_repository: GitHubRepo | None = None
    manage_service_repositories: bool = False
    shared_variables: SharedVariables = SharedVariables.ORGANIZATION
    reviewers: ReviewersSettings = Field(default_factory=ReviewersSettings)
    production_tag_pattern: str | None = None
    notification_webhook: SecretStr | None = None
    images: GoldenImagesSettings = Field(default_factory=GoldenImagesSettings)


def variable_prefix(stack: str) -> str:
    """`<S>` in Slipway's repository variables `<S>_PREVIEW_AZURE_CLIENT_ID`: the stack name upper-cased."""
    return re.sub(r"[^A-Z0-9_]", "_", stack.upper())
