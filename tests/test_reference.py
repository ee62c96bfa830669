"""The external facts in `settings/reference/` (SOURCE.md): what the code reads from each copy, and the
explicit override that lets a value the stale lists do not hold through, with a warning."""

from __future__ import annotations

import copy
import ipaddress
import json
from typing import Any

import pytest
import yaml
from conftest import PROJECT_DIR

from settings import SettingsError, load_settings, unlisted_warnings
from settings import reference as ref

REFERENCE = PROJECT_DIR / "settings" / "reference"
CASE = PROJECT_DIR / "tests" / "hostile" / "teams-named-like-argocd-projects.yaml"


def sections(mutate: Any = None) -> dict[str, Any]:
    """The `slipway:*` sections of a stack file that validates, optionally changed."""
    document = yaml.safe_load(CASE.read_text())
    raw = {key.removeprefix("slipway:"): value for key, value in document["config"].items()}
    raw = copy.deepcopy(raw)
    if mutate is not None:
        mutate(raw)
    return raw


def test_every_copy_is_described_in_source() -> None:
    source = (REFERENCE / "SOURCE.md").read_text()
    for path in REFERENCE.iterdir():
        if path.name != "SOURCE.md":
            assert f"`{path.name}`" in source, path.name


def test_regions_are_the_programmatic_names_of_the_copy() -> None:
    names = ref.azure_regions()
    assert {"westeurope", "northeurope", "eastus2", "swedencentral"} <= names
    assert all(name.isalnum() and name == name.lower() for name in names)
    assert len(names) == len((REFERENCE / "azure-regions.txt").read_text().split())


def test_kubernetes_minors_are_the_calendar_rows() -> None:
    rows = [line for line in (REFERENCE / "aks-kubernetes-versions.md").read_text().splitlines() if line[2:4] == "1."]
    assert set(ref.aks_kubernetes_minors()) == {row.split("|")[1].strip() for row in rows}
    assert "1.33" in ref.aks_kubernetes_minors() and "1.12" not in ref.aks_kubernetes_minors()


def test_network_facts_agree_with_the_arm_schema() -> None:
    """The docs' defaults are the ARM schema's (offline/reference/arm, ContainerService 2025-09-01)."""
    schema = json.loads(
        (PROJECT_DIR / "offline/reference/arm/2025-09-01/Microsoft.ContainerService.Aks.json").read_text()
    )
    profile = schema["definitions"]["ContainerServiceNetworkProfile"]["properties"]
    assert str(ref.aks_default_service_cidr()) == profile["serviceCidr"]["oneOf"][0]["default"]
    assert str(ref.aks_default_pod_cidr()) == profile["podCidr"]["oneOf"][0]["default"]
    assert ipaddress.ip_network("172.31.0.0/16") in ref.aks_reserved_ranges()
    assert ref.instance_metadata_address().is_link_local


def test_rules_read_from_the_copies() -> None:
    assert ref.aks_gpu_series() == ("NC", "ND", "NV")
    assert ref.log_analytics_retention() == (4, 730)
    assert ref.github_reserved_prefix() == "GITHUB_"
    assert ref.argocd_secret_reference_prefix() == "$"
    assert ref.azure_name_length("userAssignedIdentities") == (3, 128)
    assert ref.azure_name_length("resourcegroups") == (1, 90)


def problems(raw: dict[str, Any], stack: str = "dev") -> list[str]:
    with pytest.raises(SettingsError) as caught:
        load_settings(raw, stack)
    return caught.value.problems


@pytest.mark.parametrize(
    ("mutate", "key"),
    [
        (lambda raw: raw["azure"].update(location="marsnorth"), "azure.location"),
        (lambda raw: raw["clusters"]["hub"].update(kubernetesVersion="1.99"), "clusters.hub.kubernetesVersion"),
        (lambda raw: raw["registries"].update(acr={"sku": "Premium", "geoReplicas": ["narnia"]}), "geoReplicas[0]"),
    ],
)
def test_a_value_not_in_the_lists_is_refused(mutate: Any, key: str) -> None:
    (problem,) = problems(sections(lambda raw: (raw.setdefault("registries", {}), mutate(raw))))
    assert key in problem and "azure.acceptUnlisted" in problem


