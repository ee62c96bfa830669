// Command gatorcheck runs Gatekeeper v3.23.0's own gator on Slipway's policies, for checks 3 and 4.
//
// One JSON case a line on stdin: {"objects": [...]}, the templates, constraints and objects to
// review together, as `gator test` takes them (pkg/gator/test.Test: templates added, then
// constraints, then every object audited). One JSON line out per case:
// {"results": [{"object": "Kind/namespace/name", "constraint": "Kind/name", "msg": "...",
// "enforcementAction": "..."}], "crds": ["<YAML>", ...]} or {"error": "..."}. "crds" holds, for each
// template, the CRD Gatekeeper's template controller would apply (client.CreateCRD, converted to
// apiextensions/v1 as constrainttemplate_controller.go converts it).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"

	constraintclient "github.com/open-policy-agent/frameworks/constraint/pkg/client"
	"github.com/open-policy-agent/frameworks/constraint/pkg/client/drivers/rego"
	"github.com/open-policy-agent/gatekeeper/v3/apis"
	"github.com/open-policy-agent/gatekeeper/v3/pkg/gator/reader"
	gatortest "github.com/open-policy-agent/gatekeeper/v3/pkg/gator/test"
	"github.com/open-policy-agent/gatekeeper/v3/pkg/target"
	"github.com/open-policy-agent/gatekeeper/v3/pkg/util"
	apiextensionsinstall "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/install"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

type testCase struct {
	Objects []map[string]any `json:"objects"`
}

type result struct {
	Object            string `json:"object"`
	Constraint        string `json:"constraint"`
	Msg               string `json:"msg"`
	EnforcementAction string `json:"enforcementAction"`
}

type verdict struct {
	Results []result `json:"results"`
	CRDs    []string `json:"crds"`
	Error   string   `json:"error,omitempty"`
}

func newScheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	if err := apis.AddToScheme(scheme); err != nil {
		panic(err)
	}
	apiextensionsinstall.Install(scheme)
	return scheme
}

// constraintCRDs is what the template controller makes of each template: the constraint's CRD.
func constraintCRDs(scheme *runtime.Scheme, objs []*unstructured.Unstructured) ([]string, error) {
	driver, err := rego.New()
	if err != nil {
		return nil, err
	}
	client, err := constraintclient.NewClient(constraintclient.Targets(&target.K8sValidationTarget{}),
		constraintclient.Driver(driver), constraintclient.EnforcementPoints(util.GatorEnforcementPoint))
	if err != nil {
		return nil, err
	}
	crds := []string{}
	for _, obj := range objs {
		if !reader.IsTemplate(obj) {
			continue
		}
		templ, err := reader.ToTemplate(scheme, obj)
		if err != nil {
			return nil, err
		}
		crd, err := client.CreateCRD(context.Background(), templ)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", obj.GetName(), err)
		}
		v1 := &apiextensionsv1.CustomResourceDefinition{}
		if err := scheme.Convert(crd, v1, nil); err != nil {
			return nil, err
		}
		text, err := yaml.Marshal(v1)
		if err != nil {
			return nil, err
		}
		crds = append(crds, string(text))
	}
	return crds, nil
}

func run(scheme *runtime.Scheme, c testCase) verdict {
	objs := make([]*unstructured.Unstructured, 0, len(c.Objects))
	for _, o := range c.Objects {
		objs = append(objs, &unstructured.Unstructured{Object: o})
	}
	crds, err := constraintCRDs(scheme, objs)
	if err != nil {
		return verdict{Error: "crd: " + err.Error()}
	}
	responses, err := gatortest.Test(objs)
	if err != nil {
		return verdict{Error: err.Error()}
	}
	v := verdict{Results: []result{}, CRDs: crds}
	for _, r := range responses.Results() {
		o := r.ViolatingObject
		v.Results = append(v.Results, result{
			Object:            fmt.Sprintf("%s/%s/%s", o.GetKind(), o.GetNamespace(), o.GetName()),
			Constraint:        fmt.Sprintf("%s/%s", r.Constraint.GetKind(), r.Constraint.GetName()),
			Msg:               r.Msg,
			EnforcementAction: r.EnforcementAction,
		})
	}
	return v
}

func main() {
	scheme := newScheme()
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	enc := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var c testCase
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			fmt.Fprintln(os.Stderr, "gatorcheck: bad case:", err)
			os.Exit(2)
		}
		if err := enc.Encode(run(scheme, c)); err != nil {
			fmt.Fprintln(os.Stderr, "gatorcheck:", err)
			os.Exit(2)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "gatorcheck:", err)
		os.Exit(2)
	}
}
