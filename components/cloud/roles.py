"""Azure role assignments, least privilege, with built-in role ids looked up in one place.

An assignment's name is a GUID derived from the logical names of what it joins (never
from outputs), so it is the same on every run and a re-run never creates a duplicate.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

import pulumi
from pulumi_azure_native import authorization

_ASSIGNMENT_NAMESPACE = uuid.UUID("0f0c5a1e-8a0e-4c3a-9d61-5b1f3c2e7a90")


class BuiltInRole(StrEnum):
    """Built-in Azure role definition ids (the same GUID in every tenant)."""

    ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
    ACR_PUSH = "8311e382-0749-4cb8-b61a-753f48f9b6f2"
    AKS_RBAC_CLUSTER_ADMIN = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"
    AKS_CLUSTER_USER = "4abbcc35-e782-43d8-92c5-2d3abe8ed0a5"
    NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7"


def role_definition_id(subscription_id: pulumi.Input[str], role: BuiltInRole) -> pulumi.Output[str]:
    return pulumi.Output.concat(
        "/subscriptions/", subscription_id, "/providers/Microsoft.Authorization/roleDefinitions/", role.value
    )


def assignment_name(*logical_names: str) -> str:
    """A stable GUID for the assignment joining these logical names."""
    return str(uuid.uuid5(_ASSIGNMENT_NAMESPACE, "/".join(logical_names)))


def assign_role(
    name: str,
    *,
    role: BuiltInRole,
    principal_id: pulumi.Input[str],
    scope: pulumi.Input[str],
    subscription_id: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> authorization.RoleAssignment:
    """Grant `role` on `scope` to a service principal or managed identity."""
    return authorization.RoleAssignment(
        name,
        authorization.RoleAssignmentArgs(
            role_assignment_name=assignment_name(name, role.name),
            role_definition_id=role_definition_id(subscription_id, role),
            principal_id=principal_id,
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            scope=scope,
        ),
        opts,
    )
