"""Roles by NAME for the wiring: the one adapter between the wiring and `components/cloud/roles.py`.

The wiring names every role as Azure does ("AcrPush", "Reader") and takes role definition ids only
from the vendored table `components/cloud/builtin_roles.json` (see `builtin_roles.SOURCE.md`).
Branch h-arm gives `components/cloud/roles.py` exactly this interface (`role_id`, and `assign_role`
with `role=` a name, `description`, `condition`, and assignment names from (scope, principal, role));
until it is merged, this module provides it. At merge, its whole body becomes:

    from components.cloud.roles import assign_role, role_id
"""

from __future__ import annotations

import json
import uuid
from functools import cache
from pathlib import Path

import pulumi
from pulumi_azure_native import authorization

ROLE_TABLE = Path(__file__).resolve().parent.parent / "components" / "cloud" / "builtin_roles.json"
_ASSIGNMENT_NAMESPACE = uuid.UUID("0f0c5a1e-8a0e-4c3a-9d61-5b1f3c2e7a90")
# The vendored ARM schema of Microsoft.Authorization 2022-04-01 (branch h-arm): "Currently the only
# accepted value is '2.0'".
CONDITION_VERSION = "2.0"


@cache
def _roles() -> dict[str, str]:
    return {role["roleName"]: role["id"] for role in json.loads(ROLE_TABLE.read_text())["roles"]}


def role_id(role: str) -> str:
    """The role definition GUID of the built-in role named `role`, or ValueError naming the known roles."""
    roles = _roles()
    if role not in roles:
        raise ValueError(f"unknown built-in role {role!r}: the role table knows {', '.join(sorted(roles))}")
    return roles[role]


def assign_role(
    name: str,
    *,
    role: str,
    principal_id: pulumi.Input[str],
    scope: pulumi.Input[str],
    subscription_id: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
    description: str | None = None,
    condition: pulumi.Input[str] | None = None,
) -> authorization.RoleAssignment:
    """Grant the built-in role named `role` on `scope` to a service principal or managed identity."""
    guid = role_id(role)
    return authorization.RoleAssignment(
        name,
        authorization.RoleAssignmentArgs(
            role_assignment_name=pulumi.Output.all(scope, principal_id).apply(
                lambda joined: str(
                    uuid.uuid5(_ASSIGNMENT_NAMESPACE, json.dumps([str(joined[0]), str(joined[1]), guid]))
                )
            ),
            role_definition_id=pulumi.Output.concat(
                "/subscriptions/", subscription_id, "/providers/Microsoft.Authorization/roleDefinitions/", guid
            ),
            principal_id=principal_id,
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            scope=scope,
            description=f"{role}: {description}" if description else role,
            condition=condition,
            condition_version=CONDITION_VERSION if condition is not None else None,
        ),
        opts,
    )
