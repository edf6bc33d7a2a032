package kube

import (
	"testing"
	"time"
)

// FuzzRead feeds any bytes to the manifest reader: it must never panic, and must end in
// bounded time whatever the aliases, nesting or document count.
func FuzzRead(f *testing.F) {
	f.Add([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n"))
	f.Add([]byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replica: 3\n  replicas: 3\n  replicas: 4\n"))
	f.Add([]byte("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: s}\n  stringData: {a: b}\n"))
	f.Add([]byte("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n---\n- 1\n--- \n"))
	f.Add([]byte("kind: Deploymnet\napiVersion: apps/v1\n"))
	f.Add([]byte("\t- : :\n"))
	rd, err := NewReader()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		start := time.Now()
		var m Manifests
		rd.Read(&m, "k8s/x.yaml", src)
		for _, p := range append(m.Syntax, m.Schema...) {
			if p.Text.FR == "" || p.Text.EN == "" {
				t.Fatalf("a problem without words: %+v", p)
			}
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("%d bytes took %s", len(src), d)
		}
	})
}
