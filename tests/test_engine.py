"""The recording engine records what the Pulumi engine would know, and answers realistically."""

from __future__ import annotations

import base64
import contextlib
import gc

import pulumi
import pulumi_kubernetes as k8s
import pytest
import yaml
from conftest import run_component
from pulumi.runtime.resource import collapse_alias_to_urn
from pulumi_azure_native import containerservice, resources

from offline import engine
from offline.engine import SECRET, DuplicateUrnError, run


def test_records_parent_protect_dependencies_provider_and_secret_inputs() -> None:
    def program() -> None:
        group = resources.ResourceGroup("rg", resource_group_name="rg-x", location="westeurope")
        component = pulumi.ComponentResource("test:index:Box", "box", None, pulumi.ResourceOptions(protect=True))
        provider = k8s.Provider(
            "k", kubeconfig=pulumi.Output.secret("apiVersion: v1"), opts=pulumi.ResourceOptions(parent=component)
        )
        k8s.core.v1.Secret(
            "s",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="s", namespace="ns", labels={"rg": group.name}),
            string_data={"password": pulumi.Output.secret("hunter2")},
            opts=pulumi.ResourceOptions(parent=component, provider=provider, depends_on=[group]),
        )

    recording = run(program)
    group = recording.one("azure-native:resources:ResourceGroup")
    box = recording.one("test:index:Box")
    secret = recording.one("kubernetes:core/v1:Secret")
    provider = recording.one("pulumi:providers:kubernetes")
    assert not box.custom and secret.custom
    assert secret.parent == box.urn and group.parent == recording.one("pulumi:pulumi:Stack").urn
    assert secret.protect and box.protect and not group.protect
    assert group.urn in secret.dependencies
    assert secret.provider.startswith(provider.urn + "::") and secret.provider.endswith(provider.id)
    # the SDK hoists secretness to the map that holds a secret value, as in a real run
    assert secret.secret_inputs() == {"stringData"}
    assert provider.secret_inputs() == {"kubeconfig"}
    assert secret.masked()["stringData"] == SECRET
    assert secret.plain()["stringData"]["password"] == "hunter2"
    assert secret.plain()["metadata"]["labels"] == {"rg": "rg-x"}


def test_every_custom_resource_gets_an_id_so_applies_on_it_run() -> None:
    seen: list[str] = []

    def program() -> None:
        group = resources.ResourceGroup("rg", resource_group_name="rg-x")
        group.id.apply(seen.append)

    recording = run(program)
    assert seen == ["/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-x"]
    assert recording.one("azure-native:resources:ResourceGroup").id == seen[0]


def test_cluster_outputs_and_user_credentials_invoke_are_realistic() -> None:
    seen: dict[str, object] = {}

    def program() -> None:
        cluster = containerservice.ManagedCluster(
            "aks",
            resource_group_name="rg-x",
            resource_name_="aks-x",
            location="westeurope",
            dns_prefix="aks-x",
            oidc_issuer_profile=containerservice.ManagedClusterOIDCIssuerProfileArgs(enabled=True),
        )
        cluster.oidc_issuer_profile.apply(lambda p: seen.update(issuer=p.issuer_url if p else None))
        cluster.identity_profile.apply(lambda p: seen.update(kubelet=p["kubeletidentity"].object_id if p else None))
        creds = containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name="rg-x", resource_name=cluster.name
        )
        creds.kubeconfigs[0].value.apply(lambda v: seen.update(kubeconfig=base64.b64decode(v).decode()))

    recording = run_component(program)
    assert str(seen["issuer"]).startswith("https://westeurope.oic.prod-aks.azure.com/")
    assert len(str(seen["kubelet"])) == 36
    kubeconfig = yaml.safe_load(str(seen["kubeconfig"]))
    assert kubeconfig["users"][0]["user"]["exec"]["command"] == "kubelogin"
    assert kubeconfig["clusters"][0]["cluster"]["server"].endswith(".azmk8s.io:443")
    assert [i.token for i in recording.invokes] == ["azure-native:containerservice:listManagedClusterUserCredentials"]
    assert recording.invokes[0].args["resourceName"] == "aks-x"


def test_stack_outputs_keep_their_secretness() -> None:
    def program() -> None:
        pulumi.export("plain", "a")
        pulumi.export("hidden", pulumi.Output.secret("b"))

    outputs = run(program).outputs
    assert (outputs["plain"].value, outputs["plain"].secret) == ("a", False)
    assert (outputs["hidden"].value, outputs["hidden"].secret) == ("b", True)


