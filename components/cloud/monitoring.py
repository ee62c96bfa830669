"""The observability baseline: one Log Analytics workspace per stack and the logs sent to it.

Each cluster sends its control-plane logs (who did what through the API server, who
signed in through Entra ID, what the autoscaler and controllers decided) and each
registry its repository and login events, as diagnostic settings on the resource.
Categories follow mspnp/aks-baseline (`workload-team/cluster-stamp.bicep`,
`acr-stamp.bicep` @ 0b468aa858bb9ca568f2967b90c08252e45cd84c): `kube-scheduler` is left
out there too, as costly and only useful while tuning scheduling.

Traces go to the same workspace: `trace_store` declares a workspace-based Application Insights
component (ingestion mode `LogAnalytics`, ARM 2020-02-02 `Microsoft.Insights/components`, the API
version azure-native 3.29.0 uses), whose connection string the clusters' OpenTelemetry collectors
export with. The connection string carries the ingestion key: it is a Pulumi secret from the provider on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import applicationinsights, monitor, operationalinsights

# Audit of every write and every access to secrets (kube-audit-admin), Entra ID sign-ins (guard),
# and the autoscaler's and controllers' decisions.
CLUSTER_LOG_CATEGORIES = ("cluster-autoscaler", "kube-controller-manager", "kube-audit-admin", "guard")
# Who pushed, pulled or deleted what, and who signed in to the registry.
REGISTRY_LOG_CATEGORIES = ("ContainerRegistryRepositoryEvents", "ContainerRegistryLoginEvents")


@dataclass(frozen=True)
class MonitoringArgs:
    resource_group_name: pulumi.Input[str]
    workspace_name: str
    location: str
    retention_days: int
    tags: Mapping[str, str] = field(default_factory=dict)


class Monitoring(pulumi.ComponentResource):
    """The stack's Log Analytics workspace; `send_logs` adds a resource's diagnostic setting to it."""

    workspace_id: pulumi.Output[str]

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("slipway:cloud:Monitoring", name, None, opts)
        self._name, self._args = name, args
        workspace = operationalinsights.Workspace(
            name,
            resource_group_name=args.resource_group_name,
            workspace_name=args.workspace_name,
            location=args.location,
            sku=operationalinsights.WorkspaceSkuArgs(name=operationalinsights.WorkspaceSkuNameEnum.PER_GB2018),
            retention_in_days=args.retention_days,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.workspace_id = workspace.id
        self.register_outputs({"workspaceId": self.workspace_id})

    def trace_store(self, name: str, component_name: str) -> pulumi.Output[str]:
        """A workspace-based Application Insights component; its connection string, a Pulumi secret."""
        component = applicationinsights.Component(
            f"{self._name}-{name}",
            resource_name_=component_name,
            resource_group_name=self._args.resource_group_name,
            location=self._args.location,
            kind="web",
            application_type=applicationinsights.ApplicationType.OTHER,
            ingestion_mode=applicationinsights.IngestionMode.LOG_ANALYTICS,
            workspace_resource_id=self.workspace_id,
            tags=dict(self._args.tags),
            opts=pulumi.ResourceOptions(parent=self, additional_secret_outputs=["connectionString"]),
        )
        return pulumi.Output.secret(component.connection_string)

    def send_logs(
        self, name: str, resource_uri: pulumi.Input[str], categories: Sequence[str]
    ) -> monitor.DiagnosticSetting:
        """The resource's logs of `categories` go to the workspace."""
        return monitor.DiagnosticSetting(
            f"{self._name}-{name}",
            resource_uri=resource_uri,
            name="to-log-analytics",
            workspace_id=self.workspace_id,
            logs=[monitor.DiagnosticsLogSettingsArgs(category=category, enabled=True) for category in categories],
            opts=pulumi.ResourceOptions(parent=self),
        )
