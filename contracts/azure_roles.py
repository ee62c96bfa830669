"""Azure built-in roles by NAME, with ids only from the vendored role table.

Role definition ids are GUIDs nobody can check by eye (a wrong one fails `pulumi up` with
RoleDefinitionDoesNotExist), so the program names roles as Azure does ("AcrPush", "Reader") and
resolves the id from `builtin_roles.json` (see `builtin_roles.SOURCE.md`); an unknown name is an error.
Settings check role names with it; components assign roles with it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

ROLE_TABLE = Path(__file__).resolve().with_name("builtin_roles.json")


class UnknownRoleError(ValueError):
    """A role name the vendored table does not hold."""


@cache
def builtin_roles() -> dict[str, str]:
    """Role name -> role definition GUID, from the vendored table."""
    table = json.loads(ROLE_TABLE.read_text())
    return {role["roleName"]: role["id"] for role in table["roles"]}


def role_id(role: str) -> str:
    """The role definition GUID of the built-in role named `role`."""
    roles = builtin_roles()
    if role not in roles:
        known = ", ".join(sorted(roles))
        raise UnknownRoleError(f"unknown built-in role {role!r}: the role table knows {known}")
    return roles[role]
