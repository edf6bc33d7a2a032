package kube

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/ddlab/grade/internal/check"
)

// schemaGz is the OpenAPI definitions of Kubernetes 1.32.3, made by tools/k8sschema.
//
//go:embed schema.json.gz
var schemaGz []byte

// schemas compiles the definition of each kind on first use.
type schemas struct {
	compiler *jsonschema.Compiler
	byGVK    map[schema.GroupVersionKind]string // kind → definition name
	compiled map[string]*jsonschema.Schema
}

func loadSchemas() (*schemas, error) {
	zr, err := gzip.NewReader(bytes.NewReader(schemaGz))
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(zr)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	if err := c.AddResource("k8s.json", doc); err != nil {
		return nil, err
	}
	s := &schemas{compiler: c, byGVK: map[schema.GroupVersionKind]string{}, compiled: map[string]*jsonschema.Schema{}}
	defs, _ := doc.(map[string]any)["definitions"].(map[string]any)
	for name, d := range defs {
		gvks, _ := d.(map[string]any)["x-kubernetes-group-version-kind"].([]any)
		for _, g := range gvks {
			m, _ := g.(map[string]any)
			gvk := schema.GroupVersionKind{Group: str(m["group"]), Version: str(m["version"]), Kind: str(m["kind"])}
			// The same kind is also listed under meta/v1 WatchEvent and DeleteOptions: keep the
			// definition of the kind's own package.
			if old, ok := s.byGVK[gvk]; !ok || strings.HasSuffix(name, "."+gvk.Kind) && !strings.HasSuffix(old, "."+gvk.Kind) {
				s.byGVK[gvk] = name
			}
		}
	}
	if len(s.byGVK) == 0 {
		return nil, errors.New("kube: the embedded definitions list no kind")
	}
	return s, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// validate checks a decoded document against its kind's definition: the required fields and
// the types the strict decoder does not see (it fills a missing field with its zero value).
func (s *schemas) validate(file string, root *yaml.Node, js []byte, gvk schema.GroupVersionKind) []Problem {
	name, ok := s.byGVK[gvk]
	if !ok {
		return nil
	}
	sch, ok := s.compiled[name]
	if !ok {
		var err error
		if sch, err = s.compiler.Compile("k8s.json#/definitions/" + name); err != nil {
			return nil
		}
		s.compiled[name] = sch
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		return nil
	}
	var verr *jsonschema.ValidationError
	if !errors.As(sch.Validate(inst), &verr) {
		return nil
	}
	var out []Problem
	seen := map[string]bool{}
	for _, e := range leaves(verr) {
		p := explain(file, root, e)
		if key := fmt.Sprint(p.Line, p.Text.EN); !seen[key] {
			seen[key] = true
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}

func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	if _, ok := e.ErrorKind.(*kind.OneOf); ok {
		// IntOrString and Quantity: one wrong value, not two.
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

// explain says one schema error in the student's words, at its line.
func explain(file string, root *yaml.Node, e *jsonschema.ValidationError) Problem {
	path := pretty(e.InstanceLocation)
	line := lineAt(root, e.InstanceLocation)
	p := Problem{File: file, Line: line}
	shown := path
	if shown == "" {
		shown = "(racine)"
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		full := make([]string, len(k.Missing))
		for i, m := range k.Missing {
			full[i] = "`" + joinField(path, m) + "`"
		}
		p.Text = check.T("champ obligatoire manquant : %s", "required field missing: %s", strings.Join(full, ", "))
	case *kind.Type:
		p.Text = check.T("`%s` attend %s, pas %s", "`%s` expects %s, not %s", path, typeName(strings.Join(k.Want, "|")), typeName(k.Got))
	case *kind.OneOf:
		p.Text = check.T("`%s` attend un nombre ou un texte", "`%s` expects a number or a string", path)
	case *kind.Enum:
		p.Text = check.T("`%s` n'accepte pas cette valeur", "`%s` does not accept this value", path)
	default:
		msg := e.Error()
		p.Text = check.T("`%s` refusé par le schéma : %s", "`%s` refused by the schema: %s", shown, check.Cut(msg, 160))
		if shown == "(racine)" {
			p.Text = check.T("document refusé par le schéma : %s", "document refused by the schema: %s", check.Cut(msg, 160))
		}
	}
	return p
}

func joinField(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// pretty writes a location as the strict decoder does: "spec.containers[0].name".
func pretty(loc []string) string {
	var b strings.Builder
	for _, t := range loc {
		if _, err := strconv.Atoi(t); err == nil {
			b.WriteString("[" + t + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(t)
	}
	return b.String()
}

// served tells whether the release serves this group, version and kind: the Go types still
// hold extensions/v1beta1 Deployments, which no 1.32 API server accepts.
func (s *schemas) served(gvk schema.GroupVersionKind) bool {
	_, ok := s.byGVK[gvk]
	return ok
}

// servedAs is the group/version under which the release serves kind, "" when none.
func (s *schemas) servedAs(kind string) string {
	var gvs []string
	for gvk := range s.byGVK {
		if gvk.Kind == kind {
			gvs = append(gvs, gvk.GroupVersion().String())
		}
	}
	sort.Strings(gvs)
	for _, gv := range gvs {
		if !strings.Contains(gv, "beta") && !strings.Contains(gv, "alpha") {
			return gv
		}
	}
	if len(gvs) > 0 {
		return gvs[0]
	}
	return ""
}
