"""GitHub Actions environments of one repository, with what CI needs from the stack.

Each environment gets its variables (client and tenant ids, registries, the GitOps
repository, the Sealed Secrets certificate for `kubeseal --cert`, ...) and, only where a
secret really exists, its secrets, always from Pulumi secrets. A protected environment
(production) requires reviewers (team and user ids, resolved from slugs and logins) and
deploys only from protected branches, or from tags matching a pattern.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_github as github


@dataclass(frozen=True)
class EnvironmentSpec:
    name: str
    protected: bool
    variables: Mapping[str, pulumi.Input[str]]
    secrets: Mapping[str, pulumi.Output[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class ActionsEnvironmentsArgs:
    """The GitHub provider comes through `opts` (`provider=...`)."""

    repository: str
    environments: Sequence[EnvironmentSpec]
    reviewer_teams: Sequence[str] = ()
    reviewer_users: Sequence[str] = ()
    tag_pattern: str | None = None


class ActionsEnvironments(pulumi.ComponentResource):
    """The environments, variables and secrets of one repository."""

    def __init__(self, name: str, args: ActionsEnvironmentsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("slipway:github:ActionsEnvironments", name, None, opts)
        invoke = pulumi.InvokeOptions(parent=self)
        team_ids = [github.get_team_output(slug=slug, opts=invoke).id.apply(int) for slug in args.reviewer_teams]
        user_ids = [github.get_user_output(username=login, opts=invoke).id.apply(int) for login in args.reviewer_users]
        child = pulumi.ResourceOptions(parent=self)
        for spec in args.environments:
            reviewers = None
            branch_policy = None
            if spec.protected:
                reviewers = [github.RepositoryEnvironmentReviewerArgs(teams=team_ids, users=user_ids)]
                branch_policy = github.RepositoryEnvironmentDeploymentBranchPolicyArgs(
                    protected_branches=args.tag_pattern is None, custom_branch_policies=args.tag_pattern is not None
                )
            environment = github.RepositoryEnvironment(
                f"{name}-{spec.name}",
                github.RepositoryEnvironmentArgs(
                    repository=args.repository,
                    environment=spec.name,
                    reviewers=reviewers,
                    deployment_branch_policy=branch_policy,
                    prevent_self_review=spec.protected,
                    can_admins_bypass=not spec.protected,
                ),
                child,
            )
            in_environment = pulumi.ResourceOptions(parent=self, depends_on=[environment])
            if spec.protected and args.tag_pattern is not None:
                github.RepositoryEnvironmentDeploymentPolicy(
                    f"{name}-{spec.name}-tags",
                    github.RepositoryEnvironmentDeploymentPolicyArgs(
                        repository=args.repository, environment=spec.name, tag_pattern=args.tag_pattern
                    ),
                    in_environment,
                )
            for variable, value in sorted(spec.variables.items()):
                github.ActionsEnvironmentVariable(
                    f"{name}-{spec.name}-{variable.lower()}",
                    github.ActionsEnvironmentVariableArgs(
                        repository=args.repository, environment=spec.name, variable_name=variable, value=value
                    ),
                    in_environment,
                )
            for secret, value in sorted(spec.secrets.items()):
                github.ActionsEnvironmentSecret(
                    f"{name}-{spec.name}-{secret.lower()}",
                    github.ActionsEnvironmentSecretArgs(
                        repository=args.repository,
                        environment=spec.name,
                        secret_name=secret,
                        value=pulumi.Output.secret(value),
                    ),
                    in_environment,
                )
        self.register_outputs({})
