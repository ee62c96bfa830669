"""Names that would collide or escape (#15): each rejected at settings time, naming what collides."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conftest import slipway, stack_document
from test_settings import problems_of

DEV = stack_document("dev")


def with_services(*services: dict[str, Any], environments: list[str] | None = None) -> dict[str, Any]:
    document = copy.deepcopy(DEV)
    delivery = slipway(document, "delivery")
    delivery["services"] = list(services)
    if environments is not None:
        delivery["environments"] = environments
    return document


def only(problems: list[str]) -> str:
    assert len(problems) == 1, problems
    return problems[0]


def test_two_services_whose_namespaces_collide() -> None:
    # `a-b` in `c` and `a` in `b-c` both make `a-b-c`: two Applications and namespaces of one name.
    document = with_services({"name": "a-b"}, {"name": "a"}, environments=["c", "b-c"])
    slipway(document, "clusters")["hub"]["environments"] = ["c", "b-c"]
    slipway(document, "clusters")["gpu"]["environments"] = ["c", "b-c"]
    message = only(problems_of(document))
    assert "service 'a' in environment 'b-c' and service 'a-b' in environment 'c'" in message
    assert "'a-b-c'" in message


@pytest.mark.parametrize(("service", "env"), [("kube", "system"), ("gatekeeper", "system"), ("sealed", "secrets")])
def test_service_and_environment_naming_a_system_namespace(service: str, env: str) -> None:
    document = with_services({"name": service}, environments=[env])
    slipway(document, "clusters")["hub"]["environments"] = [env]
    slipway(document, "clusters")["gpu"]["environments"] = [env]
    message = only(problems_of(document))
    assert f"system namespace '{service}-{env}'" in message


def test_environment_label_key_over_63_characters() -> None:
    env = "e" * 52  # `environment_` + 52 = 64
    document = with_services({"name": "a"}, environments=[env])
    slipway(document, "clusters")["hub"]["environments"] = [env]
    slipway(document, "clusters")["gpu"]["environments"] = [env]
    assert "longer than Kubernetes' 63 characters" in only(problems_of(document))


@pytest.mark.parametrize("repository", ["..", "."])
def test_repository_that_is_a_path(repository: str) -> None:
    message = only(problems_of(with_services({"name": "a", "repository": repository})))
    assert message.startswith("slipway:delivery.services[0].repository:") and "directory" in message


def test_two_services_sharing_a_repository() -> None:
    document = with_services({"name": "a", "repository": "r"}, {"name": "b", "repository": "r"})
    assert "service repositories must be unique, 'r' appears twice" in only(problems_of(document))


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"a/b": "x"}, "slipway:azure.tags.a/b.[key]: got 'a/b', expected an Azure tag name"),
        ({"azureOwner": "x"}, "reserved to Azure"),
        ({"owner": "x" * 257}, "slipway:azure.tags.owner: got 'xxxx"),
        ({"owner": "two\nlines"}, "slipway:azure.tags.owner: a value holding the control character U+000A"),
    ],
)
def test_tags_azure_rejects(tags: dict[str, str], expected: str) -> None:
    document = copy.deepcopy(DEV)
    slipway(document, "azure")["tags"] = tags
    assert expected in only(problems_of(document))


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_thresholds_must_be_finite(value: float) -> None:
    document = copy.deepcopy(DEV)
    slipway(document, "platform")["analysis"]["latencyP95Seconds"] = value
    assert "expected a finite number" in only(problems_of(document))


def test_environment_named_prod_in_a_non_production_stack_is_production() -> None:
    document = with_services({"name": "a"}, environments=["dev", "prod"])
    slipway(document, "delivery")["productionEnvironments"] = []
    slipway(document, "clusters")["hub"]["environments"] = ["dev", "prod"]
    slipway(document, "clusters")["gpu"]["environments"] = ["dev", "prod"]
    assert "environment 'prod' is named like a production environment" in only(problems_of(document))


def test_upper_bound_on_services() -> None:
    document = with_services(*({"name": f"s{i}"} for i in range(1001)))
    message = only(problems_of(document))
    assert message.startswith("slipway:delivery.services: got") and "at most 1000" in message


def test_upper_bound_on_environments() -> None:
    envs = [f"e{i}" for i in range(25)]
    document = with_services({"name": "a"}, environments=envs)
    assert "slipway:delivery.environments: got" in problems_of(document)[0]
