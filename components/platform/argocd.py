"""ArgoCD on the hub cluster: the bootstrap, and the only Helm release Pulumi holds.

Everything else on the clusters is installed by this ArgoCD (the gitops-bridge pattern).
The chart installs and upgrades ArgoCD's CRDs (`crds.install`, kept on uninstall), so they
follow the pinned chart and every Argo custom resource Pulumi declares waits for the release.
A preview needs no CRD on the cluster: pulumi-kubernetes skips the server-side dry run of a
create whose kind the cluster does not serve, looks a kind's scope up only when the provider
sets a default namespace (ours set none; every Argo object names its namespace), and since
4.32.0 caches the CRDs a Helm release ships (the evidence: tests/schemas/pulumi-kubernetes/v4.32.0/crd-preview.md).
A `helm.v3.Release` renders server-side, unlike `helm.v4.Chart` and `yaml.v2`, whose
client-side rendering fails against a kubeconfig that is still unknown (issue 3027).

Also here: the RBAC roles a platform team needs (no default role; developers view and change
nothing globally; CI has no global role, only its per-project `ci` role, since RBAC grants add up
and a project role cannot narrow a global one; revision overrides need `override`), optional
OIDC SSO (Entra ID: the `groups` claim requested as essential, groups bound by object id)
with ArgoCD's external URL set, Slack notifications with their token in a Secret of its own
(never in Helm values) and their templates and triggers as
the strings the chart writes into the `argocd-notifications-cm` ConfigMap's data,
annotation-based resource tracking, metrics, HA replicas where asked, workload identity
on the controller and server, and the `platform` AppProject the add-ons deploy through.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pulumi
import pulumi_kubernetes as k8s
import yaml

from components.versions import ADDON_CHARTS, ARGO_CD
from contracts.gitops import ARGOCD_NAMESPACE, PLATFORM_PROJECT

PART_OF_ARGOCD = {"app.kubernetes.io/part-of": "argocd"}
WORKLOAD_IDENTITY_CLIENT_ID = "azure.workload.identity/client-id"
WORKLOAD_IDENTITY_USE = "azure.workload.identity/use"
NOTIFICATION_TRIGGERS = {
    "on-sync-failed": ("app-sync-failed", "app.status.operationState.phase in ['Error', 'Failed']"),
    "on-health-degraded": ("app-health-degraded", "app.status.health.status == 'Degraded'"),
    "on-sync-status-unknown": ("app-sync-status-unknown", "app.status.sync.status == 'Unknown'"),
}


@dataclass(frozen=True)
class ArgoSso:
    issuer: str
    client_id: str
    entra: bool
    client_secret: pulumi.Output[str] | None = None
    # Entra ID workload identity: argocd-server's token is the client assertion (no secret).
    workload_identity: bool = False


@dataclass(frozen=True)
class ArgoSlack:
    token: pulumi.Output[str]
    channel: str


@dataclass(frozen=True)
class ArgoGithubApp:
    """The GitHub App ArgoCD reads private repositories as; the key is a Pulumi secret."""

    app_id: int
    installation_id: int
    private_key: pulumi.Output[str]


@dataclass(frozen=True)
class ArgoRbac:
    """The SSO groups bound to ArgoCD's roles; everyone else is readonly."""

    admins: Sequence[str] = ()
    operators: Sequence[str] = ()
    developers: Sequence[str] = ()


@dataclass(frozen=True)
class ArgoCdArgs:
    high_availability: bool
    rbac: ArgoRbac
    platform_repo_url: str | None
    url: str | None = None
    service_monitors: bool = False
    sso: ArgoSso | None = None
    slack: ArgoSlack | None = None
    workload_identity_client_id: pulumi.Input[str] | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    # The repositories ArgoCD reads (platform, GitOps), and the App to read them as when private.
    repositories: Sequence[str] = ()
    github_app: ArgoGithubApp | None = None


def rbac_policy(rbac: ArgoRbac) -> str:
    """ArgoCD's policy.csv: custom roles, then group bindings.

    Only operators (and admins) hold a global right to change an application; every other sync
    right is a project role (a team's `developer`, CI's `ci`, production's `release`), bound to
    that project's applications alone.
    """
    rules = [
        # operators run the platform day to day: everything on applications (override included), read the rest
        "p, role:operator, applications, *, */*, allow",
        "p, role:operator, applicationsets, get, */*, allow",
        "p, role:operator, logs, get, */*, allow",
        "p, role:operator, clusters, get, *, allow",
        "p, role:operator, repositories, get, *, allow",
        "p, role:operator, projects, get, *, allow",
        # developers see every application and its logs, and change none (their team's project grants sync)
        "p, role:developer, applications, get, */*, allow",
        "p, role:developer, logs, get, */*, allow",
        "p, role:developer, projects, get, *, allow",
        # CI has no role here: each service project's `ci` role is its only sync right.
    ]
    bindings = {
        "role:admin": rbac.admins,
        "role:operator": rbac.operators,
        "role:developer": rbac.developers,
    }
    rules += [f"g, {group}, {role}" for role, groups in bindings.items() for group in groups]
    return "\n".join(rules) + "\n"


