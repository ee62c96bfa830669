"""The Applications ArgoCD v3.4.4's ApplicationSet controller would create, computed in Python.

`expand(application_set, cluster_secrets)` follows the controller's code path
(argoproj/argo-cd v3.4.4: `applicationset/controllers/template/template.go`
GenerateApplications, `applicationset/generators/{cluster,list,matrix,generator_spec_processor,
value_interpolation}.go`, `applicationset/utils/{utils,selector}.go`,
`applicationset/controllers/template/patch.go`):

- generators `list` (elements and elementsYaml), `clusters` (label selector with matchLabels and
  matchExpressions, the in-cluster entry when no selector is given and no Secret names it,
  `values`, `flatList`) and `matrix` of exactly two children (nested once), each with an optional
  post-selector over the flattened parameters;
- in goTemplate mode the matrix merges its children's parameters with mergo, the FIRST child
  winning on conflicting keys (an empty cluster `project` included), and renders the second
  child with the first child's parameters; in the default (fasttemplate) mode it combines flat
  string maps and fails on conflicting values;
- the template rendered with Go's text/template and sprig (`offline.gotemplate`), map keys too;
  the `resources-finalizer.argocd.argoproj.io` finalizer unless `preserveResourcesOnDeletion`;
  `templatePatch` applied as a strategic merge patch (`null` deletes, lists replace) that cannot
  change `spec.project`; the Application's namespace forced to the ApplicationSet's.

Errors ArgoCD reports (a matrix of one or three generators, a missing key under
`missingkey=error`, an unparsable patch) raise `ApplicationSetError`: the controller then
generates nothing for the ApplicationSet. Anything not modelled (git, SCM, pull-request,
plugin, duck-type and merge generators, per-generator templates, progressive sync, Go template
features outside `offline.gotemplate`) raises `Unsupported`. Duplicate names and project
checks belong to admission (`offline.admission`), as they do to the controller's validation
step. Not modelled either: the controller's ownerReference (it needs the live object's uid).
"""

from __future__ import annotations

import base64
import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from offline import gotemplate
from offline.application_schema import DecodeError, decode_application
from offline.engine import Recording
from offline.gotemplate import StringMap, TemplateError
from offline.unsupported import Unsupported

__all__ = [
    "ApplicationSetError",
    "Unsupported",
    "applications",
    "expand",
    "generate_params",
    "interpolate_generator",
    "render_application",
]

CLUSTER_SECRET_LABEL = ("argocd.argoproj.io/secret-type", "cluster")
IN_CLUSTER = {"name": "in-cluster", "server": "https://kubernetes.default.svc"}
RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io"
# ApplicationSetGenerator's fields in declaration order (GetRelevantGenerators walks them so).
GENERATOR_FIELDS: tuple[str, ...] = ("list", "clusters", "git", "scmProvider", "clusterDecisionResource")
GENERATOR_FIELDS += ("pullRequest", "matrix", "merge", "plugin")
MODELLED_GENERATORS = ("list", "clusters", "matrix")
SPEC_FIELDS = {
    "goTemplate",
    "goTemplateOptions",
    "generators",
    "template",
    "templatePatch",
    "syncPolicy",
    "strategy",
    "preservedFields",
    "applyNestedSelectors",
    "ignoreApplicationDifferences",
}


class ApplicationSetError(Exception):
    """An error ArgoCD's ApplicationSet controller reports: it then creates no Application."""


