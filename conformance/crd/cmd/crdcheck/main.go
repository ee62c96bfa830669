// Command crdcheck validates custom resources as the Kubernetes API server does on create, with
// k8s.io/apiextensions-apiserver v0.33.13's own code: the CRD served as the handler serves it
// (apihelpers.GetSchemaForVersion, the internal schema, a structural schema), the object
// decoded as kubectl sends it (YAML to JSON, integers kept as int64), pruned and coerced as the
// handler's schema coercer does (unknown fields reported, as server-side strict field validation
// reports them), defaulted, then validated by the custom-resource strategy (OpenAPI schema,
// metadata, list types, CEL rules).
//
// Arguments: CRD YAML files. One JSON case a line on stdin: {"object": "<YAML of one object>",
// "crd": "<YAML of one CRD>"} ("crd" only for a CRD not among the files: a Gatekeeper constraint's).
// One JSON line out per case: {"errors": [...], "unknown": [...]} or {"error": "..."}.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	apiextensionsinternal "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apiextensions-apiserver/pkg/apihelpers"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apiextensions-apiserver/pkg/registry/customresource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"
)

type served struct {
	structural *structuralschema.Structural
	validate   func(context.Context, runtime.Object) field.ErrorList
}

type testCase struct {
	Object string `json:"object"`
	CRD    string `json:"crd"`
}

type verdict struct {
	Errors  []string `json:"errors"`
	Unknown []string `json:"unknown"`
	Error   string   `json:"error,omitempty"`
}

// serve builds, for each version of the CRD, what the API server's CRD handler builds.
func serve(crd *apiextensionsv1.CustomResourceDefinition, into map[schema.GroupVersionKind]served) error {
	for _, v := range crd.Spec.Versions {
		gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: v.Name, Kind: crd.Spec.Names.Kind}
		validation, err := apihelpers.GetSchemaForVersion(crd, v.Name)
		if err != nil {
			return err
		}
		internal := &apiextensionsinternal.CustomResourceValidation{}
		if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(validation, internal, nil); err != nil {
			return err
		}
		validator, _, err := apiservervalidation.NewSchemaValidator(internal.OpenAPIV3Schema)
		if err != nil {
			return err
		}
		structural, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
		if err != nil {
			return fmt.Errorf("%s: not a structural schema: %w", gvk, err)
		}
		if errs := structuralschema.ValidateStructural(nil, structural); len(errs) > 0 {
			return fmt.Errorf("%s: not a structural schema: %v", gvk, errs.ToAggregate())
		}
		strategy := customresource.NewStrategy(runtime.NewScheme(), crd.Spec.Scope == apiextensionsv1.NamespaceScoped,
			gvk, validator, nil, structural, nil, nil, v.SelectableFields)
		into[gvk] = served{structural: structural, validate: strategy.Validate}
	}
	return nil
}

func loadFiles(paths []string) (map[schema.GroupVersionKind]served, error) {
	crds := map[schema.GroupVersionKind]served{}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		reader := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(string(data))))
		for {
			doc, err := reader.Read()
			if err != nil {
				break
			}
			if strings.TrimSpace(string(doc)) == "" {
				continue
			}
			crd := &apiextensionsv1.CustomResourceDefinition{}
			if err := yaml.UnmarshalStrict(doc, crd); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			if err := serve(crd, crds); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
		}
	}
	return crds, nil
}

// check runs one object through the handler's decode, coercion, defaulting and the strategy.
func check(c testCase, crds map[schema.GroupVersionKind]served) verdict {
	if c.CRD != "" {
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.UnmarshalStrict([]byte(c.CRD), crd); err != nil {
			return verdict{Error: "crd: " + err.Error()}
		}
		crds = map[schema.GroupVersionKind]served{}
		if err := serve(crd, crds); err != nil {
			return verdict{Error: "crd: " + err.Error()}
		}
	}
	data, err := yaml.YAMLToJSON([]byte(c.Object))
	if err != nil {
		return verdict{Error: "yaml: " + err.Error()}
	}
	u := &unstructured.Unstructured{}
	if err := utiljson.Unmarshal(data, &u.Object); err != nil {
		return verdict{Error: "json: " + err.Error()}
	}
	gvk := u.GroupVersionKind()
	crd, ok := crds[gvk]
	if !ok {
		return verdict{Error: fmt.Sprintf("no CRD serves %s", gvk)}
	}
	unknown, err := coerce(u, crd.structural)
	if err != nil {
		return verdict{Error: "decode: " + err.Error()}
	}
	structuraldefaulting.Default(u.Object, crd.structural)
	v := verdict{Errors: []string{}, Unknown: unknown}
	for _, e := range crd.validate(context.Background(), u) {
		v.Errors = append(v.Errors, e.Error())
	}
	return v
}

// coerce is what the CRD handler's unstructuredSchemaCoercer.apply does on create, with unknown
// field paths returned (customresource_handler.go).
func coerce(u *unstructured.Unstructured, s *structuralschema.Structural) ([]string, error) {
	kind, apiVersion := u.GetKind(), u.GetAPIVersion()
	objectMeta, foundObjectMeta, unknown, err := schemaobjectmeta.GetObjectMetaWithOptions(u.Object,
		schemaobjectmeta.ObjectMetaOptions{ReturnUnknownFieldPaths: true})
	if err != nil {
		return nil, err
	}
	unknown = append(unknown, structuralpruning.PruneWithOptions(u.Object, s, true,
		structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})...)
	structuraldefaulting.PruneNonNullableNullsWithoutDefaults(u.Object, s)
	fieldErr, paths := schemaobjectmeta.CoerceWithOptions(nil, u.Object, s, false,
		schemaobjectmeta.CoerceOptions{ReturnUnknownFieldPaths: true})
	if fieldErr != nil {
		return nil, fieldErr
	}
	unknown = append(unknown, paths...)
	u.SetKind(kind)
	u.SetAPIVersion(apiVersion)
	if foundObjectMeta {
		if err := schemaobjectmeta.SetObjectMeta(u.Object, objectMeta); err != nil {
			return nil, err
		}
	}
	if unknown == nil {
		unknown = []string{}
	}
	return unknown, nil
}

func main() {
	crds, err := loadFiles(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "crdcheck:", err)
		os.Exit(2)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	enc := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var c testCase
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			fmt.Fprintln(os.Stderr, "crdcheck: bad case:", err)
			os.Exit(2)
		}
		if err := enc.Encode(check(c, crds)); err != nil {
			fmt.Fprintln(os.Stderr, "crdcheck:", err)
			os.Exit(2)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "crdcheck:", err)
		os.Exit(2)
	}
}
