"""Settings: good stacks load; every kind of bad value is rejected with its key path."""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pytest
from conftest import STACKS, slipway, stack_document

from offline.engine import run
from offline.stackfile import parse_stack_config
from settings import Settings, SettingsError, load_settings, secret_output, sections_from_config


def sections(document: dict[str, Any]) -> dict[str, Any]:
    return sections_from_config(parse_stack_config(document, "slipway", "test").config)


def problems_of(document: dict[str, Any], stack: str = "dev") -> list[str]:
    with pytest.raises(SettingsError) as caught:
        load_settings(sections(document), stack)
    return caught.value.problems


@pytest.mark.parametrize("stack", STACKS)
def test_repo_stacks_load(stack: str) -> None:
    settings = load_settings(sections(stack_document(stack)), stack)
    assert isinstance(settings, Settings)


def test_dev_and_prod_differ_where_a_platform_team_would() -> None:
    dev = load_settings(sections(stack_document("dev")), "dev")
    prod = load_settings(sections(stack_document("prod")), "prod")
    assert (dev.azure.protect, prod.azure.protect) == (False, True)
    assert (dev.registries.acr.sku.value, prod.registries.acr.sku.value) == ("Standard", "Premium")
    assert dev.clusters is not None and prod.clusters is not None
    assert (dev.clusters.hub.tier.value, prod.clusters.hub.tier.value) == ("Free", "Standard")
    assert not dev.clusters.hub.availability_zones and prod.clusters.hub.availability_zones == ["1", "2", "3"]
    assert prod.clusters.hub.system_pool.min_count >= 3 > dev.clusters.hub.system_pool.min_count


def test_local_stack_has_no_cloud_and_a_kube_context() -> None:
    local = load_settings(sections(stack_document("local")), "local")
    assert not local.azure.enabled and local.platform.kube_context == "kind-slipway"


@pytest.mark.parametrize(
    ("section", "path", "value", "expected"),
    [
        # wrong types
        ("azure", ["protect"], "maybe", r"slipway:azure\.protect: got 'maybe', expected a boolean"),
        (
            "clusters",
            ["hub", "systemPool", "minCount"],
            "three",
            r"slipway:clusters\.hub\.systemPool\.minCount: got 'three'",
        ),
        ("delivery", ["services"], "payments-api", r"slipway:delivery\.services: got 'payments-api', expected a list"),
        # bad names
        ("azure", ["location"], "West Europe", r"slipway:azure\.location: got 'West Europe', expected an Azure region"),
        (
            "registries",
            ["acr", "name"],
            "my-registry",
            r"slipway:registries\.acr\.name: got 'my-registry', expected a registry name",
        ),
        ("registries", ["ghcr", "owner"], "-acme", r"slipway:registries\.ghcr\.owner: got '-acme', expected a GitHub"),
        (
            "clusters",
            ["hub", "kubernetesVersion"],
            "latest",
            r"slipway:clusters\.hub\.kubernetesVersion: got 'latest', expected a Kubernetes version, major.minor",
        ),
        (
            "clusters",
            ["gpu", "gpuPools", 0, "name"],
            "GPU-pool",
            r"slipway:clusters\.gpu\.gpuPools\[0\]\.name: got 'GPU-pool', expected an AKS pool name",
        ),
        (
            "clusters",
            ["hub", "adminGroupObjectIds", 0],
            "platform-admins",
            r"adminGroupObjectIds\[0\]: got 'platform-admins', expected an object id",
        ),
        (
            "clusters",
            ["hub", "authorizedIpRanges"],
            ["10.0.0.1/8"],
            r"authorizedIpRanges\[0\]: an IP range in CIDR form",
        ),
        (
            "identity",
            ["repository"],
            "slipway",
            r"slipway:identity\.repository: got 'slipway', expected a GitHub repository",
        ),
        (
            "delivery",
            ["services", 0, "name"],
            "Payments_API",
            r"slipway:delivery\.services\[0\]\.name: got 'Payments_API', expected a DNS-1123 label",
        ),
        (
            "delivery",
            ["environments", 0],
            "x" * 64,
            r"slipway:delivery\.environments\[0\]: got 'x{64}', expected a string of at most 63",
        ),
        # enums
        (
            "registries",
            ["acr", "sku"],
            "Gold",
            r"slipway:registries\.acr\.sku: got 'Gold', expected 'Basic', 'Standard' or 'Premium'",
        ),
        ("clusters", ["hub", "networkPolicy"], "none", r"slipway:clusters\.hub\.networkPolicy: got 'none'"),
    ],
)
def test_bad_value_names_key_value_and_expectation(section: str, path: list[Any], value: Any, expected: str) -> None:
    document = stack_document("dev")
    target: Any = slipway(document, section)
    for part in path[:-1]:
        target = target.setdefault(part, {}) if isinstance(part, str) else target[part]
    target[path[-1]] = value
    problems = problems_of(document)
    assert any(re.search(expected, p) for p in problems), problems