def notification_values(slack: ArgoSlack) -> dict[str, Any]:
    """The chart's `notifications` values for Slack.

    The chart writes each `templates` and `triggers` entry as a key of the ConfigMap's data
    (`toYaml . | nindent 2` under `data:`), so each value is a YAML document in a string;
    `subscriptions` it renders itself into one string (`subscriptions: |`), so it stays a
    list (argoproj/argo-helm argo-cd-10.1.1, templates/argocd-configs/argocd-notifications-cm.yaml,
    copied in tests/schemas/charts/).
    """
    templates = {
        f"template.{template}": yaml.safe_dump(
            {
                "message": f"{{{{.app.metadata.name}}}}: {trigger} ({{{{.app.status.sync.status}}}}, "
                "{{.app.status.health.status}})",
                "slack": {"attachments": '[{"title": "{{.app.metadata.name}}", "color": "#E96D76"}]'},
            },
            sort_keys=False,
        )
        for trigger, (template, _) in NOTIFICATION_TRIGGERS.items()
    }
    triggers = {
        f"trigger.{trigger}": yaml.safe_dump([{"when": condition, "send": [template]}], sort_keys=False)
        for trigger, (template, condition) in NOTIFICATION_TRIGGERS.items()
    }
    return {
        "secret": {"create": False},
        "notifiers": {"service.slack": "token: $slack-token\n"},
        "templates": templates,
        "triggers": triggers,
        "subscriptions": [{"recipients": [f"slack:{slack.channel}"], "triggers": list(NOTIFICATION_TRIGGERS)}],
    }


def helm_values(args: ArgoCdArgs) -> dict[str, Any]:
    """The chart values, built in Python; every key exists in the pinned chart's values.yaml."""
    replicas = 2 if args.high_availability else 1
    metrics = {"enabled": True, "serviceMonitor": {"enabled": args.service_monitors}}
    cm: dict[str, Any] = {
        "application.resourceTrackingMethod": "annotation",
        "exec.enabled": False,
        # Syncing another revision than the Application's own is an override (argo-cd v3.4.4
        # server/application/application.go resolveSourceRevisions): only operators and admins hold it.
        "application.sync.requireOverridePrivilegeForRevisionSync": "true",
    }
    if args.sso is not None:
        oidc: dict[str, Any] = {
            "name": "SSO",
            "issuer": args.sso.issuer,
            "clientID": args.sso.client_id,
            "requestedScopes": ["openid", "profile", "email"],
        }
        if args.sso.entra:
            # Entra ID sends the groups claim (group object ids) only when asked for as essential
            # (argoproj/argo-cd v3.4.4, docs/operator-manual/user-management/microsoft.md, lines 80-82).
            oidc["requestedIDTokenClaims"] = {"groups": {"essential": True}}
        if args.sso.client_secret is not None:
            oidc["clientSecret"] = "$argocd-sso:clientSecret"
        elif args.sso.workload_identity:
            # argo-cd v3.4.4 docs/operator-manual/user-management/microsoft.md, lines 78-79.
            oidc["azure"] = {"useWorkloadIdentity": True}
        cm["oidc.config"] = yaml.safe_dump(oidc, sort_keys=False)
        cm["admin.enabled"] = False
    global_values: dict[str, Any] = {"additionalLabels": dict(args.labels)}
    if args.url is not None:
        # The chart derives argocd-cm `url` and the notifications' links from `global.domain`;
        # `configs.cm.url` keeps a path the URL may have (argo-helm argo-cd-10.1.1, templates/_helpers.tpl,
        # `argo-cd.config.cm.presets`).
        global_values["domain"] = urlsplit(args.url).netloc
        cm["url"] = args.url
    values: dict[str, Any] = {
        "crds": {"install": True, "keep": True},
        "configs": {
            "cm": cm,
            "params": {"controller.sharding.algorithm": "round-robin"} if args.high_availability else {},
            "rbac": {"policy.csv": rbac_policy(args.rbac), "policy.default": "", "scopes": "[groups]"},
        },
        "global": global_values,
        "controller": {"replicas": replicas, "metrics": metrics},
        "server": {"replicas": replicas, "metrics": metrics},
        "repoServer": {"replicas": replicas, "metrics": metrics},
        "applicationSet": {"replicas": replicas, "metrics": metrics},
        "redis-ha": {"enabled": args.high_availability},
        "notifications": {"enabled": args.slack is not None, "metrics": metrics},
        "dex": {"enabled": False},
    }
    if args.slack is not None:
        values["notifications"].update(notification_values(args.slack))
    if args.workload_identity_client_id is not None:
        # The controller and the server reach other clusters as the ArgoCD managed identity.
        for component in ("controller", "server"):
            values[component]["serviceAccount"] = {
                "annotations": {WORKLOAD_IDENTITY_CLIENT_ID: args.workload_identity_client_id}
            }
            values[component]["podLabels"] = {WORKLOAD_IDENTITY_USE: "true"}
    if args.sso is not None and args.sso.workload_identity:
        # The webhook mounts the token the server signs users in with only into labelled pods.
        values["server"]["podLabels"] = {WORKLOAD_IDENTITY_USE: "true"}
    return values


