"""Validation against pinned upstream schemas, for every layer's tests.

- Custom resources against their CRD's `openAPIV3Schema`, made as strict as the API
  server is: a field the schema does not know is an error (the server would prune it
  silently) unless the schema says `x-kubernetes-preserve-unknown-fields`.
- Custom resources' names as the API server checks them (the custom-resource strategy's
  `ValidateObjectMetaAccessor` with `NameIsDNSSubdomain`: k8s.io/apiextensions-apiserver v0.33.13
  `pkg/registry/customresource/validator.go`; the rule in k8s.io/apimachinery v0.33.13
  `pkg/util/validation/validation.go`, `dns1123SubdomainFmt` and `DNS1123SubdomainMaxLength`).
- Helm values against the pinned chart's `values.yaml`: every key we set must exist there,
  unless it sits under a map the chart leaves free-form (an empty default, or a map the
  chart documents as free-form, listed per chart).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
TEST_CRD_DIR = SCHEMA_DIR / "crds"

# Maps with documented defaults that take any key (ConfigMap data, in effect).
FREE_FORM_VALUES: dict[str, set[str]] = {
    "argo-cd": {"configs.cm", "configs.params", "configs.rbac"},
    # The collector's own configuration: its components' keys are the collector's, checked in test_traces.
    "opentelemetry-collector": {"config.exporters", "config.service.pipelines"},
}


_DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_SUBDOMAIN = re.compile(f"{_DNS1123_LABEL}(\\.{_DNS1123_LABEL})*")
DNS1123_SUBDOMAIN_MAX_LENGTH = 253


def _name_errors(document: Mapping[str, Any]) -> list[str]:
    name = document.get("metadata", {}).get("name")
    if not isinstance(name, str) or not name:
        return ["metadata.name: Required value"]
    if len(name) > DNS1123_SUBDOMAIN_MAX_LENGTH or not DNS1123_SUBDOMAIN.fullmatch(name):
        return [f"metadata.name: {name!r} is not a lowercase RFC 1123 subdomain"]
    return []


def _strict(schema: Any) -> Any:
    """The schema with Kubernetes' structural rules in JSON Schema terms."""
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    strict = {key: _strict(value) for key, value in schema.items()}
    if schema.get("x-kubernetes-int-or-string"):
        strict.pop("type", None)
        strict["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if schema.get("nullable") and "type" in strict:
        strict["type"] = [strict["type"], "null"]
    if (
        strict.get("type") == "object"
        and "properties" in strict
        and "additionalProperties" not in strict
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        strict["additionalProperties"] = False
    return strict


@cache
def crd_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> strict schema, for every pinned CRD the project has."""
    crds: list[dict[str, Any]] = []
    for path in sorted(TEST_CRD_DIR.rglob("*.yaml")):
        crds += yaml.load_all(path.read_text(), Loader=yaml.CSafeLoader)
    schemas = {}
    for crd in crds:
        spec = crd["spec"]
        for version in spec["versions"]:
            key = (f"{spec['group']}/{version['name']}", spec["names"]["kind"])
            schemas[key] = _strict(version["schema"]["openAPIV3Schema"])
    return schemas


def _errors(document: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    validator = jsonschema.Draft7Validator(schema)
    return [f"{'.'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator.iter_errors(document)]


def custom_resource_errors(document: Mapping[str, Any]) -> list[str]:
    """What the API server would reject or prune in this custom resource."""
    key = (document["apiVersion"], document["kind"])
    schema = crd_schemas().get(key)
    if schema is None:
        return [f"no pinned CRD for {key}"]
    return _name_errors(document) + _errors(document, schema)


def constraint_errors(constraint: Mapping[str, Any], template: Mapping[str, Any]) -> list[str]:
    """A Gatekeeper constraint against the CRD Gatekeeper generates from its template."""
    crd = template["spec"]["crd"]["spec"]
    parameters = crd.get("validation", {}).get("openAPIV3Schema", {"type": "object", "properties": {}})
    match_kind = {"type": "object", "properties": {"apiGroups": {"type": "array"}, "kinds": {"type": "array"}}}
    schema = _strict(
        {
            "type": "object",
            "required": ["apiVersion", "kind", "metadata", "spec"],
            "properties": {
                "apiVersion": {"enum": ["constraints.gatekeeper.sh/v1beta1"]},
                "kind": {"enum": [crd["names"]["kind"]]},
                "metadata": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                "spec": {
                    "type": "object",
                    "properties": {
                        "enforcementAction": {"enum": ["deny", "dryrun", "warn"]},
                        "match": {
                            "type": "object",
                            "properties": {
                                "kinds": {"type": "array", "items": match_kind},
                                "excludedNamespaces": {"type": "array", "items": {"type": "string"}},
                                "namespaces": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                        "parameters": parameters,
                    },
                },
            },
        }
    )
    return _name_errors(constraint) + _errors(constraint, schema)


@cache
def chart_defaults(chart: str, version: str) -> Any:
    return yaml.load(
        (SCHEMA_DIR / "helm-values" / chart / version / "values.yaml").read_text(), Loader=yaml.CSafeLoader
    )


def unknown_value_keys(chart: str, version: str, values: Mapping[str, Any]) -> list[str]:
    """The key paths in `values` that the pinned chart does not have."""
    free_form = FREE_FORM_VALUES.get(chart, set())

    def walk(ours: Any, theirs: Any, path: str) -> Iterable[str]:
        if not isinstance(ours, dict) or path in free_form:
            return
        if not isinstance(theirs, dict):
            yield f"{path}: the chart has no map here (default {theirs!r})"
            return
        if not theirs:  # an empty default map is free-form
            return
        for key, value in ours.items():
            child = f"{path}.{key}" if path else key
            if key not in theirs:
                yield child
            else:
                yield from walk(value, theirs[key], child)

    return list(walk(values, chart_defaults(chart, version), ""))
