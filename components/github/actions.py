"""GitHub Actions wiring of one repository: its environments, and its repository variables and secrets.

Each environment gets a deployment policy (protected branches, or one branch or tag
pattern), its variables and, only where a secret really exists, its secrets, always from
Pulumi secrets; a reviewed environment (production) requires reviewers, forbids self-review
and admin bypass. Values that are the same in every environment of the repository are
repository variables instead, one resource each rather than one per environment. Reviewer
ids come in resolved (the caller looks each team and user up once per stack).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_github as github


@dataclass(frozen=True)
class DeploymentPolicy:
    """Where an environment may deploy from: the protected branches, or one branch or tag pattern."""

    protected_branches: bool = False
    branch_pattern: str | None = None
    tag_pattern: str | None = None

    def __post_init__(self) -> None:
        if sum((self.protected_branches, self.branch_pattern is not None, self.tag_pattern is not None)) != 1:
            raise ValueError("a deployment policy is exactly one of protected branches, a branch or a tag pattern")


@dataclass(frozen=True)
class Reviewers:
    team_ids: Sequence[pulumi.Input[int]] = ()
    user_ids: Sequence[pulumi.Input[int]] = ()


@dataclass(frozen=True)
class EnvironmentSpec:
    name: str
    policy: DeploymentPolicy
    reviewed: bool = False
    variables: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    secrets: Mapping[str, pulumi.Output[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class RepositoryActionsArgs:
    """The GitHub provider comes through `opts` (`provider=...`)."""

    repository: str
    environments: Sequence[EnvironmentSpec] = ()
    variables: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    secrets: Mapping[str, pulumi.Output[str]] = field(default_factory=dict)
    reviewers: Reviewers = field(default_factory=Reviewers)


class RepositoryActions(pulumi.ComponentResource):
    """The environments, variables and secrets of one repository."""

    def __init__(self, name: str, args: RepositoryActionsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("slipway:github:RepositoryActions", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        repository = args.repository
        for variable, value in sorted(args.variables.items()):
            github.ActionsVariable(
                f"{name}-{variable.lower()}",
                github.ActionsVariableArgs(repository=repository, variable_name=variable, value=value),
                child,
            )
        for secret, value in sorted(args.secrets.items()):
            github.ActionsSecret(
                f"{name}-{secret.lower()}",
                github.ActionsSecretArgs(repository=repository, secret_name=secret, value=pulumi.Output.secret(value)),
                child,
            )
        for spec in args.environments:
            self._environment(name, repository, spec, args.reviewers)
        self.register_outputs({})

    def _environment(self, name: str, repository: str, spec: EnvironmentSpec, reviewers: Reviewers) -> None:
        policy = spec.policy
        environment = github.RepositoryEnvironment(
            f"{name}-{spec.name}",
            github.RepositoryEnvironmentArgs(
                repository=repository,
                environment=spec.name,
                reviewers=[github.RepositoryEnvironmentReviewerArgs(teams=reviewers.team_ids, users=reviewers.user_ids)]
                if spec.reviewed
                else None,
                deployment_branch_policy=github.RepositoryEnvironmentDeploymentBranchPolicyArgs(
                    protected_branches=policy.protected_branches, custom_branch_policies=not policy.protected_branches
                ),
                prevent_self_review=spec.reviewed,
                can_admins_bypass=not spec.reviewed,
            ),
            pulumi.ResourceOptions(parent=self),
        )
        in_environment = pulumi.ResourceOptions(parent=self, depends_on=[environment])
        if not policy.protected_branches:
            github.RepositoryEnvironmentDeploymentPolicy(
                f"{name}-{spec.name}-policy",
                github.RepositoryEnvironmentDeploymentPolicyArgs(
                    repository=repository,
                    environment=spec.name,
                    branch_pattern=policy.branch_pattern,
                    tag_pattern=policy.tag_pattern,
                ),
                in_environment,
            )
        for variable, value in sorted(spec.variables.items()):
            github.ActionsEnvironmentVariable(
                f"{name}-{spec.name}-{variable.lower()}",
                github.ActionsEnvironmentVariableArgs(
                    repository=repository, environment=spec.name, variable_name=variable, value=value
                ),
                in_environment,
            )
        for secret, value in sorted(spec.secrets.items()):
            github.ActionsEnvironmentSecret(
                f"{name}-{spec.name}-{secret.lower()}",
                github.ActionsEnvironmentSecretArgs(
                    repository=repository, environment=spec.name, secret_name=secret, value=pulumi.Output.secret(value)
                ),
                in_environment,
            )
