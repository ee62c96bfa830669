"""Role assignments: role ids only from the vendored built-in role table; names follow (scope, principal, role)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pulumi
import pytest
from conftest import PROJECT_DIR, run_component

from components.cloud import roles
from contracts import azure_roles
from offline.engine import Recording

ASSIGNMENT = "azure-native:authorization:RoleAssignment"
TABLE = json.loads((PROJECT_DIR / "contracts" / "builtin_roles.json").read_text())
BY_ID = {role["id"]: role["roleName"] for role in TABLE["roles"]}
SCOPE = "/subscriptions/sub-1/resourceGroups/rg-x/providers/Microsoft.ContainerRegistry/registries/acr"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_role_definition_id_of_the_stack_is_in_the_table_under_the_name_used(
    recorded: Callable[[str], Recording], stack: str
) -> None:
    found = recorded(stack).of_type(ASSIGNMENT)
    assert found
    for assignment in found:
        inputs = assignment.plain()
        prefix, guid = inputs["roleDefinitionId"].rsplit("/", 1)
        assert re.fullmatch(r"/subscriptions/[^/]+/providers/Microsoft.Authorization/roleDefinitions", prefix)
        assert guid in BY_ID, f"{assignment.name}: {guid} is no built-in role in the table"
        assert inputs["description"].split(": ", 1)[0] == BY_ID[guid], assignment.name


def test_every_role_in_the_table_is_confirmed_by_four_sources() -> None:
    assert {role["confirmations"] for role in TABLE["roles"]} == {4}
    assert all(len(role["sources"]) == 4 for role in TABLE["roles"])


def test_ids_resolve_by_name_from_the_table() -> None:
    assert {name: azure_roles.role_id(name) for name in BY_ID.values()} == {name: id_ for id_, name in BY_ID.items()}


def test_an_unknown_role_name_is_an_error_naming_it_and_the_known_ones() -> None:
    with pytest.raises(
        azure_roles.UnknownRoleError, match=r"unknown built-in role 'AcrPusher'.*AcrPull, AcrPush"
    ) as err:
        azure_roles.role_id("AcrPusher")
    assert "Role Based Access Control Administrator" in str(err.value)


def assignment_of(**overrides: object) -> Recording:
    """One assignment in a fresh program; principal and scope arrive as Outputs, as in the stacks."""
    args: dict[str, object] = {"role": "AcrPush", "principal": "principal-1", "scope": SCOPE}
    args.update(overrides)

    def program() -> None:
        roles.assign_role(
            "grant",
            role=str(args["role"]),
            principal_id=pulumi.Output.from_input(str(args["principal"])),
            scope=pulumi.Output.from_input(str(args["scope"])),
            subscription_id="sub-1",
            opts=pulumi.ResourceOptions(),
            description=args.get("description"),  # type: ignore[arg-type]
            condition=args.get("condition"),  # type: ignore[arg-type]
        )

    return run_component(program)


def name_of(recording: Recording) -> str:
    return str(recording.one(ASSIGNMENT).plain()["roleAssignmentName"])


def test_assignment_name_follows_scope_principal_and_role() -> None:
    first = name_of(assignment_of())
    assert first == roles.assignment_name(SCOPE, "principal-1", azure_roles.role_id("AcrPush"))
    assert name_of(assignment_of()) == first
    others = {
        name_of(assignment_of(principal="principal-2")),
        name_of(assignment_of(scope=SCOPE + "2")),
        name_of(assignment_of(role="AcrPull")),
    }
    assert len(others) == 3 and first not in others
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", first)


def test_description_names_the_role_and_a_condition_carries_its_version() -> None:
    condition = "@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {x}"
    inputs = (
        assignment_of(
            role="Role Based Access Control Administrator", description="deploy may grant AcrPull", condition=condition
        )
        .one(ASSIGNMENT)
        .plain()
    )
    assert inputs["description"] == "Role Based Access Control Administrator: deploy may grant AcrPull"
    assert (inputs["condition"], inputs["conditionVersion"]) == (condition, roles.CONDITION_VERSION)
    plain = assignment_of().one(ASSIGNMENT).plain()
    assert plain["description"] == "AcrPush" and "condition" not in plain and "conditionVersion" not in plain


def test_condition_version_is_the_one_arm_accepts() -> None:
    schema = json.loads((PROJECT_DIR / "offline/reference/arm/2022-04-01/Microsoft.Authorization.json").read_text())
    text = schema["definitions"]["RoleAssignmentProperties"]["properties"]["conditionVersion"]["description"]
    assert re.search(r"the only accepted value is '([^']+)'", text).group(1) == roles.CONDITION_VERSION  # type: ignore[union-attr]
