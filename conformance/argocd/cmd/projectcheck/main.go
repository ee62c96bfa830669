// Command projectcheck answers, with ArgoCD v3.4.4's own code, what an AppProject and the RBAC
// policy permit: the checks the application controller and the API server make before a sync.
//
// One JSON case a line on stdin, {"check": ..., "project": AppProject, ...}; one JSON answer a line out:
//
//	source       {"repoURL"}                           AppProject.IsSourcePermitted
//	destination  {"cluster", "namespace", "clusters"}  AppProject.IsDestinationPermitted (the project's
//	                                                   clusters are those of "clusters" naming it)
//	resource     {"group", "kind", "name", "namespaced"}  AppProject.IsGroupKindNamePermitted, as
//	                                                   controller/sync.go validateSyncPermissions calls it
//	window       {"application", "manual"}             SyncWindows.Matches(app).CanSync(manual), at the
//	                                                   clock's time: "before" and "after" bracket the call
//	rbac         {"rbac": argocd-rbac-cm data, "projects", "queries": [{"group", "resource", "action",
//	             "object"}]}                           the API server's enforcer (server/server.go):
//	                                                   built-in policy, rbacpolicy.EnforceClaims for a
//	                                                   user whose only claim is the group
//
// Answers: {"permitted": bool, "error": "..."}; window adds "before"/"after" (RFC 3339, UTC); rbac
// gives {"allowed": [bool per query]}.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/sirupsen/logrus"
	"gopkg.in/yaml.v2"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/cache"

	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	applister "github.com/argoproj/argo-cd/v3/pkg/client/listers/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/server/rbacpolicy"
	"github.com/argoproj/argo-cd/v3/util/assets"
	"github.com/argoproj/argo-cd/v3/util/rbac"
)

type query struct {
	Group    string `json:"group"`
	Resource string `json:"resource"`
	Action   string `json:"action"`
	Object   string `json:"object"`
}

type testCase struct {
	Check       string                `json:"check"`
	Project     v1alpha1.AppProject   `json:"project"`
	RepoURL     string                `json:"repoURL"`
	Cluster     v1alpha1.Cluster      `json:"cluster"`
	Namespace   string                `json:"namespace"`
	Clusters    []v1alpha1.Cluster    `json:"clusters"`
	Group       string                `json:"group"`
	Kind        string                `json:"kind"`
	Name        string                `json:"name"`
	Namespaced  bool                  `json:"namespaced"`
	Application v1alpha1.Application  `json:"application"`
	Manual      bool                  `json:"manual"`
	RBAC        map[string]string     `json:"rbac"`
	Projects    []v1alpha1.AppProject `json:"projects"`
	Queries     []query               `json:"queries"`
}

type answer struct {
	Permitted bool   `json:"permitted"`
	Error     string `json:"error,omitempty"`
	Before    string `json:"before,omitempty"`
	After     string `json:"after,omitempty"`
	Allowed   []bool `json:"allowed,omitempty"`
}

func errorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func destination(c testCase) answer {
	projectClusters := func(project string) ([]*v1alpha1.Cluster, error) {
		var found []*v1alpha1.Cluster
		for i := range c.Clusters {
			if c.Clusters[i].Project == project {
				found = append(found, &c.Clusters[i])
			}
		}
		return found, nil
	}
	ok, err := c.Project.IsDestinationPermitted(&c.Cluster, c.Namespace, projectClusters)
	return answer{Permitted: ok, Error: errorText(err)}
}

func window(c testCase) answer {
	windows := c.Project.Spec.SyncWindows.Matches(&c.Application)
	before := time.Now().UTC()
	ok, err := windows.CanSync(c.Manual)
	after := time.Now().UTC()
	return answer{Permitted: ok, Error: errorText(err), Before: before.Format(time.RFC3339Nano), After: after.Format(time.RFC3339Nano)}
}

// enforcer is the API server's: server/server.go NewServer's steps, then rbac.Enforcer.syncUpdate's
// (default role, match mode, the policy CSVs of argocd-rbac-cm) and the scopes from the same map.
func enforcer(c testCase) (*rbac.Enforcer, error) {
	enf := rbac.NewEnforcer(nil, "argocd", "argocd-rbac-cm", nil)
	if err := enf.SetBuiltinPolicy(assets.BuiltinPolicyCSV); err != nil {
		return nil, err
	}
	indexer := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	for i := range c.Projects {
		c.Projects[i].Namespace = "argocd"
		if err := indexer.Add(&c.Projects[i]); err != nil {
			return nil, err
		}
	}
	policyEnf := rbacpolicy.NewRBACPolicyEnforcer(enf, applister.NewAppProjectLister(indexer).AppProjects("argocd"))
	if scopes := c.RBAC[rbac.ConfigMapScopesKey]; scopes != "" {
		var parsed []string
		if err := yaml.Unmarshal([]byte(scopes), &parsed); err != nil {
			return nil, fmt.Errorf("scopes: %w", err)
		}
		policyEnf.SetScopes(parsed)
	}
	enf.SetClaimsEnforcerFunc(policyEnf.EnforceClaims)
	enf.SetDefaultRole(c.RBAC[rbac.ConfigMapPolicyDefaultKey])
	enf.SetMatchMode(c.RBAC[rbac.ConfigMapMatchModeKey])
	if err := enf.SetUserPolicy(rbac.PolicyCSV(c.RBAC)); err != nil {
		return nil, err
	}
	return enf, nil
}

func enforce(c testCase) answer {
	enf, err := enforcer(c)
	if err != nil {
		return answer{Error: err.Error()}
	}
	allowed := make([]bool, 0, len(c.Queries))
	for _, q := range c.Queries {
		claims := jwt.MapClaims{"sub": "slipway-conformance-user", "groups": []any{q.Group}}
		allowed = append(allowed, enf.Enforce(claims, q.Resource, q.Action, q.Object))
	}
	return answer{Allowed: allowed}
}

func judge(c testCase) (answer, error) {
	switch c.Check {
	case "source":
		return answer{Permitted: c.Project.IsSourcePermitted(v1alpha1.ApplicationSource{RepoURL: c.RepoURL})}, nil
	case "destination":
		return destination(c), nil
	case "resource":
		gk := schema.GroupKind{Group: c.Group, Kind: c.Kind}
		return answer{Permitted: c.Project.IsGroupKindNamePermitted(gk, c.Name, c.Namespaced)}, nil
	case "window":
		return window(c), nil
	case "rbac":
		return enforce(c), nil
	}
	return answer{}, fmt.Errorf("unknown check %q", c.Check)
}

func main() {
	logrus.SetOutput(io.Discard)
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	enc := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var c testCase
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			fmt.Fprintln(os.Stderr, "projectcheck: bad case:", err)
			os.Exit(2)
		}
		a, err := judge(c)
		if err == nil {
			err = enc.Encode(a)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "projectcheck:", err)
			os.Exit(2)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "projectcheck:", err)
		os.Exit(2)
	}
}