def repository_secrets(
    name: str, repositories: Sequence[str], app: ArgoGithubApp, opts: pulumi.ResourceOptions
) -> list[pulumi.Resource]:
    """One repository Secret per repository, authenticating as the GitHub App.

    The form of argoproj/argo-cd v3.4.4's docs/operator-manual/declarative-setup.md ("Example for
    GitHub App", lines 226-245): label `argocd.argoproj.io/secret-type: repository`, `type: git`,
    `url`, `githubAppID`, `githubAppInstallationID`, `githubAppPrivateKey`.
    """
    return [
        k8s.core.v1.Secret(
            f"{name}-repository-{index}",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=f"repository-{index}",
                namespace=ARGOCD_NAMESPACE,
                labels={**PART_OF_ARGOCD, "argocd.argoproj.io/secret-type": "repository"},
            ),
            string_data={
                "type": "git",
                "url": url,
                "githubAppID": str(app.app_id),
                "githubAppInstallationID": str(app.installation_id),
                "githubAppPrivateKey": app.private_key,
            },
            opts=opts,
        )
        for index, url in enumerate(sorted(set(repositories)))
    ]


class ArgoCd(pulumi.ComponentResource):
    """ArgoCD's namespace, secrets, Helm release (with its CRDs) and the `platform` AppProject."""

    namespace: str
    release: k8s.helm.v3.Release

    def __init__(self, name: str, args: ArgoCdArgs, opts: pulumi.ResourceOptions) -> None:
        super().__init__("slipway:platform:ArgoCd", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.namespace = ARGOCD_NAMESPACE
        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=ARGOCD_NAMESPACE, labels=dict(args.labels)),
            opts=child,
        )
        secrets: list[pulumi.Resource] = []
        in_namespace = pulumi.ResourceOptions(parent=self, depends_on=[namespace])
        if args.slack is not None:
            secrets.append(
                k8s.core.v1.Secret(
                    f"{name}-notifications-secret",
                    metadata=k8s.meta.v1.ObjectMetaArgs(
                        name="argocd-notifications-secret", namespace=ARGOCD_NAMESPACE, labels=PART_OF_ARGOCD
                    ),
                    string_data={"slack-token": args.slack.token},
                    opts=in_namespace,
                )
            )
        if args.sso is not None and args.sso.client_secret is not None:
            secrets.append(
                k8s.core.v1.Secret(
                    f"{name}-sso-secret",
                    metadata=k8s.meta.v1.ObjectMetaArgs(
                        name="argocd-sso", namespace=ARGOCD_NAMESPACE, labels=PART_OF_ARGOCD
                    ),
                    string_data={"clientSecret": args.sso.client_secret},
                    opts=in_namespace,
                )
            )
        if args.github_app is not None:
            secrets += repository_secrets(name, args.repositories, args.github_app, in_namespace)
        self.release = k8s.helm.v3.Release(
            name,
            k8s.helm.v3.ReleaseArgs(
                name="argocd",
                chart=ARGO_CD.name,
                version=ARGO_CD.version,
                repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=ARGO_CD.repository),
                namespace=ARGOCD_NAMESPACE,
                values=helm_values(args),
                atomic=True,
                cleanup_on_fail=True,
                timeout=900,
            ),
            pulumi.ResourceOptions(parent=self, depends_on=[namespace, *secrets]),
        )
        # Add-ons come only from their pinned chart repositories and the platform's own repository.
        source_repos = sorted(
            {chart.repository for chart in ADDON_CHARTS}
            | ({args.platform_repo_url} if args.platform_repo_url else set())
        )
        k8s.apiextensions.CustomResource(
            f"{name}-platform-project",
            api_version="argoproj.io/v1alpha1",
            kind="AppProject",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=PLATFORM_PROJECT, namespace=ARGOCD_NAMESPACE, labels=dict(args.labels)
            ),
            spec={
                "description": "Cluster add-ons installed by the platform team (Slipway)",
                "sourceRepos": source_repos,
                "destinations": [{"server": "*", "namespace": "*"}],
                "clusterResourceWhitelist": [{"group": "*", "kind": "*"}],
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.release]),
        )
        self.register_outputs({"namespace": ARGOCD_NAMESPACE})
