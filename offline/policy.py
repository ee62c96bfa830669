"""Runs a policy pack's resource policies against a recording, as `pulumi preview --policy-pack` would.

The pack's `policies.py` is loaded from its folder; each policy's `validate` sees every
registered resource with its inputs (secrets marked as `pulumi_policy.Secret`, which the
recording engine can do and the CLI does not), protect flag and parent. Enforcement levels
are the pack's defaults, overridden by a config mapping (policy name -> level).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    Secret,
    StackValidationArgs,
    StackValidationPolicy,
)

from offline.engine import RecordedResource, Recording, is_secret


@dataclass(frozen=True)
class Violation:
    policy: str
    level: str
    urn: str
    message: str


class MarkedSecretsArgs(ResourceValidationArgs):
    """Validation args whose secret inputs are marked (`pulumi_policy.Secret`)."""

    secrets_marked = True


@dataclass(frozen=True)
class _Reporter:
    """The `report_violation` callback a policy gets for one resource."""

    policy: str
    level: str
    urn: str
    sink: list[Violation]

    def __call__(self, message: str, urn: str | None = None) -> None:
        self.sink.append(Violation(self.policy, self.level, urn or self.urn, message))


def load_pack(folder: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("slipway_policy_pack", folder / "policies.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"no policies.py in {folder}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as an import would: dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _marked(value: Any) -> Any:
    if is_secret(value):
        return Secret(_marked(value["value"]))
    if isinstance(value, dict):
        return {key: _marked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_marked(item) for item in value]
    return value


def _args(resource: RecordedResource) -> ResourceValidationArgs:
    options = PolicyResourceOptions(
        protect=resource.protect,
        ignore_changes=list(resource.ignore_changes),
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=resource.parent or None,
    )
    return MarkedSecretsArgs(resource.type, _marked(resource.inputs), resource.urn, resource.name, options, None)


def _stack_urn(recording: Recording) -> str:
    return (
        f"urn:pulumi:{recording.stack}::{recording.project}::pulumi:pulumi:Stack::{recording.project}-{recording.stack}"
    )


def _stack_args(recording: Recording) -> StackValidationArgs:
    """The whole stack, as a stack policy sees it after `pulumi up`: each resource's inputs and outputs."""
    resources = [
        PolicyResource(
            resource_type=r.type,
            props=_marked({**r.outputs, **r.inputs}),
            urn=r.urn,
            name=r.name,
            opts=_args(r).opts,
            provider=None,
            parent=None,
            dependencies=[],
            property_dependencies={},
        )
        for r in recording.resources
        if r.custom
    ]
    return StackValidationArgs(resources)


def run_policies(recording: Recording, pack: ModuleType, levels: Mapping[str, str] | None = None) -> list[Violation]:
    """Every violation of every enabled policy, with its enforcement level."""
    effective = {name: level.value for name, level in pack.DEFAULT_LEVELS.items()}
    for name, level in (levels or {}).items():
        if name not in effective:
            raise KeyError(f"no policy named {name!r} in the pack (policies: {', '.join(effective)})")
        effective[name] = EnforcementLevel(level).value
    violations: list[Violation] = []
    for policy in pack.policies():
        level = effective[policy.name]
        if level == EnforcementLevel.DISABLED.value:
            continue
        if isinstance(policy, StackValidationPolicy):
            policy.validate(_stack_args(recording), _Reporter(policy.name, level, _stack_urn(recording), violations))
            continue
        for resource in recording.resources:
            if resource.custom:
                policy.validate(_args(resource), _Reporter(policy.name, level, resource.urn, violations))
    return violations
