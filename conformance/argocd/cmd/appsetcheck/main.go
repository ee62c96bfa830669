// Command appsetcheck expands ApplicationSets with ArgoCD v3.4.4's own ApplicationSet code: the
// generators the controller builds (applicationset/generators.GetGenerators), reading cluster Secrets
// through a controller-runtime client as the controller does, and the rendering it calls
// (applicationset/controllers/template.GenerateApplications with utils.Render, goTemplateOptions and
// templatePatch included).
//
// One JSON case a line on stdin: {"applicationSet": {...}, "secrets": [{...}], "slipway": [{...}]}:
// an ApplicationSet manifest, the cluster Secrets in its namespace, and the Applications Slipway says
// it generates. One JSON line out per case: {"applications": [...], "error": "...", "slipway": [...],
// "slipwayError": "..."}: ArgoCD's Applications (none, and the error, where the controller reports
// one), and Slipway's decoded strictly into ArgoCD's Application type (an unknown field is an error),
// both encoded by the same Go types so that the two compare field by field.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/argoproj/argo-cd/v3/applicationset/controllers/template"
	"github.com/argoproj/argo-cd/v3/applicationset/generators"
	"github.com/argoproj/argo-cd/v3/applicationset/utils"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
)

type testCase struct {
	ApplicationSet json.RawMessage   `json:"applicationSet"`
	Secrets        []json.RawMessage `json:"secrets"`
	Slipway        []json.RawMessage `json:"slipway"`
}

type verdict struct {
	Applications []v1alpha1.Application `json:"applications"`
	Error        string                 `json:"error,omitempty"`
	Slipway      []v1alpha1.Application `json:"slipway"`
	SlipwayError string                 `json:"slipwayError,omitempty"`
}

// strict decodes JSON into out, refusing fields the Go type does not have.
func strict(raw []byte, out any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("trailing data after the object")
	}
	return nil
}

// stored is the Secret as the API server stores it: stringData written over data (the fake client,
// unlike the API server, keeps stringData apart, and the cluster generator reads only data).
func stored(raw json.RawMessage) (*corev1.Secret, error) {
	secret := &corev1.Secret{}
	if err := strict(raw, secret); err != nil {
		return nil, fmt.Errorf("cluster Secret: %w", err)
	}
	if secret.Data == nil {
		secret.Data = map[string][]byte{}
	}
	for key, value := range secret.StringData {
		secret.Data[key] = []byte(value)
	}
	secret.StringData = nil
	return secret, nil
}

func expand(c testCase, logCtx *logrus.Entry) verdict {
	var v verdict
	for _, raw := range c.Slipway {
		var app v1alpha1.Application
		if err := strict(raw, &app); err != nil {
			v.SlipwayError = fmt.Sprintf("Slipway's Application is not ArgoCD's type: %v", err)
			break
		}
		v.Slipway = append(v.Slipway, app)
	}
	var appSet v1alpha1.ApplicationSet
	if err := strict(c.ApplicationSet, &appSet); err != nil {
		v.Error = fmt.Sprintf("decoding the ApplicationSet: %v", err)
		return v
	}
	scheme := runtime.NewScheme()
	if err := corev1.AddToScheme(scheme); err != nil {
		v.Error = err.Error()
		return v
	}
	objects := make([]client.Object, 0, len(c.Secrets))
	for _, raw := range c.Secrets {
		secret, err := stored(raw)
		if err != nil {
			v.Error = err.Error()
			return v
		}
		objects = append(objects, secret)
	}
	k8s := fake.NewClientBuilder().WithScheme(scheme).WithObjects(objects...).Build()
	// Only the list, clusters, matrix and merge generators run here; the others (git, SCM, pull
	// request, plugin, duck type) are built with no services and fail if an ApplicationSet uses them.
	gens := generators.GetGenerators(context.Background(), k8s, nil, appSet.Namespace, nil, nil, generators.SCMConfig{}, nil)
	apps, _, err := template.GenerateApplications(logCtx, appSet, gens, &utils.Render{}, k8s)
	if err != nil {
		v.Error = err.Error()
		return v
	}
	// The controller writes each one with the type ApplicationSetReconciler.createOrUpdateInCluster
	// gives the object it creates (applicationset/controllers/applicationset_controller.go).
	for i := range apps {
		apps[i].TypeMeta = metav1.TypeMeta{Kind: application.ApplicationKind, APIVersion: "argoproj.io/v1alpha1"}
	}
	v.Applications = apps
	return v
}

func main() {
	logger := logrus.New()
	logger.SetOutput(io.Discard)
	logrus.SetOutput(io.Discard)
	logCtx := logrus.NewEntry(logger)
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	enc := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var c testCase
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			fmt.Fprintln(os.Stderr, "appsetcheck: bad case:", err)
			os.Exit(2)
		}
		if err := enc.Encode(expand(c, logCtx)); err != nil {
			fmt.Fprintln(os.Stderr, "appsetcheck:", err)
			os.Exit(2)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "appsetcheck:", err)
		os.Exit(2)
	}
}
