"""The policy pack program: `pulumi preview --policy-pack policypack` runs it."""

from policies import DEFAULT_LEVELS, policies
from pulumi_policy import PolicyPack

PolicyPack(name="slipway", policies=policies(), initial_config=dict(DEFAULT_LEVELS))
