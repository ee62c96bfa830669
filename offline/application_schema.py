"""An Application as Go's encoding/json decodes it into ArgoCD v3.4.4's `v1alpha1.Application`.

After a `templatePatch` the ApplicationSet controller unmarshals the patched JSON into the
Application type (argoproj/argo-cd v3.4.4, applicationset/controllers/template/patch.go
applyTemplatePatch: `json.Unmarshal(data, &app)`): a field the type does not have is dropped, a
value of the wrong JSON type fails the ApplicationSet. The type's shape is taken from the
Application CRD that ArgoCD generates from that type (manifests/crds/application-crd.yaml at
v3.4.4, as pinned in tests/schemas/crds/argo-cd/v3.4.4/), stripped of descriptions and `status`:
offline/reference/argocd/application-schema.json.

Modelled: objects with properties (unknown keys dropped), maps (`additionalProperties`), opaque
objects (kept whole: `metadata`, raw values), arrays, strings, booleans, integers (a JSON number
with a fraction fails, as Go's int64 does), `x-kubernetes-int-or-string`; `null` leaves the
zero value (the key is dropped). Not modelled: Go's case-insensitive matching of JSON keys to
field names (a key differing from the schema only in case raises Unsupported).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from offline.unsupported import Unsupported

SCHEMA = Path(__file__).parent / "reference" / "argocd" / "application-schema.json"
_JSON_TYPES = {str: "string", bool: "bool", int: "number", float: "number", list: "array", dict: "object"}


class DecodeError(ValueError):
    """Go's `json: cannot unmarshal <JSON type> into Go struct field <path> of type <kind>`."""


@cache
def application_schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text())  # type: ignore[no-any-return]


def _json_type(value: Any) -> str:
    return next((name for kind, name in _JSON_TYPES.items() if isinstance(value, kind)), type(value).__name__)


def _fail(value: Any, path: str, kind: str) -> DecodeError:
    return DecodeError(f"json: cannot unmarshal {_json_type(value)} into Go struct field {path} of type {kind}")


def _object(schema: Mapping[str, Any], value: Mapping[str, Any], path: str) -> dict[str, Any]:
    properties = schema.get("properties")
    extra = schema.get("additionalProperties")
    if properties is None and not isinstance(extra, Mapping):
        return dict(value)  # opaque: ObjectMeta, raw JSON values
    decoded: dict[str, Any] = {}
    for key, item in value.items():
        if properties is not None and key in properties:
            child = properties[key]
        elif isinstance(extra, Mapping):
            child = extra
        else:
            if properties is not None and any(key.lower() == known.lower() for known in properties):
                raise Unsupported(f"{path}.{key}: Go matches JSON keys to fields case-insensitively")
            continue  # a field the Go type lacks: dropped
        if item is not None:
            decoded[key] = decode(child, item, f"{path}.{key}")
    return decoded


def decode(schema: Mapping[str, Any], value: Any, path: str = "Application") -> Any:
    """`value` as json.Unmarshal leaves it in the typed Application; DecodeError where Go fails."""
    if schema.get("x-kubernetes-int-or-string"):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _fail(value, path, "intstr.IntOrString")
        return value
    kind = schema.get("type")
    if kind == "object":
        if not isinstance(value, Mapping):
            raise _fail(value, path, "object")
        return _object(schema, value, path)
    if kind == "array":
        if not isinstance(value, list):
            raise _fail(value, path, "array")
        items = schema.get("items") or {}
        return [decode(items, item, f"{path}[{index}]") for index, item in enumerate(value)]
    if kind == "string" and not isinstance(value, str):
        raise _fail(value, path, "string")
    if kind == "boolean" and not isinstance(value, bool):
        raise _fail(value, path, "bool")
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int | float) or float(value) != int(value):
            raise _fail(value, path, "int64")
        return int(value)
    return value


def decode_application(application: Mapping[str, Any]) -> dict[str, Any]:
    """The Application as the controller holds it after decoding (apiVersion, kind, metadata, spec...)."""
    return dict(decode(application_schema(), application))
