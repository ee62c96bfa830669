"""Traces: the OpenTelemetry collector add-on, its exporter, and Application Insights behind it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml
from conftest import run_stack_document, slipway, stack_document
from schema_check import SCHEMA_DIR, chart_defaults, unknown_value_keys
from test_platform import application_sets
from test_settings import problems_of

from components.platform.otel_collector import CONNECTION_KEY, CONNECTION_SECRET, FULLNAME, OTLP_GRPC_PORT
from components.versions import OPENTELEMETRY_COLLECTOR, OPENTELEMETRY_COLLECTOR_IMAGE
from offline.engine import Recording

OTEL = SCHEMA_DIR / "otel"
CHART = OPENTELEMETRY_COLLECTOR


def collector_values(recording: Recording) -> dict[str, Any]:
    (source,) = application_sets(recording)["traces"]["spec"]["template"]["spec"]["sources"]
    return source["helm"]["valuesObject"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_cloud_stacks_send_traces_to_application_insights_on_their_workspace(
    recorded: Callable[[str], Recording], stack: str
) -> None:
    recording = recorded(stack)
    component = recording.one("azure-native:applicationinsights:Component")
    workspace = recording.one("azure-native:operationalinsights:Workspace")
    assert component.plain()["workspaceResourceId"] == workspace.id
    assert workspace.urn in component.dependencies
    assert component.plain()["ingestionMode"] == "LogAnalytics"
    values = collector_values(recording)
    assert unknown_value_keys(CHART.name, CHART.version, values) == []
    assert values["image"]["repository"] == OPENTELEMETRY_COLLECTOR_IMAGE
    pipeline = values["config"]["service"]["pipelines"]["traces"]
    assert pipeline["exporters"] == ["azuremonitor"]
    # the connection string reaches each cluster only as a Pulumi secret, in the Secret the collector reads
    secrets = [
        r for r in recording.of_type("kubernetes:core/v1:Secret") if r.plain()["metadata"]["name"] == CONNECTION_SECRET
    ]
    assert len({r.provider for r in secrets}) == len(secrets) == 2  # one on each cluster
    for secret in secrets:
        assert "stringData" in secret.secret_inputs()
        assert secret.plain()["stringData"][CONNECTION_KEY]
    (env,) = values["extraEnvs"]
    assert env["valueFrom"]["secretKeyRef"] == {"name": CONNECTION_SECRET, "key": CONNECTION_KEY}
    # services learn the collector's OTLP address as they learn the registry's: from their cluster Secret
    clusters = [r.plain() for r in recording.of_type("kubernetes:core/v1:Secret") if r.name.startswith("clusters-")]
    assert len(clusters) == 2
    for cluster in clusters:
        annotations = cluster["metadata"]["annotations"]
        assert annotations["slipway.io/otlp-grpc-endpoint"] == f"http://{FULLNAME}.opentelemetry.svc:{OTLP_GRPC_PORT}"
        assert annotations["slipway.io/otlp-http-endpoint"] == f"http://{FULLNAME}.opentelemetry.svc:4318"


def test_the_exporter_and_pipeline_parts_exist_in_the_pinned_collector(recorded: Callable[[str], Recording]) -> None:
    """azuremonitor is in the contrib distribution's manifest; otlp, batch and memory_limiter are the chart's own."""
    values = collector_values(recorded("dev"))
    manifest = yaml.safe_load((OTEL / "otelcol-contrib-manifest.yaml").read_text())
    exporters = {m["gomod"].split()[0].rsplit("/", 1)[-1] for m in manifest["exporters"]}
    assert "azuremonitorexporter" in exporters
    assert f"v{CHART.app_version}" in (OTEL / "otelcol-contrib-manifest.yaml").read_text()
    defaults = chart_defaults(CHART.name, CHART.version)["config"]
    pipeline = values["config"]["service"]["pipelines"]["traces"]
    assert set(pipeline["receivers"]) <= set(defaults["receivers"])
    assert set(pipeline["processors"]) <= set(defaults["processors"])
    assert defaults["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"].endswith(f":{OTLP_GRPC_PORT}")
    assert "connection_string" in (OTEL / "azuremonitorexporter-README-excerpt.md").read_text()
    assert values["fullnameOverride"] == FULLNAME


def test_an_otlp_backend_replaces_application_insights() -> None:
    document = stack_document("dev")
    slipway(document, "platform")["traces"] = {"backend": "otlp", "otlpEndpoint": "https://tempo.example.com:4318"}
    recording = run_stack_document("dev", document)
    assert not recording.of_type("azure-native:applicationinsights:Component")
    config = collector_values(recording)["config"]
    assert config["exporters"] == {"otlphttp": {"endpoint": "https://tempo.example.com:4318"}}
    assert "endpoint" in (OTEL / "otlphttpexporter-README.md").read_text()


def test_traces_can_be_switched_off_and_the_local_stack_has_none(recorded: Callable[[str], Recording]) -> None:
    assert "traces" not in application_sets(recorded("local"))
    document = stack_document("dev")
    slipway(document, "platform")["traces"] = {"backend": "none"}
    recording = run_stack_document("dev", document)
    assert "traces" not in application_sets(recording)
    assert not recording.of_type("azure-native:applicationinsights:Component")
    for cluster in (
        r.plain() for r in recording.of_type("kubernetes:core/v1:Secret") if r.name.startswith("clusters-")
    ):
        assert "slipway.io/otlp-grpc-endpoint" not in cluster["metadata"]["annotations"]


@pytest.mark.parametrize(
    "traces",
    [
        {"backend": "otlp"},
        {"otlpEndpoint": "https://tempo.example.com"},
        {"backend": "jaeger"},
        {"backend": "otlp", "otlpEndpoint": "ftp://x"},
    ],
)
def test_bad_traces_settings_are_refused_naming_the_key(traces: dict[str, Any]) -> None:
    document = stack_document("dev")
    slipway(document, "platform")["traces"] = traces
    problems = problems_of(document)
    assert problems and any("traces" in p for p in problems), problems