class _Options:
    """How an ApplicationSet renders: Go templates (with options) or fasttemplate."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.go_template = bool(spec.get("goTemplate", False))
        self.go_options = list(spec.get("goTemplateOptions") or [])
        gotemplate.missingkey(self.go_options)  # Unsupported for options not modelled

    def replace(self, text: str, params: Mapping[str, Any], options: Sequence[str] | None = None) -> str:
        """utils.Render.Replace."""
        if self.go_template:
            try:
                return gotemplate.render(text, params, self.go_options if options is None else options)
            except TemplateError as err:
                raise ApplicationSetError(f"failed to execute go template {text}: {err}") from err
        return _fasttemplate(text, params)


def _fasttemplate(text: str, params: Mapping[str, Any]) -> str:
    """fasttemplate with `{{`/`}}`: a tag naming a string parameter is replaced, others kept."""
    if not re.fullmatch(r".*{{.*}}.*", text, re.S):
        return text
    out, position = [], 0
    while (start := text.find("{{", position)) >= 0:
        end = text.find("}}", start + 2)
        if end < 0:
            raise ApplicationSetError(f"invalid template: cannot find end tag in {text!r}")
        out.append(text[position:start])
        tag = text[start + 2 : end]
        replacement = params.get(tag.strip())
        out.append(replacement if tag.strip() and isinstance(replacement, str) else "{{" + tag + "}}")
        position = end + 2
    out.append(text[position:])
    return "".join(out)


def _deep_replace(value: Any, params: Mapping[str, Any], options: _Options) -> Any:
    """Render.deeplyReplace: every string, map keys included; nil map values dropped."""
    if isinstance(value, str):
        return options.replace(value, params)
    if isinstance(value, Mapping):
        return {
            options.replace(key, params): _deep_replace(item, params, options)
            for key, item in value.items()
            if item is not None
        }
    if isinstance(value, list):
        return [_deep_replace(item, params, options) for item in value]
    return value


# ---------------------------------------------------------------------------------------------
# Cluster Secrets and label selectors
# ---------------------------------------------------------------------------------------------


def secret_data(secret: Mapping[str, Any]) -> dict[str, str]:
    """The Secret's data as the API server stores it: `data` decoded, `stringData` over it."""
    data = {key: base64.b64decode(value).decode() for key, value in (secret.get("data") or {}).items()}
    data.update(secret.get("stringData") or {})
    return data


