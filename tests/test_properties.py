"""Property tests: any settings the models accept yield a valid preview.

Settings are generated around the dev stack (services, teams, environments, pools,
registry options); those `load_settings` rejects are skipped, since rejection is what the
settings tests check. For the rest, the program runs and every Argo custom resource,
every generated Application and every name must be valid.
"""

from __future__ import annotations

import re
from typing import Any

from conftest import run_stack_document, slipway, stack_document
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from schema_check import custom_resource_errors

from offline.applications import applications
from offline.stackfile import parse_stack_config
from settings import SettingsError, load_settings, sections_from_config

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
labels = st.from_regex(r"[a-z][a-z0-9]{0,5}(-[a-z0-9]{1,5})?", fullmatch=True)
long_labels = st.from_regex(r"[a-z][a-z0-9-]{0,58}[a-z0-9]", fullmatch=True)
environments = st.lists(st.sampled_from(["dev", "staging", "qa", "perf"]), min_size=1, max_size=3, unique=True)


@st.composite
def stack_documents(draw: st.DrawFn) -> dict[str, Any]:
    document = stack_document("dev")
    envs = draw(environments)
    for role in ("hub", "gpu"):
        slipway(document, "clusters")[role]["environments"] = envs
    pool = slipway(document, "clusters")["gpu"]["gpuPools"][0]
    pool["maxCount"] = draw(st.integers(1, 8))
    pool["spot"] = draw(st.booleans())
    pool["name"] = draw(st.from_regex(r"[a-z][a-z0-9]{0,11}", fullmatch=True))
    slipway(document, "azure")["namePrefix"] = draw(st.from_regex(r"[a-z][a-z0-9]{1,7}", fullmatch=True))
    if draw(st.booleans()):
        slipway(document, "registries")["acr"] = {
            "sku": "Premium",
            "geoReplicas": ["northeurope"],
            "zoneRedundant": True,
        }
    delivery = slipway(document, "delivery")
    delivery["environments"] = envs
    delivery["projects"] = draw(st.sampled_from(["shared", "perTeam"]))
    slipway(document, "platform")["argocd"]["rbac"].pop("teams")  # the teams drawn below are others
    names = draw(st.lists(st.one_of(labels, long_labels), min_size=1, max_size=6, unique=True))
    delivery["services"] = [
        {"name": name, "team": draw(labels), "gpu": draw(st.booleans()), "autoscaling": draw(st.booleans())}
        for name in names
    ]
    return document


def accepted(document: dict[str, Any]) -> bool:
    try:
        load_settings(sections_from_config(parse_stack_config(document, "slipway", "dev").config), "dev")
    except SettingsError:
        return False
    return True


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stack_documents())
def test_accepted_settings_yield_a_valid_preview(document: dict[str, Any]) -> None:
    assume(accepted(document))
    recording = run_stack_document("dev", document)
    for resource in recording.resources:
        inputs = resource.plain()
        if resource.type.startswith("kubernetes:argoproj.io/"):
            document_ = {k: v for k, v in inputs.items() if k in ("apiVersion", "kind", "metadata", "spec")}
            assert custom_resource_errors(document_) == [], resource.name
        if resource.type.startswith("kubernetes:") and "metadata" in inputs:
            assert DNS_SUBDOMAIN.match(inputs["metadata"]["name"]) and len(inputs["metadata"]["name"]) <= 253
        if resource.type == "azure-native:containerregistry:Registry":
            assert re.fullmatch(r"[a-zA-Z0-9]{5,50}", inputs["registryName"])
        if resource.type == "azure-native:containerservice:AgentPool":
            assert re.fullmatch(r"[a-z][a-z0-9]{0,11}", inputs["agentPoolName"])
        if resource.type == "azure-native:managedidentity:FederatedIdentityCredential":
            assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{2,119}", inputs["federatedIdentityCredentialResourceName"])
    for app in applications(recording):
        assert custom_resource_errors(app) == [], app["metadata"]["name"]
        assert DNS_SUBDOMAIN.match(app["metadata"]["name"])
        assert (
            DNS_LABEL.match(app["spec"]["destination"]["namespace"])
            and len(app["spec"]["destination"]["namespace"]) <= 63
        )