@pytest.mark.parametrize(
    ("section", "path", "key"),
    [
        ("azure", [], "locaton"),
        ("registries", ["acr"], "adminUser"),
        ("registries", ["ghcr"], "token"),
        ("identity", [], "branches"),
        ("clusters", ["hub"], "kubernetes_version"),
        ("clusters", ["hub", "systemPool"], "count"),
        ("clusters", ["gpu", "gpuPools", 0], "taint"),
        ("platform", ["argocd", "notifications"], "slack"),
        ("delivery", ["services", 0], "replicas"),
        ("github", ["reviewers"], "groups"),
    ],
)
def test_unknown_key_at_every_level_is_rejected(section: str, path: list[Any], key: str) -> None:
    document = stack_document("dev")
    target: Any = slipway(document, section)
    for part in path:
        target = target.setdefault(part, {}) if isinstance(part, str) else target[part]
    target[key] = "x"
    dotted = ".".join(f"[{p}]" if isinstance(p, int) else p for p in [*path, key]).replace(".[", "[")
    assert f"slipway:{section}.{dotted}: unknown key" in "\n".join(problems_of(document))


def test_unknown_section_is_rejected() -> None:
    document = stack_document("dev")
    document["config"]["slipway:registry"] = {"acr": {}}
    assert any(p.startswith("slipway:registry: unknown config section") for p in problems_of(document))


@pytest.mark.parametrize(
    ("section", "path", "expected"),
    [
        ("clusters", ["hub", "kubernetesVersion"], "slipway:clusters.hub.kubernetesVersion: required key is missing"),
        ("registries", ["ghcr", "owner"], "slipway:registries.ghcr.owner: required key is missing"),
        ("identity", ["repository"], "slipway:identity.repository: required key is missing"),
        (
            "clusters",
            ["gpu", "gpuPools", 0, "maxCount"],
            "slipway:clusters.gpu.gpuPools[0].maxCount: required key is missing",
        ),
    ],
)
def test_missing_required_key(section: str, path: list[Any], expected: str) -> None:
    document = stack_document("dev")
    target: Any = slipway(document, section)
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    assert expected in problems_of(document)


def test_missing_sections_the_cloud_layer_needs() -> None:
    document = stack_document("dev")
    del document["config"]["slipway:clusters"], document["config"]["slipway:identity"]
    problems = problems_of(document)
    assert "slipway:clusters: required when the cloud layer is on (azure.enabled)" in problems
    assert "slipway:identity: required when the cloud layer is on (azure.enabled)" in problems


def test_duplicate_and_empty_names() -> None:
    document = stack_document("dev")
    slipway(document, "delivery")["services"].append({"name": "payments-api"})
    assert any("service names must be unique, 'payments-api' appears twice" in p for p in problems_of(document))
    document = stack_document("dev")
    slipway(document, "delivery")["services"][0]["name"] = ""
    assert any(p.startswith("slipway:delivery.services[0].name: got ''") for p in problems_of(document))


def test_gpu_pool_min_above_max() -> None:
    document = stack_document("dev")
    pool = slipway(document, "clusters")["gpu"]["gpuPools"][0]
    pool.update(minCount=3, maxCount=2)
    assert any(
        p.startswith("slipway:clusters.gpu.gpuPools[0]:") and "minCount 3 is greater than maxCount 2" in p
        for p in problems_of(document)
    )