def test_accept_unlisted_lets_a_value_through_with_a_warning() -> None:
    def mutate(raw: dict[str, Any]) -> None:
        raw["azure"].update(
            location="marsnorth", acceptUnlisted={"regions": ["marsnorth"], "kubernetesVersions": ["1.99"]}
        )
        raw["clusters"]["hub"].update(kubernetesVersion="1.99")

    settings = load_settings(sections(mutate), "dev")
    warnings = unlisted_warnings(settings)
    assert [w.split(":")[1] for w in warnings] == ["azure.location", "clusters.hub.kubernetesVersion"]
    assert all("not in Slipway's vendored list" in w for w in warnings)
    assert unlisted_warnings(load_settings(sections(), "dev")) == []


@pytest.mark.parametrize(
    ("space", "refused"),
    [
        ("10.0.0.0/16", True),
        ("10.244.0.0/20", True),
        ("172.16.0.0/12", True),
        ("192.0.2.0/24", True),
        ("10.1.0.0/16", False),
        ("10.128.0.0/16", False),
    ],
)
def test_address_spaces_against_the_clusters_ranges(space: str, refused: bool) -> None:
    raw = sections(lambda raw: raw["azure"].update(network={"addressSpace": space}))
    if refused:
        assert all("addressSpace" in p for p in problems(raw))
    else:
        load_settings(raw, "dev")


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("http://169.254.169.254/metadata", True),
        ("http://169.254.10.1:9090", True),
        ("http://10.1.2.3:9090", False),
        ("http://prometheus.monitoring.svc:9090", False),
    ],
)
def test_metrics_address_on_the_link_local_range(url: str, refused: bool) -> None:
    raw = sections(lambda raw: raw["platform"].update(metrics={"prometheusUrl": url}))
    if refused:
        (problem,) = problems(raw)
        assert problem.startswith("slipway:platform.metrics.prometheusUrl:")
    else:
        load_settings(raw, "dev")


@pytest.mark.parametrize("version", ["1.29", "1.37", "1.33.5"])
def test_listed_versions_are_taken(version: str) -> None:
    channel = {"upgradeChannel": "none"} if version.count(".") == 2 else {}
    load_settings(sections(lambda raw: raw["clusters"]["hub"].update(kubernetesVersion=version, **channel)), "dev")


def test_gpu_sizes_of_the_listed_series_are_taken() -> None:
    pool = {"name": "a100", "vmSize": "Standard_NC24ads_A100_v4", "zones": [], "maxCount": 1}
    gpu = {"kubernetesVersion": "1.33", "environments": ["dev"], "osSku": "Ubuntu", "gpuPools": [pool]}
    gpu["adminGroupObjectIds"] = ["6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"]
    load_settings(sections(lambda raw: raw["clusters"].update(gpu=gpu)), "dev")


def test_a_secret_may_span_lines_but_holds_no_other_control_character() -> None:
    """A PEM key (the GitHub App's) is lines of text: LF and CR pass in secrets, and only there."""
    from settings.text import text_problems

    def secret(loc: tuple[int | str, ...]) -> bool:
        return loc[-1] == "key"

    pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\r\n-----END RSA PRIVATE KEY-----\n"
    assert text_problems({"github": {"key": pem}}, secret) == []
    [problem] = text_problems({"github": {"key": "a\x1bb"}}, secret)
    assert "U+001B" in problem and "a\x1bb" not in problem
    [problem] = text_problems({"github": {"owner": "a\nb"}}, secret)
    assert "slipway:github.owner" in problem and "U+000A" in problem
