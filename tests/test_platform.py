"""The platform layer: ArgoCD bootstrap, add-on ApplicationSets, policies, sealing keys."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import project_copy, run_stack_document, slipway, stack_document
from schema_check import SCHEMA_DIR, constraint_errors, custom_resource_errors, unknown_value_keys

from components.versions import ADDON_CHARTS, ARGO_CD
from offline.engine import Recording, reveal

STACKS_WITH_PLATFORM = ("dev", "prod", "local")
APPSET = "kubernetes:argoproj.io/v1alpha1:ApplicationSet"
RELEASE = "kubernetes:helm.sh/v3:Release"
CRD = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"
CHARTS = {chart.name: chart for chart in (ARGO_CD, *ADDON_CHARTS)}


def custom_resources(recording: Recording) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in r.plain().items() if k in ("apiVersion", "kind", "metadata", "spec")}
        for r in recording.resources
        if r.custom and r.type.startswith("kubernetes:argoproj.io/")
    ]


ADDONS = {"argo-rollouts", "gatekeeper", "sealed-secrets", "gpu-operator", "metrics", "traces"}


def application_sets(recording: Recording) -> dict[str, dict[str, Any]]:
    """The platform layer's add-on ApplicationSets, by add-on."""
    found = {r.plain()["metadata"]["name"]: r.plain() for r in recording.of_type(APPSET)}
    return {name: appset for name, appset in found.items() if name in ADDONS}