def test_environment_that_no_cluster_serves() -> None:
    document = stack_document("dev")
    slipway(document, "delivery")["environments"] = ["dev", "staging", "qa"]
    assert any(
        p.startswith("slipway:delivery.environments[2]: got 'qa', expected an environment")
        for p in problems_of(document)
    )


def test_service_delivered_to_unknown_environment() -> None:
    document = stack_document("dev")
    slipway(document, "delivery")["services"][0]["environments"] = ["prod"]
    assert any("service 'payments-api' is delivered to ['prod']" in p for p in problems_of(document))


def test_gpu_service_without_gpu_cluster() -> None:
    document = stack_document("dev")
    slipway(document, "clusters")["gpu"]["enabled"] = False
    assert any(
        p.startswith("slipway:delivery.services[2].gpu: service 'inference' needs GPUs") for p in problems_of(document)
    )


def test_prod_stack_without_protection() -> None:
    document = stack_document("prod")
    slipway(document, "azure")["protect"] = False
    assert "slipway:azure.protect: got false on production stack 'prod', expected true" in problems_of(document, "prod")
    # the same file on a stack that is not production is fine
    load_settings(sections(document), "staging-platform")


def test_premium_only_registry_features_need_premium() -> None:
    document = stack_document("prod")
    slipway(document, "registries")["acr"]["sku"] = "Standard"
    assert any(
        p.startswith("slipway:registries.acr:")
        and "zoneRedundant, geoReplicas, untaggedRetentionDays, access privateEndpoint" in p
        for p in problems_of(document, "prod")
    )


def test_derived_registry_name_that_azure_would_reject() -> None:
    document = stack_document("dev")
    slipway(document, "azure")["namePrefix"] = "platformteam"
    problems = problems_of(document, "a-very-long-stack-name-for-a-feature-branch-x")
    assert any(p.startswith("slipway:registries.acr.name: the name derived") for p in problems)


def test_client_secret_needs_application_mode() -> None:
    document = stack_document("dev")
    slipway(document, "identity")["credential"] = "clientSecret"
    assert any("credential clientSecret needs mode application" in p for p in problems_of(document))


def test_every_problem_is_reported_at_once() -> None:
    document = stack_document("dev")
    slipway(document, "azure")["location"] = "Mars"
    slipway(document, "registries")["acr"]["sku"] = "Gold"
    slipway(document, "delivery")["services"][1]["name"] = "Web"
    assert len(problems_of(document)) == 3


def test_secret_setting_never_shows_in_repr_or_errors() -> None:
    document = stack_document("dev")
    slipway(document, "registries")["ghcr"]["pullToken"] = "ghp_supersecretvalue"
    settings = load_settings(sections(document), "dev")
    assert "ghp_supersecretvalue" not in repr(settings)
    slipway(document, "registries")["ghcr"]["pullTokn"] = "ghp_supersecretvalue"
    slipway(document, "platform")["argocd"] = {"notifications": {"slackToken": 12345}}
    problems = "\n".join(problems_of(document))
    assert "ghp_supersecretvalue" not in problems and "12345" not in problems


def test_a_secret_setting_reaches_resources_only_as_a_pulumi_secret() -> None:
    document = stack_document("dev")
    slipway(document, "registries")["ghcr"]["pullToken"] = "ghp_plain_in_file"
    ghcr = load_settings(sections(document), "dev").registries.ghcr
    assert ghcr is not None and ghcr.pull_token is not None
    assert str(ghcr.pull_token) == "**********"
    outputs = run(lambda: pulumi.export("token", secret_output(ghcr.pull_token))).outputs  # type: ignore[arg-type]
    assert outputs["token"].secret and outputs["token"].value == "ghp_plain_in_file"


def with_environments(count: int) -> dict[str, Any]:
    """The prod stack delivering every service to `count` environments, all served by the clusters."""
    document = stack_document("prod")
    environments = [f"env{i}" for i in range(count)]
    slipway(document, "delivery").update(environments=environments, productionEnvironments=["env0"])
    for cluster in ("hub", "gpu"):
        slipway(document, "clusters")[cluster]["environments"] = environments
    return document


