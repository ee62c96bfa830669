"""Azure role assignments, by built-in role NAME (ids from `contracts.azure_roles`, the vendored table).

An assignment's name follows ARM's `guid(scope, principal, role)`: a replaced principal, another scope
or another role gives another assignment, and a second deployment never collides with the first.
"""

from __future__ import annotations

import json
import uuid

import pulumi
import pulumiverse_time as time
from pulumi_azure_native import authorization

from contracts.azure_roles import role_id

_ASSIGNMENT_NAMESPACE = uuid.UUID("0f0c5a1e-8a0e-4c3a-9d61-5b1f3c2e7a90")  # namespace of Slipway's assignment names
# The vendored ARM schema of Microsoft.Authorization 2022-04-01 on conditionVersion: "Currently the only
# accepted value is '2.0'".
CONDITION_VERSION = "2.0"
# AKS: a new Azure RBAC for Kubernetes role assignment can take up to this long to reach the cluster's
# authorization server (offline/reference/azure-docs/aks-manage-azure-rbac.txt).
RBAC_PROPAGATION_MINUTES = 5


def role_definition_id(subscription_id: pulumi.Input[str], role: str) -> pulumi.Output[str]:
    return pulumi.Output.concat(
        "/subscriptions/", subscription_id, "/providers/Microsoft.Authorization/roleDefinitions/", role_id(role)
    )


def assignment_name(scope: str, principal_id: str, role_definition_guid: str) -> str:
    """ARM's `guid(scope, principal, role)` semantics: one stable GUID per (scope, principal, role)."""
    return str(uuid.uuid5(_ASSIGNMENT_NAMESPACE, json.dumps([scope, principal_id, role_definition_guid])))


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
    condition_version: str | None = None,
) -> authorization.RoleAssignment:
    """Grant the built-in role named `role` on `scope` to a service principal or managed identity.

    The assignment's description starts with the role name, so the portal and the preview say which
    role an id stands for. `condition` constrains the assignment (ABAC), for example which roles a
    Role Based Access Control Administrator may hand out.
    """
    guid = role_id(role)
    if condition_version is not None and condition is None:
        raise ValueError(f"role assignment {name!r}: condition_version without a condition")
    return authorization.RoleAssignment(
        name,
        authorization.RoleAssignmentArgs(
            role_assignment_name=pulumi.Output.all(scope, principal_id).apply(
                lambda joined: assignment_name(str(joined[0]), str(joined[1]), guid)
            ),
            role_definition_id=role_definition_id(subscription_id, role),
            principal_id=principal_id,
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            scope=scope,
            description=f"{role}: {description}" if description else role,
            condition=condition,
            condition_version=(condition_version or CONDITION_VERSION) if condition is not None else None,
        ),
        opts,
    )


def propagated(name: str, grant: authorization.RoleAssignment) -> time.Sleep:
    """A wait that ends once `grant` has had AKS's documented time to take effect in the cluster.

    Whatever calls the cluster with the grant's rights depends on this wait. It runs when the
    assignment is created (or replaced), never on later runs, so a steady `up` does not pay it.
    """
    return time.Sleep(
        name,
        time.SleepArgs(create_duration=f"{RBAC_PROPAGATION_MINUTES}m", triggers={"assignment": grant.id}),
        pulumi.ResourceOptions(depends_on=[grant]),
    )