def gatekeeper_objects(recording: Recording) -> list[dict[str, Any]]:
    sources = application_sets(recording)["gatekeeper"]["spec"]["template"]["spec"]["sources"]
    (policies,) = [s for s in sources if "chart" not in s]
    return policies["helm"]["valuesObject"]["objects"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("stack", STACKS_WITH_PLATFORM)
def test_every_custom_resource_validates_against_its_pinned_crd(
    recorded: Callable[[str], Recording], stack: str
) -> None:
    documents = custom_resources(recorded(stack))
    assert documents
    for document in documents:
        assert custom_resource_errors(document) == [], document["metadata"]["name"]


@pytest.mark.parametrize("stack", STACKS_WITH_PLATFORM)
def test_every_helm_value_key_exists_in_the_pinned_chart(recorded: Callable[[str], Recording], stack: str) -> None:
    recording = recorded(stack)
    (release,) = recording.of_type(RELEASE)
    checked = [(release.plain()["chart"], release.plain()["version"], release.plain()["values"])]
    for appset in application_sets(recording).values():
        for source in appset["spec"]["template"]["spec"]["sources"]:
            if "chart" in source:
                checked.append((source["chart"], source["targetRevision"], source["helm"]["valuesObject"]))
    assert len(checked) >= 4
    for chart, version, values in checked:
        assert CHARTS[chart].version == version
        assert unknown_value_keys(chart, version, values) == [], chart


def test_the_validators_catch_mistakes() -> None:
    assert unknown_value_keys("argo-cd", "10.1.1", {"controller": {"replica": 2}}) == ["controller.replica"]
    assert unknown_value_keys("argo-cd", "10.1.1", {"configs": {"cm": {"anything.goes": "1"}}}) == []
    bad = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {"name": "x"},
        "spec": {"sourceRepo": ["https://example"], "destinations": [{"server": 3}]},
    }
    errors = custom_resource_errors(bad)
    assert any("sourceRepo" in e for e in errors) and any("destinations.0.server" in e for e in errors)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_gatekeeper_objects_validate(recorded: Callable[[str], Recording], stack: str) -> None:
    objects = gatekeeper_objects(recorded(stack))
    templates = {o["metadata"]["name"]: o for o in objects if o["kind"] == "ConstraintTemplate"}
    constraints = [o for o in objects if o["kind"] != "ConstraintTemplate"]
    assert len(templates) == len(constraints) == 5
    for template in templates.values():
        assert custom_resource_errors(template) == []
        assert template["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == "1"
    for item in constraints:
        template = templates[item["metadata"]["name"].removeprefix("slipway-")]
        assert constraint_errors(item, template) == []
        assert item["metadata"]["annotations"] == {
            "argocd.argoproj.io/sync-wave": "2",
            "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true",
        }


def test_enforcement_deny_in_prod_and_registries_from_the_cloud_layer(recorded: Callable[[str], Recording]) -> None:
    for stack, action in (("dev", "warn"), ("prod", "deny")):
        constraints = [o for o in gatekeeper_objects(recorded(stack)) if o["kind"] != "ConstraintTemplate"]
        assert {c["spec"]["enforcementAction"] for c in constraints} == {action}
        assert all("argocd" in c["spec"]["match"]["excludedNamespaces"] for c in constraints)
    (repos,) = [c for c in gatekeeper_objects(recorded("prod")) if c["kind"] == "K8sAllowedRepos"]
    assert repos["spec"]["parameters"]["repos"] == ["slipwayprodacr.azurecr.io/", "ghcr.io/acme-platform/"]


def test_prod_stack_must_deny() -> None:
    from settings import SettingsError

    document = stack_document("prod")
    slipway(document, "platform")["gatekeeper"]["enforcementAction"] = "warn"
    with pytest.raises(SettingsError, match="enforcementAction: got 'warn' on production stack 'prod', expected deny"):
        run_stack_document("prod", document)


def argocd_values(recording: Recording) -> dict[str, Any]:
    return recording.one(RELEASE).plain()["values"]  # type: ignore[no-any-return]


def test_argocd_high_availability_in_prod_single_replicas_in_dev(recorded: Callable[[str], Recording]) -> None:
    prod, dev = argocd_values(recorded("prod")), argocd_values(recorded("dev"))
    for component in ("controller", "server", "repoServer", "applicationSet"):
        assert (prod[component]["replicas"], dev[component]["replicas"]) == (2, 1)
    assert (prod["redis-ha"]["enabled"], dev["redis-ha"]["enabled"]) == (True, False)
    gatekeeper_replicas = {
        stack: application_sets(recorded(stack))["gatekeeper"]["spec"]["template"]["spec"]["sources"][0]["helm"][
            "valuesObject"
        ]["replicas"]
        for stack in ("dev", "prod")
    }
    assert gatekeeper_replicas == {"dev": 1, "prod": 3}


def test_argocd_rbac_tracking_and_crds(recorded: Callable[[str], Recording]) -> None:
    values = argocd_values(recorded("prod"))
    rbac = values["configs"]["rbac"]
    # no default role: a signed-in user in none of the groups sees nothing
    assert rbac["policy.default"] == "" and rbac["scopes"] == "[groups]"
    for line in (
        "g, 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b, role:admin",
        "g, 7a2d3b4c-5e6f-4a71-9b8c-0d1e2f3a4b5c, role:operator",
        "g, 8b3e4c5d-6f7a-4b82-8c9d-1e2f3a4b5c6d, role:developer",
    ):
        assert line in rbac["policy.csv"].splitlines()
    assert values["configs"]["cm"]["application.resourceTrackingMethod"] == "annotation"
    assert "issuer: https://login.microsoftonline.com/" in values["configs"]["cm"]["oidc.config"]
    assert values["configs"]["cm"]["admin.enabled"] is False
    release = recorded("prod").one(RELEASE).plain()
    assert (release["chart"], release["version"]) == ("argo-cd", ARGO_CD.version)
    assert release["repositoryOpts"] == {"repo": ARGO_CD.repository}


def test_argocd_controller_and_server_use_workload_identity(recorded: Callable[[str], Recording]) -> None:
    recording = recorded("dev")
    client_id = recording.outputs["argocdClientId"].value
    values = argocd_values(recording)
    for component in ("controller", "server"):
        assert values[component]["serviceAccount"]["annotations"] == {"azure.workload.identity/client-id": client_id}
        assert values[component]["podLabels"] == {"azure.workload.identity/use": "true"}
    assert "serviceAccount" not in argocd_values(recorded("local"))["controller"]


def evidence(marker: str) -> str:
    """The upstream lines under `<!-- marker -->` in the vendored pulumi-kubernetes excerpts."""
    text = (SCHEMA_DIR / "pulumi-kubernetes" / "v4.32.0" / "crd-preview.md").read_text()
    return text.split(f"<!-- {marker} -->\n```", 1)[1].split("```", 1)[0]


@pytest.mark.parametrize("stack", STACKS_WITH_PLATFORM)
def test_argo_crds_come_with_the_release_and_every_argo_resource_waits_for_it(
    recorded: Callable[[str], Recording], stack: str
) -> None:
    # Upstream: a kind's scope is looked up only with a provider default namespace; a preview
    # skips the dry run of a kind the cluster does not serve; Helm release CRDs are cached.
    assert 'if k.defaultNamespace != "" && len(newInputs.GetNamespace()) == 0 {' in evidence("check")
    assert "!k.gvkExists(newInputs)" in evidence("create") and "if req.GetPreview() && skipPreview {" in evidence(
        "create"
    )
    assert "ensure Helm-installed CRDs can be resolved during preview" in evidence("changelog")
    assert tuple(int(part) for part in metadata.version("pulumi-kubernetes").split(".")) >= (4, 32, 0)
    # The program keeps to those conditions.
    recording = recorded(stack)
    assert not recording.of_type(CRD)
    release = recording.one(RELEASE)
    assert release.plain()["values"]["crds"] == {"install": True, "keep": True}
    assert all("namespace" not in p.plain() for p in recording.of_type("pulumi:providers:kubernetes"))
    argo = [r for r in recording.resources if r.type.startswith("kubernetes:argoproj.io/")]
    assert argo and all(release.urn in r.dependencies and r.plain()["metadata"]["namespace"] for r in argo)
    # The tests validate the Argo objects against the CRDs of the pinned ArgoCD.
    assert (SCHEMA_DIR / "crds" / "argo-cd" / ARGO_CD.app_version / "application-crd.yaml").is_file()
    # Client-side rendering against a kubeconfig unknown at preview is what fails (issue 3027).
    assert not [
        r for r in recording.resources if r.type in ("kubernetes:helm.sh/v4:Chart", "kubernetes:yaml/v2:ConfigFile")
    ]


def test_hub_resources_use_the_hub_provider(recorded: Callable[[str], Recording]) -> None:
    recording = recorded("prod")
    hub = recording.one("pulumi:providers:kubernetes", "slipway-prod-hub")
    kube = [r for r in recording.resources if r.custom and r.type.startswith("kubernetes:")]
    for resource in kube:
        if "gpu" not in resource.name:
            assert resource.provider.startswith(hub.urn), resource.name
    assert hub.secret_inputs() == {"kubeconfig"}


def test_addons_select_clusters_by_label_and_gpu_operator_only_gpu(recorded: Callable[[str], Recording]) -> None:
    appsets = application_sets(recorded("dev"))
    assert set(appsets) == ADDONS
    for name, appset in appsets.items():
        (generator,) = appset["spec"]["generators"]
        labels = generator["clusters"]["selector"]["matchLabels"]
        assert labels[f"enable_{name.replace('-', '_')}"] == "true"
        assert ("gpu" in labels) == (name == "gpu-operator")
        spec = appset["spec"]["template"]["spec"]
        assert spec["project"] == "platform" and spec["destination"]["server"] == "{{.server}}"
        assert spec["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
        assert "ServerSideApply=true" in spec["syncPolicy"]["syncOptions"]
        assert spec["syncPolicy"]["retry"]["backoff"]["factor"] == 2
    assert appsets["gpu-operator"]["spec"]["generators"][0]["clusters"]["selector"]["matchLabels"]["gpu"] == "true"
    gpu_values = appsets["gpu-operator"]["spec"]["template"]["spec"]["sources"][0]["helm"]["valuesObject"]
    assert gpu_values["devicePlugin"]["enabled"] is True and gpu_values["driver"]["enabled"] is True
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in gpu_values["daemonsets"][
        "tolerations"
    ]


def test_gpu_driver_left_to_aks_turns_the_operator_driver_off() -> None:
    document = stack_document("dev")
    slipway(document, "clusters")["gpu"]["gpuPools"][0]["driver"] = "Install"
    appsets = application_sets(run_stack_document("dev", document))
    values = appsets["gpu-operator"]["spec"]["template"]["spec"]["sources"][0]["helm"]["valuesObject"]
    assert values["driver"]["enabled"] is False


def test_mixed_gpu_driver_pools_are_refused_naming_each_pool() -> None:
    from settings import SettingsError

    document = stack_document("prod")
    slipway(document, "clusters")["gpu"]["gpuPools"][0]["driver"] = "Install"
    with pytest.raises(
        SettingsError, match=r"clusters\.gpu\.gpuPools: got mixed drivers \(a100: Install, t4spot: None\)"
    ):
        run_stack_document("prod", document)


def test_local_stack_has_no_gpu_operator(recorded: Callable[[str], Recording]) -> None:
    assert "gpu-operator" not in application_sets(recorded("local"))


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_sealing_keys_are_owned_by_pulumi_per_cluster_and_secret(
    recorded: Callable[[str], Recording], stack: str
) -> None:
    recording = recorded(stack)
    secrets = [r for r in recording.of_type("kubernetes:core/v1:Secret") if r.name.endswith("sealing-key")]
    providers = {p.name.rsplit("-", 1)[-1]: p.urn for p in recording.of_type("pulumi:providers:kubernetes")}
    assert len(secrets) == 2
    for secret in secrets:
        role = secret.name.split("-")[2]
        inputs = secret.plain()
        assert secret.provider.startswith(providers[role])
        assert inputs["type"] == "kubernetes.io/tls"
        assert inputs["metadata"]["labels"] == {"sealedsecrets.bitnami.com/sealed-secrets-key": "active"}
        assert inputs["metadata"]["namespace"] == "sealed-secrets"
        assert secret.secret_inputs() == {"stringData"}
        assert "PRIVATE KEY" in inputs["stringData"]["tls.key"]
    assert all(r.protect == (stack == "prod") for r in recording.of_type("tls:index/privateKey:PrivateKey"))
    assert not recording.outputs["hubSealingCertificate"].secret
    assert "BEGIN CERTIFICATE" in recording.outputs["hubSealingCertificate"].value
    values = application_sets(recording)["sealed-secrets"]["spec"]["template"]["spec"]["sources"][0]["helm"]
    assert values["valuesObject"]["keyrenewperiod"] == "0"


def test_slack_notifications_token_lives_in_its_own_secret() -> None:
    document = stack_document("dev")
    slipway(document, "platform")["argocd"]["notifications"]["slackToken"] = "xoxb-test"
    recording = run_stack_document("dev", document)
    secret = recording.one("kubernetes:core/v1:Secret", "argocd-notifications-secret")
    assert secret.secret_inputs() == {"stringData"} and secret.plain()["stringData"] == {"slack-token": "xoxb-test"}
    release = recording.one(RELEASE)
    assert release.secret_inputs() == set()
    notifications = release.plain()["values"]["notifications"]
    assert notifications["secret"] == {"create": False}
    assert set(notifications["triggers"]) == {
        "trigger.on-sync-failed",
        "trigger.on-health-degraded",
        "trigger.on-sync-status-unknown",
    }
    assert unknown_value_keys("argo-cd", ARGO_CD.version, release.plain()["values"]) == []
    assert secret.urn in release.dependencies
    assert argocd_values(run_stack_document("dev", stack_document("dev")))["notifications"]["enabled"] is False


def test_private_repositories_are_read_as_a_github_app_whose_key_stays_secret() -> None:
    document = stack_document("dev")
    slipway(document, "platform")["argocd"]["repositoryCredentials"] = {
        "githubAppId": 123,
        "githubAppInstallationId": 456,
        "githubAppPrivateKey": "-----BEGIN RSA PRIVATE KEY-----\ntest\n-----END RSA PRIVATE KEY-----\n",
    }
    recording = run_stack_document("dev", document)
    secrets = [r for r in recording.of_type("kubernetes:core/v1:Secret") if r.name.startswith("argocd-repository-")]
    assert sorted(r.plain()["stringData"]["url"] for r in secrets) == [
        "https://github.com/acme-platform/gitops.git",
        "https://github.com/acme-platform/slipway.git",
    ]
    for secret in secrets:
        data = secret.plain()["stringData"]
        assert secret.plain()["metadata"]["labels"]["argocd.argoproj.io/secret-type"] == "repository"
        assert (data["type"], data["githubAppID"], data["githubAppInstallationID"]) == ("git", "123", "456")
        assert secret.secret_inputs() == {"stringData"}
        assert secret.urn in recording.one(RELEASE).dependencies
    assert not [r for r in run_stack_document("dev", stack_document("dev")).resources if "repository-" in r.name]


def test_ci_has_no_global_role_in_argocd_rbac(recorded: Callable[[str], Recording]) -> None:
    """RBAC grants add up: a global CI sync on `*/*` would let CI sync production whatever the projects say."""
    for stack in ("dev", "prod"):
        policy = argocd_values(recorded(stack))["configs"]["rbac"]["policy.csv"]
        ci_groups = slipway(stack_document(stack), "platform")["argocd"]["rbac"]["ciDeployers"]
        assert "ci-deployer" not in policy
        assert not [line for line in policy.splitlines() if any(group in line for group in ci_groups)]
        # the only global sync right is the operators' `applications, *`; every other is a project role's
        assert [line for line in policy.splitlines() if ", sync," in line] == []


# --- SSO ---------------------------------------------------------------------------------


def test_sso_sets_the_url_and_asks_entra_for_group_ids(recorded: Callable[[str], Recording]) -> None:
    values = argocd_values(recorded("prod"))
    cm = values["configs"]["cm"]
    assert cm["url"] == "https://argocd.acme.example"
    # the chart derives argocd-cm `url` and notification links from global.domain (default argocd.example.com)
    assert values["global"]["domain"] == "argocd.acme.example"
    oidc = yaml.safe_load(cm["oidc.config"])
    assert oidc["requestedIDTokenClaims"] == {"groups": {"essential": True}}
    assert unknown_value_keys("argo-cd", ARGO_CD.version, values) == []
    assert "url" not in argocd_values(recorded("local"))["configs"]["cm"]


def sso_problems(change: Callable[[dict[str, Any]], None]) -> list[str]:
    from settings import SettingsError

    document = stack_document("prod")
    change(slipway(document, "platform")["argocd"])
    with pytest.raises(SettingsError) as raised:
        run_stack_document("prod", document)
    return raised.value.problems


def test_prod_sso_signs_in_with_workload_identity_and_its_federated_credential(
    recorded: Callable[[str], Recording],
) -> None:
    """Entra refuses a code exchange without client credentials (AADSTS7000218): the whole login setup."""
    recording = recorded("prod")
    values = argocd_values(recording)
    oidc = yaml.safe_load(values["configs"]["cm"]["oidc.config"])
    assert oidc["azure"] == {"useWorkloadIdentity": True} and "clientSecret" not in oidc
    assert oidc["clientID"] == "2c1f6a4e-8d3b-4f5a-9e7c-1b2d3e4f5a6b"
    assert values["server"]["podLabels"] == {"azure.workload.identity/use": "true"}
    assert values["configs"]["cm"]["url"] == "https://argocd.acme.example"
    (credential,) = recording.of_type(
        "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential"
    )
    inputs = credential.plain()
    hub = next(r for r in recording.of_type("azure-native:containerservice:ManagedCluster") if "hub" in r.name)
    assert inputs["applicationId"] == "/applications/5b9e0a1c-2f3d-4be8-8c5d-7e8f9a0b1c2d"
    assert inputs["subject"] == "system:serviceaccount:argocd:argocd-server"
    assert inputs["audiences"] == ["api://AzureADTokenExchange"]
    assert inputs["issuer"] == reveal(hub.outputs)["oidcIssuerProfile"]["issuerURL"]
    assert not [r for r in recording.of_type("kubernetes:core/v1:Secret") if r.name == "argocd-sso-secret"]


def test_sso_without_any_client_credential_is_refused() -> None:
    document = stack_document("prod")
    del slipway(document, "platform")["argocd"]["sso"]["applicationObjectId"]
    assert any("got neither clientSecret nor applicationObjectId" in p for p in sso_problems_of(document))


def sso_problems_of(document: dict[str, Any]) -> list[str]:
    from settings import SettingsError

    try:
        run_stack_document("prod", document)
    except SettingsError as error:
        return error.problems
    return []


def test_sso_needs_a_url() -> None:
    (problem,) = sso_problems(lambda argocd: argocd.pop("url"))
    assert problem.startswith("slipway:platform.argocd.url: required with SSO")


def test_entra_sso_binds_groups_by_object_id_only() -> None:
    def names(argocd: dict[str, Any]) -> None:
        argocd["rbac"]["admins"] = ["platform-admins"]

    (problem,) = sso_problems(names)
    assert problem.startswith("slipway:platform.argocd.rbac.admins[0]: got 'platform-admins', expected an Entra ID")


@pytest.mark.parametrize(
    "subject",
    ["ci, role:admin", "ci\ng, everyone, role:admin", 'a"b', "tab\there", " padded", ""],
)
def test_rbac_subjects_cannot_inject_policy_lines(subject: str) -> None:
    from settings import SettingsError

    document = stack_document("dev")
    slipway(document, "platform")["argocd"]["rbac"]["developers"] = [subject]
    # A control character is refused by the rule for every string setting, before the policy's own rule.
    refusal = r"rbac\.developers\[0\]: .*(without commas, quotes, control characters|control character U\+)"
    with pytest.raises(SettingsError, match=refusal):
        run_stack_document("dev", document)


# --- notifications, as the chart renders them --------------------------------------------

NOTIFICATIONS_CM = (
    Path(__file__).parent / "schemas" / "charts" / "argo-cd" / ARGO_CD.version / ("argocd-notifications-cm.yaml")
)
WITH_BLOCK = re.compile(r"\{\{- with \.Values\.notifications\.(\w+) \}\}\n(.*?)\{\{- end \}\}", re.S)


def notifications_cm_data(notifications: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The `data` entries the pinned chart template renders from the `keys` of `notifications`.

    Models the two forms the template uses for them: `{{- toYaml . | nindent 2 }}` right under
    `data:` (each entry of the value becomes a data key) and `KEY: |` then
    `{{- toYaml . | nindent 4 }}` (the value becomes one block string). Any other form raises.
    """
    blocks = {match.group(1): match.group(2).strip() for match in WITH_BLOCK.finditer(NOTIFICATIONS_CM.read_text())}
    rendered = ["data:"]
    for key in keys:
        value = notifications.get(key)
        if not value:
            continue  # `with` skips an empty value
        body = [line.strip() for line in blocks[key].splitlines()]
        dumped = yaml.safe_dump(value, sort_keys=False).rstrip("\n").splitlines()
        if body == ["{{- toYaml . | nindent 2 }}"]:
            rendered += ["  " + line for line in dumped]
        elif body == [f"{key}: |", "{{- toYaml . | nindent 4 }}"]:
            rendered += [f"  {key}: |", *("    " + line for line in dumped)]
        else:
            raise AssertionError(f"template form of notifications.{key} not modelled: {body}")
    return yaml.safe_load("\n".join(rendered))["data"]  # type: ignore[no-any-return]


def test_notifications_render_into_configmap_strings_as_the_chart_writes_them() -> None:
    document = stack_document("prod")
    slipway(document, "platform")["argocd"]["notifications"]["slackToken"] = "xoxb-test"
    notifications = argocd_values(run_stack_document("prod", document))["notifications"]
    data = notifications_cm_data(notifications, ("notifiers", "subscriptions", "templates", "triggers"))
    # ConfigMap data holds strings only: anything else fails the release
    assert {key: type(value).__name__ for key, value in data.items() if not isinstance(value, str)} == {}
    assert set(data) == {"service.slack", "subscriptions", *notifications["templates"], *notifications["triggers"]}
    for trigger in ("on-sync-failed", "on-health-degraded", "on-sync-status-unknown"):
        (rule,) = yaml.safe_load(data[f"trigger.{trigger}"])
        (template,) = rule["send"]
        assert set(yaml.safe_load(data[f"template.{template}"])) == {"message", "slack"}
    (subscription,) = yaml.safe_load(data["subscriptions"])
    assert subscription["recipients"] == ["slack:platform-alerts"]
    assert len(subscription["triggers"]) == 3


# --- sealing keys before the controller ------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod", "local"])
def test_sealed_secrets_install_waits_for_every_sealing_key(recorded: Callable[[str], Recording], stack: str) -> None:
    recording = recorded(stack)
    keys = {r.urn for r in recording.of_type("kubernetes:core/v1:Secret") if r.name.endswith("sealing-key")}
    (appset,) = [r for r in recording.of_type(APPSET) if r.name == "sealed-secrets-applicationset"]
    assert keys and keys <= set(appset.dependencies)


@pytest.mark.parametrize("stack", ["dev", "prod", "local"])
def test_each_cluster_is_registered_only_after_its_sealing_key(
    recorded: Callable[[str], Recording], stack: str
) -> None:
    """A cluster added or rebuilt later reaches the sealed-secrets ApplicationSet only once its key exists."""
    recording = recorded(stack)
    secrets = recording.of_type("kubernetes:core/v1:Secret")
    keys = {r.name.split("-")[-3]: r.urn for r in secrets if r.name.endswith("sealing-key")}
    registrations = {r.plain()["stringData"]["name"]: r for r in secrets if r.name.startswith("clusters-")}
    assert keys and set(keys) == set(registrations)
    for cluster, registration in registrations.items():
        assert keys[cluster] in registration.dependencies
        assert not set(keys.values()) - {keys[cluster]} & set(registration.dependencies)


# --- the gitops-bridge contract ----------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod", "local"])
def test_objects_chart_comes_from_the_cluster_annotations(recorded: Callable[[str], Recording], stack: str) -> None:
    appsets = {r.plain()["metadata"]["name"]: r.plain() for r in recorded(stack).of_type(APPSET)}
    # the local stack has no Prometheus, hence no canary analysis
    for name in ("gatekeeper", "canary-analysis") if stack != "local" else ("gatekeeper",):
        (objects,) = [s for s in appsets[name]["spec"]["template"]["spec"]["sources"] if "chart" not in s]
        assert (objects["repoURL"], objects["targetRevision"], objects["path"]) == (
            "{{.metadata.annotations.addons_repo_url}}",
            "{{.metadata.annotations.addons_repo_revision}}",
            "{{.metadata.annotations.addons_repo_basepath}}{{.metadata.annotations.addons_repo_path}}",
        )


def cluster_secret_labels(recording: Recording) -> dict[str, dict[str, str]]:
    return {
        r.plain()["stringData"]["name"]: r.plain()["metadata"]["labels"]
        for r in recording.of_type("kubernetes:core/v1:Secret")
        if r.plain()["metadata"].get("labels", {}).get("argocd.argoproj.io/secret-type") == "cluster"
    }


def cluster_selectors(recording: Recording) -> list[dict[str, str]]:
    """The matchLabels of every clusters generator of every ApplicationSet (nested in matrices too)."""

    def walk(generator: dict[str, Any]) -> list[dict[str, str]]:
        if "clusters" in generator:
            selector = generator["clusters"]["selector"]
            assert set(selector) == {"matchLabels"}, "only matchLabels selectors are checked"
            return [selector["matchLabels"]]
        if "matrix" in generator:
            return [s for child in generator["matrix"]["generators"] for s in walk(child)]
        return []

    return [s for r in recording.of_type(APPSET) for g in r.plain()["spec"]["generators"] for s in walk(g)]


@pytest.mark.parametrize("stack", ["dev", "prod", "local"])
def test_no_dead_flags(recorded: Callable[[str], Recording], stack: str) -> None:
    """Every enable_<addon> label is selected by some ApplicationSet; every selected label is set on some cluster."""
    recording = recorded(stack)
    clusters = cluster_secret_labels(recording)
    selectors = cluster_selectors(recording)
    set_enable = {key for labels in clusters.values() for key, value in labels.items() if key.startswith("enable_")}
    selected = {key for selector in selectors for key in selector}
    assert set_enable and set_enable <= selected
    for selector in selectors:
        assert any(selector.items() <= labels.items() for labels in clusters.values()), selector


def test_local_stack_allows_its_ghcr_images_and_never_an_empty_list(recorded: Callable[[str], Recording]) -> None:
    """Without the cloud layer the GHCR owner still names where images come from; with no registry, no list."""
    (repos,) = [c for c in gatekeeper_objects(recorded("local")) if c["kind"] == "K8sAllowedRepos"]
    assert repos["spec"]["parameters"]["repos"] == ["ghcr.io/acme-platform/"]
    document = stack_document("local")
    slipway(document, "registries")["ghcr"]["enabled"] = False
    kinds = {o["kind"] for o in gatekeeper_objects(run_stack_document("local", document))}
    assert "K8sAllowedRepos" not in kinds and "K8sNoPrivileged" in kinds


def test_switching_an_addon_off_uninstalls_it_and_the_preview_says_so(
    recorded: Callable[[str], Recording], tmp_path: Path
) -> None:
    """Gatekeeper off: its ApplicationSet stays, no cluster asks for it, ArgoCD deletes its Applications
    and (resources finalizer, no preserveResourcesOnDeletion) what they installed."""
    from offline.applications import idle_application_sets, owned_applications

    on = application_sets(recorded("dev"))["gatekeeper"]
    assert "preserveResourcesOnDeletion" not in (on["spec"].get("syncPolicy") or {})
    document = stack_document("dev")
    slipway(document, "platform")["addons"]["gatekeeper"] = False
    recording = run_stack_document("dev", document)
    assert "gatekeeper" in application_sets(recording)
    owned = owned_applications(recording)
    assert not [app for owner, app in owned if owner == "gatekeeper"]
    assert idle_application_sets(recording, owned) == ["gatekeeper"]
    gatekeeper_apps = [app for owner, app in owned_applications(recorded("dev")) if owner == "gatekeeper"]
    assert gatekeeper_apps and all(
        app["metadata"]["finalizers"] == ["resources-finalizer.argocd.argoproj.io"] for app in gatekeeper_apps
    )
    project = project_copy(tmp_path, "dev", document)
    result = subprocess.run(
        [sys.executable, "-m", "offline", "preview", "--stack", "dev", "--compact"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "ApplicationSets generating no Application" in result.stdout and "    gatekeeper\n" in result.stdout