def test_too_many_federated_credentials_for_one_identity() -> None:
    """Azure's cap of 20 per identity: a delivery identity trusts one subject per environment."""
    assert load_settings(sections(with_environments(20)), "prod")
    problems = problems_of(with_environments(21), "prod")
    capped = [p for p in problems if "federated credentials" in p]
    assert len(capped) == 3, problems  # one per service repository
    assert capped[0] == (
        "slipway:delivery.environments: the delivery identity of repository 'payments-api' would need 21 "
        "federated credentials (one per environment), expected at most 20, Azure's limit per identity: deliver "
        "it to fewer environments"
    )
    # with a client secret there are no federated credentials to count
    document = with_environments(21)
    slipway(document, "identity").update(mode="application", credential="clientSecret")
    assert load_settings(sections(document), "prod")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("Contributer", "slipway:identity.deployRoles[0]: got 'Contributer', expected a built-in role name"),
        ("Owner", "slipway:identity.deployRoles[0]: got 'Owner', expected a role that cannot grant roles"),
        (
            "User Access Administrator",
            "slipway:identity.deployRoles[0]: got 'User Access Administrator', expected a role that cannot grant roles",
        ),
    ],
)
def test_deploy_roles_are_known_built_in_roles_that_cannot_grant_roles(role: str, expected: str) -> None:
    document = stack_document("prod")
    slipway(document, "identity")["deployRoles"] = [role]
    assert any(p.startswith(expected) for p in problems_of(document, "prod")), problems_of(document, "prod")
    slipway(document, "identity")["deployRoles"] = ["Azure Kubernetes Service Contributor Role"]
    assert load_settings(sections(document), "prod")


def test_identity_repository_is_the_one_the_github_layer_wires() -> None:
    document = stack_document("prod")
    slipway(document, "identity")["repository"] = "acme-platform/slipway-fork"
    assert (
        "slipway:identity.repository: got 'acme-platform/slipway-fork', expected 'acme-platform/slipway' "
        "(github.owner/github.platformRepository), the repository whose environments the GitHub layer wires"
    ) in problems_of(document, "prod")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"authorizedIpRanges": ["192.0.2.0/24"]}, "authorizedIpRanges: only with apiServer allowListed"),
        ({"userPool": {"minCount": 4, "maxCount": 2}}, "minCount 4 is greater than maxCount 2"),
        ({"gpuPools": [{"name": "t4", "vmSize": "Standard_NC4as_T4_v3", "maxCount": 1}]}, "hub.gpuPools"),
    ],
)
def test_cluster_rules(change: dict[str, Any], expected: str) -> None:
    document = stack_document("dev")
    slipway(document, "clusters")["hub"].update(change)
    assert any(expected in p for p in problems_of(document))


def test_enabled_gpu_cluster_needs_a_gpu_pool() -> None:
    document = stack_document("dev")
    slipway(document, "clusters")["gpu"]["gpuPools"] = []
    assert any("an enabled gpu cluster needs at least one GPU pool" in p for p in problems_of(document))


def test_registry_needs_the_cloud_layer() -> None:
    document = stack_document("local")
    slipway(document, "registries")["acr"] = {"enabled": True}
    assert "slipway:registries.acr.enabled: got true without the cloud layer, expected false" in problems_of(
        document, "local"
    )


def test_prod_stack_without_reviewers() -> None:
    document = stack_document("prod")
    slipway(document, "github")["reviewers"] = {}
    assert any(
        p.startswith("slipway:github.reviewers: got none on production stack 'prod'")
        for p in problems_of(document, "prod")
    )


def test_service_namespace_longer_than_kubernetes_allows() -> None:
    document = stack_document("dev")
    slipway(document, "delivery")["services"][0]["name"] = "a" * 53
    slipway(document, "delivery")["environments"] = ["dev", "staging-eu-west"]
    assert any("longer than Kubernetes' 63 characters" in p for p in problems_of(document))
