// Package kubefake is a fake Kubernetes API server for tests: the part lab10.live talks to.
package kubefake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Cluster is the part of a Kubernetes API server that lab10.live talks to: discovery,
// and server-side apply in dry run, with the API server's own object-metadata validation
// (names, labels, annotations) from apimachinery. It records every request, so a test can
// check that nothing was ever applied without dryRun=All.
type Cluster struct {
	*httptest.Server
	mu       sync.Mutex // client-go's discovery asks several things at once
	requests []string
	applied  []string // objects a request without dry run would have stored
}

// Requests are "METHOD path?query" of every request so far.
func (c *Cluster) Requests() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.requests...)
}

// Applied are the objects ("Kind/name") a request without dry run would have stored.
func (c *Cluster) Applied() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.applied...)
}

var resources = map[string][]metav1.APIResource{
	"v1": {
		{Name: "namespaces", Kind: "Namespace", Namespaced: false, Verbs: []string{"get", "patch", "create"}},
		{Name: "configmaps", Kind: "ConfigMap", Namespaced: true, Verbs: []string{"get", "patch", "create"}},
		{Name: "secrets", Kind: "Secret", Namespaced: true, Verbs: []string{"get", "patch", "create"}},
		{Name: "services", Kind: "Service", Namespaced: true, Verbs: []string{"get", "patch", "create"}},
	},
	"apps/v1": {
		{Name: "deployments", Kind: "Deployment", Namespaced: true, Verbs: []string{"get", "patch", "create"}},
	},
}

// New starts a Cluster, closed when the test ends.
func New(t testing.TB) *Cluster {
	t.Helper()
	c := &Cluster{}
	c.Server = httptest.NewServer(http.HandlerFunc(c.serve))
	t.Cleanup(c.Close)
	return c
}

// refuse answers with an API error as the API server writes it: a Status object, which
// clients decode only when it says so.
func refuse(w http.ResponseWriter, e *apierrors.StatusError) {
	st := e.ErrStatus
	st.TypeMeta = metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}
	reply(w, int(st.Code), st)
}

func reply(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (c *Cluster) serve(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.requests = append(c.requests, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
	c.mu.Unlock()
	switch p := r.URL.Path; {
	case p == "/version":
		reply(w, 200, map[string]string{"major": "1", "minor": "32", "gitVersion": "v1.32.3"})
	case p == "/api":
		reply(w, 200, metav1.APIVersions{TypeMeta: metav1.TypeMeta{Kind: "APIVersions"}, Versions: []string{"v1"}})
	case p == "/apis":
		reply(w, 200, metav1.APIGroupList{TypeMeta: metav1.TypeMeta{Kind: "APIGroupList", APIVersion: "v1"}, Groups: []metav1.APIGroup{{
			Name:             "apps",
			Versions:         []metav1.GroupVersionForDiscovery{{GroupVersion: "apps/v1", Version: "v1"}},
			PreferredVersion: metav1.GroupVersionForDiscovery{GroupVersion: "apps/v1", Version: "v1"},
		}}})
	case p == "/api/v1" || p == "/apis/apps/v1":
		gv := strings.TrimPrefix(strings.TrimPrefix(p, "/apis/"), "/api/")
		reply(w, 200, metav1.APIResourceList{TypeMeta: metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"}, GroupVersion: gv, APIResources: resources[gv]})
	case r.Method == http.MethodPatch:
		c.apply(w, r)
	default:
		refuse(w, apierrors.NewNotFound(schema.GroupResource{}, p))
	}
}

// apply validates the object's metadata as the API server does and answers as it would.
func (c *Cluster) apply(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var obj struct {
		Kind     string            `json:"kind"`
		Metadata metav1.ObjectMeta `json:"metadata"`
	}
	if err := json.Unmarshal(body, &obj); err != nil {
		refuse(w, apierrors.NewBadRequest(err.Error()))
		return
	}
	if r.URL.Query().Get("dryRun") != "All" {
		c.mu.Lock()
		c.applied = append(c.applied, obj.Kind+"/"+obj.Metadata.Name)
		c.mu.Unlock()
	}
	namespaced := obj.Kind != "Namespace"
	errs := validation.ValidateObjectMeta(&obj.Metadata, namespaced, validation.NameIsDNSSubdomain, field.NewPath("metadata"))
	if len(errs) > 0 {
		refuse(w, apierrors.NewInvalid(schema.GroupKind{Kind: obj.Kind}, obj.Metadata.Name, errs))
		return
	}
	if namespaced && obj.Metadata.Namespace != "" && !strings.Contains(r.URL.Path, "/namespaces/"+obj.Metadata.Namespace+"/") {
		refuse(w, apierrors.NewBadRequest("the namespace of the object does not match the namespace on the request"))
		return
	}
	reply(w, 200, json.RawMessage(body))
}

// Kubeconfig writes a kubeconfig whose context name reaches server.
func Kubeconfig(t testing.TB, name, server string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config")
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: %[1]s
  cluster:
    server: %[2]s
contexts:
- name: %[1]s
  context:
    cluster: %[1]s
    user: %[1]s
users:
- name: %[1]s
  user:
    token: fake
current-context: %[1]s
`, name, server)
	require.NoError(t, os.WriteFile(p, []byte(cfg), 0o600))
	return p
}