def test_runs_are_independent() -> None:
    first = run(lambda: resources.ResourceGroup("one", resource_group_name="one"))
    second = run(lambda: resources.ResourceGroup("two", resource_group_name="two"))
    assert [r.name for r in first.resources if r.custom] == ["one"]
    assert [r.name for r in second.resources if r.custom] == ["two"]


def test_outputs_the_provider_marks_secret_stay_secret() -> None:
    import pulumi_azuread as azuread

    def program() -> None:
        app = azuread.Application("ci", display_name="ci")
        password = azuread.ApplicationPassword("ci", application_id=app.id)
        pulumi.export("value", password.value)

    outputs = run(program).outputs
    assert outputs["value"].secret


def box(name: str) -> pulumi.ComponentResource:
    return pulumi.ComponentResource("test:index:Box", name)


def test_a_second_registration_of_a_urn_fails_as_in_the_pulumi_engine() -> None:
    """Ported from pulumi/pulumi pkg/resource/deploy/step_generator_test.go (TestGenerateSteps_duplicateURN,
    commit 848edf966fc66dc94b4ce04655aed901860fc259): same type, name and parent type is one URN."""

    def program() -> None:
        for parent in (box("a"), box("b")):  # two parents of one type: the URN carries only the type
            resources.ResourceGroup("rg", resource_group_name="rg-x", opts=pulumi.ResourceOptions(parent=parent))

    urn = "urn:pulumi:dev::slipway::test:index:Box$azure-native:resources:ResourceGroup::rg"
    with pytest.raises(DuplicateUrnError) as raised:
        run(program)
    assert str(raised.value) == f"Duplicate resource URN '{urn}'; try giving it a unique name"


def test_same_name_under_different_parent_types_or_types_is_not_a_duplicate() -> None:
    def program() -> None:
        resources.ResourceGroup("rg", resource_group_name="rg-x")
        resources.ResourceGroup("rg", resource_group_name="rg-y", opts=pulumi.ResourceOptions(parent=box("a")))
        pulumi.ComponentResource("test:index:Other", "rg")

    assert len(run(program).resources) == 5


def test_crd_specs_are_not_echoed_as_outputs() -> None:
    def program() -> None:
        k8s.apiextensions.v1.CustomResourceDefinition(
            "things",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="things.example.com"),
            spec=k8s.apiextensions.v1.CustomResourceDefinitionSpecArgs(
                group="example.com",
                names=k8s.apiextensions.v1.CustomResourceDefinitionNamesArgs(kind="Thing", plural="things"),
                scope="Namespaced",
                versions=[],
            ),
        )

    crd = run(program).one("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition")
    assert crd.plain()["spec"]["group"] == "example.com"
    assert "spec" not in crd.outputs and crd.outputs["metadata"] == {"name": "things.example.com"}


def test_a_run_leaves_the_garbage_collector_as_it_found_it() -> None:
    before = gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()
    run(lambda: resources.ResourceGroup("rg", resource_group_name="rg-x"))
    assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == before


def aliased_program() -> None:
    """A component that had another type, and an azure-native child (whose class brings its own aliases)."""
    box = pulumi.ComponentResource(
        "test:index:Box", "box", None, pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="test:old:Box")])
    )
    resources.ResourceGroup("rg", location="westeurope", opts=pulumi.ResourceOptions(parent=box))


def test_alias_specs_are_sent_as_with_the_sdk_s_eager_alias_urns(monkeypatch: pytest.MonkeyPatch) -> None:
    on_demand = run(aliased_program)
    monkeypatch.setattr(engine, "alias_urns_on_demand", contextlib.nullcontext)
    eager = run(aliased_program)
    for recording in (on_demand, eager):
        assert recording.one("test:index:Box").aliases == [{"type": "test:old:Box"}]
    group = on_demand.one("azure-native:resources:ResourceGroup")
    assert len(group.aliases) > 1 and all(set(alias) == {"type"} for alias in group.aliases)
    assert [(r.urn, r.aliases) for r in on_demand.resources] == [(r.urn, r.aliases) for r in eager.resources]


def test_an_alias_urn_awaited_is_the_one_the_sdk_computes() -> None:
    """An inherited alias (what the SDK builds for a monitor without alias specs) still gets the right URN."""
    urns: list[tuple[str | None, str | None]] = []

    def program() -> None:
        box = pulumi.ComponentResource(
            "test:index:Box", "box", None, pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old-box")])
        )
        on_demand = pulumi.Output.from_input(box._aliases[0])
        eager = collapse_alias_to_urn(pulumi.Alias(name="old-box"), "box", "test:index:Box", None)
        pulumi.Output.all(on_demand, eager).apply(lambda pair: urns.append((pair[0], pair[1])))

    run(program, stack="test")
    assert urns == [("urn:pulumi:test::slipway::test:index:Box::old-box",) * 2]