def _requirement_matches(requirement: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    key, operator = requirement["key"], requirement["operator"]
    values = list(requirement.get("values") or [])
    if operator == "In":
        return key in labels and labels[key] in values
    if operator == "NotIn":
        return key not in labels or labels[key] not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    raise ApplicationSetError(f'"{operator}" is not a valid label selector operator')


# k8s.io/apimachinery pkg/util/validation/validation.go: qualifiedNameFmt, IsQualifiedName (an
# optional DNS-1123 subdomain prefix of at most 253 characters, `/`, a name of at most 63) and
# IsValidLabelValue (at most 63, empty allowed).
_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _qualified_name(key: str) -> bool:
    parts = key.split("/")
    if len(parts) > 2:
        return False
    if len(parts) == 2 and not (parts[0] and len(parts[0]) <= 253 and _DNS1123_SUBDOMAIN.match(parts[0])):
        return False
    return len(parts[-1]) <= 63 and bool(_QUALIFIED_NAME.match(parts[-1]))


def validate_selector(selector: Mapping[str, Any] | None, *, values: bool) -> None:
    """LabelSelectorAsSelector's checks, an ApplicationSetError where it errs (not an empty match).

    Both ArgoCD's own (applicationset/utils/selector.go newRequirement, for post-selectors: keys and
    value counts) and, with `values`, apimachinery's (the clusters generator: label values too).
    """
    selector = selector or {}
    requirements = [(k, "Equals", [v]) for k, v in (selector.get("matchLabels") or {}).items()]
    for expression in selector.get("matchExpressions") or []:
        operator = expression.get("operator")
        if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            raise ApplicationSetError(
                f'error converting label selector: "{operator}" is not a valid pod selector operator'
            )
        requirements.append((expression.get("key", ""), operator, list(expression.get("values") or [])))
    for key, operator, given in requirements:
        if not _qualified_name(str(key)):
            raise ApplicationSetError(f"error converting label selector: key: Invalid value: {key!r}")
        if operator in ("In", "NotIn") and not given:
            raise ApplicationSetError(
                "error converting label selector: for 'in', 'notin' operators, values set can't be empty"
            )
        if operator in ("Exists", "DoesNotExist") and given:
            raise ApplicationSetError(
                "error converting label selector: values set must be empty for exists and does not exist"
            )
        for value in given if values else []:
            if len(str(value)) > 63 or not (value == "" or _QUALIFIED_NAME.match(str(value))):
                raise ApplicationSetError(f"error converting label selector: values: Invalid value: {value!r}")


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """metav1.LabelSelector semantics: every matchLabels pair and every matchExpressions entry."""
    selector = selector or {}
    unknown = set(selector) - {"matchLabels", "matchExpressions"}
    if unknown:
        raise Unsupported(f"label selector fields {sorted(unknown)}")
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    return all(_requirement_matches(r, labels) for r in selector.get("matchExpressions") or [])


def _selector_empty(selector: Mapping[str, Any] | None) -> bool:
    return not (selector or {}).get("matchLabels") and not (selector or {}).get("matchExpressions")


# ---------------------------------------------------------------------------------------------
# Generators
# ---------------------------------------------------------------------------------------------


def _cluster_params(secret: Mapping[str, Any], data: Mapping[str, str], options: _Options) -> dict[str, Any]:
    """ClusterGenerator.getClusterParameters."""
    params: dict[str, Any] = {
        "name": data.get("name", ""),
        "nameNormalized": gotemplate.sanitize_name(data.get("name", "")),
        "server": data.get("server", ""),
        "project": data.get("project", ""),
    }
    metadata = secret.get("metadata") or {}
    labels, annotations = metadata.get("labels") or {}, metadata.get("annotations") or {}
    if options.go_template:
        meta: dict[str, Any] = {}
        if annotations:
            meta["annotations"] = StringMap(annotations)
        if labels:
            meta["labels"] = StringMap(labels)
        params["metadata"] = meta
    else:
        params.update({f"metadata.annotations.{key}": value for key, value in annotations.items()})
        params.update({f"metadata.labels.{key}": value for key, value in labels.items()})
    return params


def _append_values(values: Mapping[str, str] | None, params: dict[str, Any], options: _Options) -> None:
    """appendTemplatedValues: each value rendered with the parameters known before `values`."""
    rendered = {key: options.replace(value, params) for key, value in (values or {}).items()}
    if not rendered:
        return
    if options.go_template:
        params["values"] = StringMap(rendered)
    else:
        params.update({f"values.{key}": value for key, value in rendered.items()})


def _clusters(
    generator: Mapping[str, Any], secrets: Sequence[Mapping[str, Any]], options: _Options
) -> list[dict[str, Any]]:
    """ClusterGenerator.GenerateParams."""
    unknown = set(generator) - {"selector", "values", "flatList", "template"}
    if unknown:
        raise Unsupported(f"clusters generator fields {sorted(unknown)}")
    selector = generator.get("selector") or {}
    validate_selector(selector, values=True)
    matching: dict[str, tuple[Mapping[str, Any], dict[str, str]]] = {}
    # The API lists Secrets by name; the generator keys them by cluster name, the last one winning.
    for secret in sorted(secrets, key=lambda s: str((s.get("metadata") or {}).get("name", ""))):
        labels = (secret.get("metadata") or {}).get("labels") or {}
        if labels.get(CLUSTER_SECRET_LABEL[0]) != CLUSTER_SECRET_LABEL[1] or not selector_matches(selector, labels):
            continue
        data = secret_data(secret)
        matching[data.get("name", "")] = (secret, data)
    found = []
    for name in sorted(matching):
        secret, data = matching[name]
        params = _cluster_params(secret, data, options)
        _append_values(generator.get("values"), params, options)
        found.append(params)
    listed = [data for _, data in matching.values()]
    if _selector_empty(selector) and not any(d.get("server") == IN_CLUSTER["server"] for d in listed):
        params = {**IN_CLUSTER, "nameNormalized": IN_CLUSTER["name"], "project": ""}
        _append_values(generator.get("values"), params, options)
        found.append(params)
    if generator.get("flatList"):
        return [{"clusters": _ClusterList(found)}]
    return found


class _ClusterList(list[dict[str, Any]]):
    """flatList's `[]map[string]any`: flattening keeps it whole, as a leaf printed with %v."""


def _json_numbers(value: Any) -> Any:
    """A list element as json.Unmarshal into `any` gives it: every number a float64."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, Mapping):
        return {key: _json_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_numbers(item) for item in value]
    return value


def _list(generator: Mapping[str, Any], options: _Options) -> list[dict[str, Any]]:
    """ListGenerator.GenerateParams."""
    unknown = set(generator) - {"elements", "elementsYaml", "template"}
    if unknown:
        raise Unsupported(f"list generator fields {sorted(unknown)}")
    found: list[dict[str, Any]] = []
    for element in generator.get("elements") or []:
        if not isinstance(element, Mapping):
            raise ApplicationSetError("error unmarshling list element")
        if options.go_template:
            found.append(_json_numbers(dict(element)))
            continue
        params: dict[str, Any] = {}
        for key, value in element.items():
            if key == "values":
                if not isinstance(value, Mapping):
                    raise ApplicationSetError("error parsing values map")
                for inner, text in value.items():
                    if not isinstance(text, str):
                        raise ApplicationSetError("error parsing value as string")
                    params[f"values.{inner}"] = text
            elif isinstance(value, str):
                params[key] = value
            else:
                raise ApplicationSetError("error parsing value as string")
        found.append(params)
    if generator.get("elementsYaml"):
        loaded = yaml.safe_load(generator["elementsYaml"])
        if not isinstance(loaded, list) or not all(isinstance(item, Mapping) for item in loaded):
            raise ApplicationSetError("error unmarshling decoded ElementsYaml")
        found += [_json_numbers(dict(item)) for item in loaded]
    return found


def _go_merge(destination: dict[str, Any], source: Mapping[str, Any]) -> None:
    """mergo.Merge(&destination, source, mergo.WithOverride) on map[string]any values."""
    for key, value in source.items():
        current = destination.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping) and current:
            if isinstance(value, StringMap) != isinstance(current, StringMap):
                raise Unsupported(f"merging a map[string]string and a map[string]any under {key!r}")
            _go_merge(current, value)  # type: ignore[arg-type]
        elif isinstance(value, Mapping) != isinstance(current, Mapping) and key in destination and current:
            raise Unsupported(f"merging a map with a non-map under {key!r}")
        else:
            destination[key] = value


def _combine_string_maps(first: Mapping[str, Any], second: Mapping[str, Any]) -> dict[str, Any]:
    """utils.CombineStringMaps: values printed with %v; a key with two values is an error."""
    combined = {key: gotemplate.go_print(value, nested=True) for key, value in first.items()}
    for key, value in second.items():
        text = gotemplate.go_print(value, nested=True)
        if key in combined and combined[key] != text:
            raise ApplicationSetError(f"found duplicate key {key} with different value, a: {combined[key]} ,b: {text}")
        combined[key] = text
    return combined


def _matrix(
    generator: Mapping[str, Any], secrets: Sequence[Mapping[str, Any]], options: _Options
) -> list[dict[str, Any]]:
    """MatrixGenerator.GenerateParams."""
    unknown = set(generator) - {"generators", "template"}
    if unknown:
        raise Unsupported(f"matrix generator fields {sorted(unknown)}")
    children = list(generator.get("generators") or [])
    if len(children) < 2:
        raise ApplicationSetError("found less than two generators, Matrix support only two")
    if len(children) > 2:
        raise ApplicationSetError("found more than two generators, Matrix support only two")
    found = []
    for first in _child_params(children[0], secrets, options, {}):
        for second in _child_params(children[1], secrets, options, first):
            if options.go_template:
                merged: dict[str, Any] = {}
                _go_merge(merged, copy.deepcopy(second))
                _go_merge(merged, copy.deepcopy(first))
                found.append(merged)
            else:
                found.append(_combine_string_maps(first, second))
    return found


def _child_params(
    child: Mapping[str, Any], secrets: Sequence[Mapping[str, Any]], options: _Options, params: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """MatrixGenerator.getParams: one child generator, interpolated with `params` when any."""
    results = _transform(child, secrets, options, params)
    if not results:
        raise ApplicationSetError("child generator generated no parameters")
    if len(results) > 1:
        raise ApplicationSetError("found more than one generator in matrix.Generators")
    return results[0]


def _interpolate(generator: Mapping[str, Any], params: Mapping[str, Any], options: _Options) -> Any:
    """RenderGeneratorParams: every string rendered; `values` maps pre-resolved, missing keys kept."""

    def walk(value: Any, parent_is_generator: bool) -> Any:
        if isinstance(value, str):
            return options.replace(value, params)
        if isinstance(value, Mapping):
            out = {}
            for key, item in value.items():
                if item is None:
                    continue
                if parent_is_generator and key == "values" and isinstance(item, Mapping):
                    out[key] = {name: resolve(text) for name, text in item.items()}
                else:
                    out[options.replace(key, params)] = walk(item, key in GENERATOR_FIELDS)
            return out
        if isinstance(value, list):
            return [walk(item, False) for item in value]
        return value

    def resolve(text: str) -> str:
        if not options.go_template:
            return _fasttemplate(text, params)
        strict = [o for o in options.go_options if not o.startswith("missingkey=")] + ["missingkey=error"]
        try:
            return gotemplate.render(text, params, strict)
        except TemplateError as err:
            if "map has no entry for key" in str(err) or "can't evaluate field" in str(err):
                return text
            raise ApplicationSetError(f"failed to pre-resolve Values: {err}") from err

    return walk(generator, False)


def interpolate_generator(
    generator: Mapping[str, Any],
    params: Mapping[str, Any],
    *,
    go_template: bool,
    go_template_options: Sequence[str] = (),
) -> dict[str, Any]:
    """Render.RenderGeneratorParams: a matrix's second generator with the first one's parameters."""
    options = _Options({"goTemplate": go_template, "goTemplateOptions": list(go_template_options)})
    return dict(_interpolate(generator, params, options))


def _flatten(params: Mapping[str, Any]) -> dict[str, str]:
    """flattenParameters: dotted keys over nested maps and lists, leaves printed with %v."""
    flat: dict[str, str] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        elif isinstance(value, list) and not isinstance(value, _ClusterList):
            for index, item in enumerate(value):
                walk(f"{prefix}.{index}" if prefix else str(index), item)
        else:
            flat[prefix] = gotemplate.go_print(value, nested=True)

    walk("", params)
    return flat


def _transform(
    generator: Mapping[str, Any],
    secrets: Sequence[Mapping[str, Any]],
    options: _Options,
    params: Mapping[str, Any],
) -> list[list[dict[str, Any]]]:
    """generators.Transform: each generator field's parameters, post-selected."""
    unknown = set(generator) - {*GENERATOR_FIELDS, "selector"}
    if unknown:
        raise Unsupported(f"generators {sorted(unknown)}")
    if params:
        generator = _interpolate(generator, params, options)
    results = []
    for name in GENERATOR_FIELDS:
        if generator.get(name) is None:
            continue
        if name not in MODELLED_GENERATORS:
            raise Unsupported(f"the {name} generator")
        body = generator[name]
        if body.get("template"):
            raise Unsupported(f"a template inside the {name} generator")
        if name == "list":
            found = _list(body, options)
        elif name == "clusters":
            found = _clusters(body, secrets, options)
        else:
            found = _matrix(body, secrets, options)
        if generator.get("selector") is not None:
            validate_selector(generator["selector"], values=False)
            found = [p for p in found if selector_matches(generator["selector"], _flatten(p))]
        results.append(found)
    return results


def generate_params(
    generator: Mapping[str, Any], application_set: Mapping[str, Any], cluster_secrets: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The parameter sets one top-level generator of this ApplicationSet yields."""
    options = _Options(application_set.get("spec") or {})
    return [params for found in _transform(generator, cluster_secrets, options, {}) for params in found]


# ---------------------------------------------------------------------------------------------
# Rendering and patching
# ---------------------------------------------------------------------------------------------


def render_application(
    template: Mapping[str, Any],
    params: Mapping[str, Any],
    *,
    go_template: bool,
    go_template_options: Sequence[str] = (),
    sync_policy: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Render.RenderTemplateParams on GetTempApplication(template): metadata and spec."""
    metadata = template.get("metadata") or {}
    unknown = set(metadata) - {"name", "namespace", "labels", "annotations", "finalizers"}
    if unknown:
        raise Unsupported(f"template metadata fields {sorted(unknown)}")
    application = {"metadata": copy.deepcopy(dict(metadata)), "spec": copy.deepcopy(template.get("spec") or {})}
    if not params:
        return application  # ArgoCD returns the template untouched, without a finalizer
    options = _Options({"goTemplate": go_template, "goTemplateOptions": list(go_template_options)})
    rendered: dict[str, Any] = _deep_replace(application, params, options)
    if not (sync_policy or {}).get("preserveResourcesOnDeletion") and not rendered["metadata"].get("finalizers"):
        rendered["metadata"]["finalizers"] = [RESOURCES_FINALIZER]
    return rendered


def _strategic_merge(original: Any, patch: Any) -> Any:
    """A strategic merge patch on the Application type: maps merge, `null` deletes, lists replace.

    k8s.io/apimachinery v0.34.0 (ArgoCD v3.4.4's; commit b72d93d174332f952a8d431419fece5e6f044bcb)
    pkg/util/strategicpatch/patch.go mergeMap with IgnoreUnmatchedNulls: a null deletes the key, nulls
    inside a new subtree are discarded; lists replace because the Application type declares no
    patch merge keys (pkg/apis/application/v1alpha1/types.go).
    """
    if not isinstance(patch, Mapping) or not isinstance(original, Mapping):
        return copy.deepcopy(patch)
    merged = dict(original)
    for key, value in patch.items():
        if key.startswith("$"):
            raise Unsupported(f"strategic merge patch directive {key}")
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _strategic_merge(merged[key], value)
        elif isinstance(value, Mapping):
            merged[key] = _strategic_merge({}, value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def apply_template_patch(application: Mapping[str, Any], patch_text: str) -> dict[str, Any]:
    """applyTemplatePatch: YAML or JSON, merged strategically, `spec.project` restored, decoded as Go
    decodes it into an Application (`offline.application_schema`: unknown fields dropped, wrong types fail)."""
    try:
        patch = yaml.safe_load(patch_text) if patch_text.strip() else None
    except yaml.YAMLError as err:
        raise ApplicationSetError(f"error while converting template to json: {err}") from err
    if patch is None:
        patch = {}
    if not isinstance(patch, Mapping):
        raise ApplicationSetError(f"invalid templatePatch {patch_text!r}: not an object")
    patched = _strategic_merge(application, patch)
    spec = dict(patched.get("spec") or {})
    project = (application.get("spec") or {}).get("project")
    if project is None:
        spec.pop("project", None)
    else:
        spec["project"] = project
    patched["spec"] = spec
    try:
        return decode_application(patched)
    except DecodeError as err:
        raise ApplicationSetError(f"error unmarshalling the patched template into an Application: {err}") from err


def expand(application_set: Mapping[str, Any], cluster_secrets: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The Application manifests ArgoCD would generate from this ApplicationSet manifest."""
    spec = application_set.get("spec") or {}
    unknown = set(spec) - SPEC_FIELDS
    if unknown:
        raise Unsupported(f"ApplicationSet spec fields {sorted(unknown)}")
    if (spec.get("strategy") or {}).get("type", "AllAtOnce") != "AllAtOnce":
        raise Unsupported("progressive sync (strategy RollingSync)")
    options = _Options(spec)
    namespace = (application_set.get("metadata") or {}).get("namespace")
    generated = []
    for generator in spec.get("generators") or []:
        for found in _transform(generator, cluster_secrets, options, {}):
            for params in found:
                application = render_application(
                    spec.get("template") or {},
                    params,
                    go_template=options.go_template,
                    go_template_options=options.go_options,
                    sync_policy=spec.get("syncPolicy"),
                )
                if spec.get("templatePatch") is not None:
                    patch_text = options.replace(spec["templatePatch"], params)
                    application = apply_template_patch(application, patch_text)
                metadata = dict(application.get("metadata") or {})
                metadata.pop("namespace", None)
                if namespace:
                    metadata["namespace"] = namespace
                generated.append(
                    {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", **application, "metadata": metadata}
                )
    return generated


# ---------------------------------------------------------------------------------------------
# From a recording
# ---------------------------------------------------------------------------------------------


def recorded_objects(recording: Recording, kind_type: str) -> list[dict[str, Any]]:
    """The recorded Kubernetes objects of a Pulumi type, as manifests (plain inputs)."""
    objects = []
    for resource in recording.of_type(kind_type):
        inputs = resource.plain()
        objects.append({key: value for key, value in inputs.items() if not key.startswith("__")})
    return objects


def cluster_secrets(recording: Recording) -> list[dict[str, Any]]:
    """The ArgoCD cluster Secrets the program declares, as manifests."""
    return [
        secret
        for secret in recorded_objects(recording, "kubernetes:core/v1:Secret")
        if ((secret.get("metadata") or {}).get("labels") or {}).get(CLUSTER_SECRET_LABEL[0]) == CLUSTER_SECRET_LABEL[1]
    ]


def application_sets(recording: Recording) -> list[dict[str, Any]]:
    return recorded_objects(recording, "kubernetes:argoproj.io/v1alpha1:ApplicationSet")


def owned_applications(recording: Recording) -> list[tuple[str, dict[str, Any]]]:
    """Every Application every recorded ApplicationSet would generate, with the name of that ApplicationSet."""
    secrets = cluster_secrets(recording)
    generated = []
    for application_set in application_sets(recording):
        metadata = application_set.get("metadata") or {}
        # ArgoCD lists cluster Secrets in its own namespace, where Slipway's ApplicationSets live.
        local = [s for s in secrets if (s.get("metadata") or {}).get("namespace") == metadata.get("namespace")]
        generated += [(str(metadata.get("name", "")), app) for app in expand(application_set, local)]
    return generated


def applications(recording: Recording) -> list[dict[str, Any]]:
    """Every Application that every recorded ApplicationSet would generate."""
    return [application for _, application in owned_applications(recording)]


def idle_application_sets(recording: Recording, owned: Sequence[tuple[str, Mapping[str, Any]]]) -> list[str]:
    """The recorded ApplicationSets that generate no Application (`owned` from `owned_applications`)."""
    owners = {owner for owner, _ in owned}
    names = [str((s.get("metadata") or {}).get("name", "")) for s in application_sets(recording)]
    return sorted(name for name in names if name not in owners)
