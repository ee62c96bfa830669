"""Benchmark: what the SDK itself charges for each resource class one more service declares.

The preview's marginal cost per resource is compared with the floor's trivial registrations
(`bench/preview.py`). This prints the price the SDK puts on the classes an added service
really declares, with nothing of Slipway's: N instances of each, with inputs of the same shape,
under Pulumi's plain mocks, in milliseconds of CPU per registration beside a trivial
`CustomResource`. Twice: as the SDK runs under the Pulumi CLI (every alias turned into a URN,
eagerly) and with alias URNs computed on demand, as the recording engine does.

The classes are checked against a real run: prod with one service more must add exactly
these types, or the script stops.

Run: .venv/bin/python bench/classes.py [--count N] [--repeat N]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pulumi
import pulumi_github as github
import yaml
from pulumi_azure_native import authorization, managedidentity

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from floor import under_mocks  # noqa: E402 (bench/, the script's own folder, is on the path)

from offline.engine import alias_urns_on_demand, run_project  # noqa: E402 (after the project is importable)
from offline.stackfile import parse_stack_config  # noqa: E402

TRIVIAL = "floor:index:Trivial"
# One declaration per type, named `name`, with inputs shaped as the program's.
DECLARE: dict[str, Callable[[str], object]] = {
    TRIVIAL: lambda name: pulumi.CustomResource(TRIVIAL, name, {"index": 1}),
    "azure-native:managedidentity:UserAssignedIdentity": lambda name: managedidentity.UserAssignedIdentity(
        name, resource_group_name="rg", resource_name_=name, location="westeurope", tags={"service": name}
    ),
    "azure-native:managedidentity:FederatedIdentityCredential": lambda name: (
        managedidentity.FederatedIdentityCredential(
            name,
            resource_group_name="rg",
            resource_name_="identity",
            federated_identity_credential_resource_name=name,
            issuer="https://token.actions.githubusercontent.com",
            subject=f"repo:acme/{name}:environment:prod",
            audiences=["api://AzureADTokenExchange"],
        )
    ),
    "azure-native:authorization:RoleAssignment": lambda name: authorization.RoleAssignment(
        name,
        role_assignment_name=name,
        role_definition_id="/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/r",
        principal_id="principal",
        principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
        scope="/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr",
    ),
    "github:index/actionsVariable:ActionsVariable": lambda name: github.ActionsVariable(
        name, github.ActionsVariableArgs(repository=name, variable_name="AZURE_CLIENT_ID", value="client")
    ),
    "github:index/repositoryEnvironment:RepositoryEnvironment": lambda name: github.RepositoryEnvironment(
        name,
        github.RepositoryEnvironmentArgs(
            repository=name,
            environment="prod",
            deployment_branch_policy=github.RepositoryEnvironmentDeploymentBranchPolicyArgs(
                protected_branches=False, custom_branch_policies=True
            ),
        ),
    ),
    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": lambda name: (
        github.RepositoryEnvironmentDeploymentPolicy(
            name,
            github.RepositoryEnvironmentDeploymentPolicyArgs(repository=name, environment="prod", tag_pattern="v*"),
        )
    ),
}


def custom_types_added_by_one_service() -> set[str]:
    """The custom resource types prod gains with one more service, from two runs of the program."""
    document = yaml.safe_load((PROJECT_DIR / "Pulumi.prod.yaml").read_text())
    counts = []
    for extra in (0, 1):
        scaled = copy.deepcopy(document)
        services = scaled["config"]["slipway:delivery"]["services"]
        services += [{**services[0], "name": f"bench-{i}", "repository": f"bench-{i}"} for i in range(extra)]
        config = parse_stack_config(scaled, "slipway", "Pulumi.prod.yaml")
        recording = run_project(PROJECT_DIR, stack="prod", config=config.config, secret_keys=config.secret_keys)
        counts.append(Counter(r.type for r in recording.resources if r.custom))
    return set(counts[1] - counts[0])


def milliseconds_each(type_: str, count: int, aliases: Callable[[], contextlib.AbstractContextManager[None]]) -> float:
    """CPU milliseconds per registration of `count` instances of `type_` under plain mocks."""

    def declare() -> None:
        for index in range(count):
            DECLARE[type_](f"r{index}")

    start = time.process_time()
    under_mocks(declare, project="classes", conditions=aliases)
    return (time.process_time() - start) / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="instances per class and mode")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (the median is shown)")
    args = parser.parse_args()
    added = custom_types_added_by_one_service()
    if added != set(DECLARE) - {TRIVIAL}:
        raise SystemExit(f"an added service declares {sorted(added)}, this script {sorted(set(DECLARE) - {TRIVIAL})}")
    print(f"{args.count} registrations per class under plain mocks, CPU ms each (median of {args.repeat})")
    print(f"{'class':<88} {'eager':>6} {'x':>5} {'on demand':>9} {'x':>5}")
    figures = {}
    for type_ in DECLARE:
        milliseconds_each(type_, 20, contextlib.nullcontext)  # loads the class's modules outside the timing
        figures[type_] = [
            statistics.median(milliseconds_each(type_, args.count, mode) for _ in range(args.repeat))
            for mode in (contextlib.nullcontext, alias_urns_on_demand)
        ]
    trivial = figures[TRIVIAL]
    for type_, (eager_ms, on_demand_ms) in figures.items():
        print(
            f"{type_:<88} {eager_ms:>6.2f} {eager_ms / trivial[0]:>5.2f}"
            f" {on_demand_ms:>9.2f} {on_demand_ms / trivial[1]:>5.2f}"
        )


if __name__ == "__main__":
    main()
