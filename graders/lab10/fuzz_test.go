package lab10

import (
	"testing"
)

// FuzzKustomize feeds any kustomization.yaml, beside the reference manifests, to the in-memory
// kustomize build: a verdict always, never a panic, and never a remote fetch (remote bases are
// refused before kustomize sees them, so a fetch would hang the target).
func FuzzKustomize(f *testing.F) {
	f.Add([]byte("namespace: lab10\nresources:\n- a.yaml\n"))
	f.Add([]byte("namespace: lab10\nresources:\n- https://github.com/x/y?ref=v1\n- ../../etc\n"))
	f.Add([]byte("namespace: lab10\nresources: [a.yaml]\nconfigMapGenerator:\n- name: c\n  literals: [A=1]\npatches:\n- path: a.yaml\n"))
	f.Add([]byte("namespace: lab10\nhelmCharts:\n- name: x\n"))
	f.Add([]byte("namespace: lab10\nresources: [a.yaml, a.yaml]\nnamePrefix: \"$(x)\"\n"))
	cm := []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: v\n")
	f.Fuzz(func(t *testing.T, kust []byte) {
		s := &submission{ns: "lab10", kust: "k8s/kustomization.yaml", files: map[string][]byte{
			"k8s/kustomization.yaml": kust,
			"k8s/a.yaml":             cm,
		}}
		out := judgeKustomize(s)
		if out.Message.FR == "" || out.Message.EN == "" {
			t.Fatalf("a verdict without words: %+v", out)
		}
	})
}
