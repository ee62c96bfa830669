"""`offline reach`: every caller reaches every API server and registry it calls, read from what is declared."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pulumi
import pytest
from conftest import PROJECT_DIR, run_component
from pulumi_azure_native import containerregistry

from components.cloud.cluster import AksCluster, AksClusterArgs, ClusterNetwork
from components.cloud.network import ENDPOINTS_SUBNET, StackNetwork, StackNetworkArgs, node_subnet
from components.cloud.registry import ContainerRegistry, ContainerRegistryArgs, PrivateAccess
from offline import __main__ as cli
from offline.engine import Recording
from offline.reach import Row, failures, print_reach, report, with_expectations
from settings import ClusterSettings, ExpectedUnreachable, NetworkSettings
from wiring.cloud import cluster_spec

CALLS = {
    ("deploy-ci", "api-server@hub"),
    ("deploy-ci", "api-server@gpu"),
    ("argocd@hub", "api-server@hub"),
    ("argocd@hub", "api-server@gpu"),
    ("kubelet@hub", "registry@acr"),
    ("kubelet@gpu", "registry@acr"),
    ("deploy-ci", "registry@acr"),
    ("golden-image-build", "registry@acr"),
}


# Service delivery (service-delivery.yml, run by each service repository) pushes to the registry (#30.3).
DELIVERY_CALLS = {
    (f"delivery@acme-platform/{repository}", "registry@acr")
    for repository in ("payments-api", "web-frontend", "inference-service")
}


def calls(stack: str) -> set[tuple[str, str]]:
    return CALLS | (DELIVERY_CALLS if stack == "prod" else set())


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_caller_reaches_what_it_calls(recorded: Any, stack: str) -> None:
    rows = report(recorded(stack))
    assert {(row.caller, row.target) for row in rows} == calls(stack) and len(rows) == len(calls(stack))
    assert [row for row in rows if not row.reachable] == []


def test_delivery_from_github_hosted_runners_cannot_reach_a_private_registry(recorded: Any) -> None:
    """service-delivery.yml ran on GitHub's runners only: a registry without public access refused every push,
    and the report, which did not model this caller, said nothing. A repository told to deliver from them
    (or told nothing: the workflow's default) is reported unreachable."""
    prod = recorded("prod")
    told = [
        r for r in prod.of_type("github:index/actionsVariable:ActionsVariable") if "DELIVERY_RUNS_ON" in str(r.inputs)
    ]
    assert len(told) == len(DELIVERY_CALLS)
    hosted = {id(r): dataclasses.replace(r, inputs={**r.inputs, "value": '"ubuntu-latest"'}) for r in told}
    altered = dataclasses.replace(prod, resources=[hosted.get(id(r), r) for r in prod.resources])
    untold = dataclasses.replace(prod, resources=[r for r in prod.resources if id(r) not in hosted])
    for recording in (altered, untold):
        rows = {(row.caller, row.target): row for row in report(recording)}
        for call in DELIVERY_CALLS:
            assert not rows[call].reachable and "GitHub-hosted runners" in rows[call].reason


def test_the_paths_are_the_stacks_network_models(recorded: Any) -> None:
    dev = {(row.caller, row.target): row.path for row in report(recorded("dev"))}
    prod = {(row.caller, row.target): row.path for row in report(recorded("prod"))}
    assert set(dev.values()) == {"public", "in-cluster"}
    assert {path for (_, target), path in prod.items() if target == "registry@acr"} == {"private endpoint"}
    assert {path for (caller, target), path in prod.items() if target.startswith("api-server")} == {
        "allow-listed",
        "in-cluster",
    }


def test_json_rows_name_caller_target_path_and_verdict(recorded: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert print_reach(report(recorded("prod")), as_json=True) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == len(calls("prod"))
    for row in rows:
        assert {"caller", "target", "path", "reachable"} <= set(row) and row["reachable"] is True


VNET_RANGE = "10.50.0.0/16"


def _declare(*, private_gpu: bool) -> None:
    """The hub and the GPU cluster in one VNet with self-hosted runners and a private registry.

    `private_gpu`: the GPU cluster's API server is private, which every caller in the VNet reaches.
    Otherwise (wrong on purpose): both API servers allow only the GPU cluster's prefix, the hub leaves
    through AKS's own outbound IP, and the registry's private DNS zone is linked to no VNet.
    """
    net = StackNetwork(
        "x",
        StackNetworkArgs(
            resource_group_name="rg-x",
            location="westeurope",
            base="x",
            address_space=VNET_RANGE,
            cluster_roles=["hub", "gpu"],
            static_egress=True,
            self_hosted_runners=True,
        ),
    )
    vnet_ids = {"vnet": net.vnet_id} if private_gpu and net.vnet_id is not None else {}
    registry = ContainerRegistry(
        "x",
        ContainerRegistryArgs(
            resource_group_name="rg-x",
            registry_name="xacr1",
            location="westeurope",
            sku=containerregistry.SkuName.PREMIUM,
            private=PrivateAccess(subnet_id=net.subnet_ids[ENDPOINTS_SUBNET], vnet_ids=vnet_ids),
        ),
    )
    pulumi.ComponentResource("slipway:platform:ArgoCd", "argocd")  # ArgoCD runs on the hub
    for role, egress in (("hub", None), ("gpu", net.egress_prefix_ids["gpu"])):
        access = "private" if private_gpu and role == "gpu" else "allowListed"
        AksCluster(
            role,
            AksClusterArgs(
                cluster=cluster_spec(
                    ClusterSettings.model_validate(
                        {
                            "kubernetesVersion": "1.33",
                            "environments": ["dev"],
                            "adminGroupObjectIds": ["6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"],
                            "apiServer": access,
                        }
                    )
                ),
                cluster_name=f"aks-x-{role}",
                resource_group_name="rg-x",
                location="westeurope",
                tenant_id="t",
                subscription_id="s",
                acr_id=registry.id,
                network=ClusterNetwork(
                    node_subnet_id=net.subnet_ids[node_subnet(role)],
                    outbound_prefix_id=egress,
                    authorized_ip_ranges=net.egress_ranges["gpu"].apply(lambda gpu: [gpu]),
                ),
            ),
        )


def test_a_private_api_server_is_reached_from_its_vnet() -> None:
    rows = {(row.caller, row.target): row for row in report(run_component(lambda: _declare(private_gpu=True)))}
    for caller in ("deploy-ci", "argocd@hub"):
        assert (rows[(caller, "api-server@gpu")].path, rows[(caller, "api-server@gpu")].reachable) == (
            "private endpoint",
            True,
        )
    for caller in ("kubelet@hub", "kubelet@gpu", "deploy-ci"):
        assert rows[(caller, "registry@acr")].path == "private endpoint" and rows[(caller, "registry@acr")].reachable


@pytest.fixture(scope="module")
def broken() -> Recording:
    return run_component(lambda: _declare(private_gpu=False))


def test_what_is_declared_wrong_is_unreachable(broken: Recording) -> None:
    rows = {(row.caller, row.target): row for row in report(broken)}
    ci_api = rows[("deploy-ci", "api-server@gpu")]
    assert (ci_api.path, ci_api.reachable) == ("allow-listed", False)
    assert "which the API server's authorized IP ranges does not list" in ci_api.reason
    argocd = rows[("argocd@hub", "api-server@gpu")]
    assert not argocd.reachable and "the hub cluster's nodes leave through no egress range the stack declares" in (
        argocd.reason
    )
    # The gpu cluster's own nodes would pass its allow-list; its kubelet still cannot resolve the registry.
    kubelet = rows[("kubelet@gpu", "registry@acr")]
    assert (kubelet.path, kubelet.reachable) == ("none", False)
    assert "privatelink.azurecr.io linked to it" in kubelet.reason
    assert rows[("argocd@hub", "api-server@hub")].reachable  # in-cluster
    assert len(failures(list(rows.values()))) == 6


def test_rows_marked_expected_are_let_through(broken: Recording) -> None:
    network = NetworkSettings(
        expected_unreachable=[
            ExpectedUnreachable(caller="deploy-ci", target="api-server@gpu", reason="deployed from the office VPN")
        ]
    )
    rows = with_expectations(report(broken), network)
    marked = next(row for row in rows if (row.caller, row.target) == ("deploy-ci", "api-server@gpu"))
    assert marked.expected == "deployed from the office VPN"
    assert marked not in failures(rows) and len(failures(rows)) == 5


def test_preview_fails_on_an_unexpected_unreachable_row(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    row = Row("deploy-ci", "registry@acr", "none", False, "public network access is disabled")
    monkeypatch.setattr(cli, "stack_report", lambda *_: [row])
    argv = ["--stack", "local", "--project-dir", str(PROJECT_DIR)]
    assert cli.main(["preview", "--compact", *argv]) == 1
    assert "error: deploy-ci cannot reach registry@acr (none): public network access is disabled" in (
        capsys.readouterr().err
    )
    # Marked expected, the row no longer fails: `reach` shows it with its reason and exits 0.
    monkeypatch.setattr(cli, "stack_report", lambda *_: [Row(**{**row.as_json(), "expected": "known"})])
    assert cli.main(["reach", "--json", *argv]) == 0
    assert [r["expected"] for r in json.loads(capsys.readouterr().out)] == ["known"]
