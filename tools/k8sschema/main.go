// Command k8sschema writes internal/kube/schema.json.gz from the swagger.json of the
// Kubernetes release the grader names (kube.Version): only the definitions, without their
// descriptions, and with IntOrString and Quantity written as what the API server accepts
// (the swagger says "string" for both, though `targetPort: 8080` and `cpu: 0.5` are valid).
//
//	go mod download -json k8s.io/kubernetes@v1.32.3   # prints the module's Dir
//	go run ./tools/k8sschema <Dir>/api/openapi-spec/swagger.json internal/kube/schema.json.gz
package main

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: k8sschema swagger.json out.json.gz")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	b, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var sw struct {
		Definitions map[string]any `json:"definitions"`
	}
	if err := json.Unmarshal(b, &sw); err != nil {
		return err
	}
	for _, d := range sw.Definitions {
		strip(d)
	}
	sw.Definitions["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] = map[string]any{
		"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}},
	}
	sw.Definitions["io.k8s.apimachinery.pkg.api.resource.Quantity"] = map[string]any{
		"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}},
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	enc := json.NewEncoder(zw)
	if err := enc.Encode(map[string]any{"definitions": sw.Definitions}); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}

// strip drops the descriptions, which are most of the file and never shown.
func strip(v any) {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["description"].(string); ok {
			delete(x, "description")
		}
		for _, c := range x {
			strip(c)
		}
	case []any:
		for _, c := range x {
			strip(c)
		}
	}
}
