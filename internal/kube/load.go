// Package kube reads a student's Kubernetes manifests the way a cluster of one stated release
// would: the Kubernetes API's own Go types decode each document strictly (an unknown or
// repeated field is an error), the release's OpenAPI definitions say which fields are
// required, and every finding is placed at its file and line. No cluster is involved.
package kube

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/kubernetes/scheme"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/compose"
)

// Version is the Kubernetes release whose API types (k8s.io/api v0.32.3) and OpenAPI
// definitions (k8s.io/kubernetes v1.32.3) the manifests are held to.
const Version = "1.32"

// Limits bound what one file may cost to read.
const (
	maxDocs  = 200     // documents in one file
	maxNodes = 200_000 // YAML nodes of one document once its aliases are expanded
	maxDepth = 100     // levels of nesting (a Deployment needs about 12)
)

// Object is one Kubernetes object of the submission.
type Object struct {
	File string
	Line int // where its document (or List item) starts
	GVK  schema.GroupVersionKind
	Name string
	// Namespace is metadata.namespace as written ("" when absent).
	Namespace string
	Obj       runtime.Object // the typed object (*appsv1.Deployment…)
	node      *yaml.Node
}

// Problem is a finding with its place.
type Problem struct {
	File string
	Line int
	Text check.Text
}

// Manifests is what Load read.
type Manifests struct {
	Objects []Object
	// Syntax lists files that are not YAML, too large, or alias bombs: nothing of them was read.
	Syntax []Problem
	// Schema lists what a cluster of this release would refuse: unknown kinds, unknown or
	// repeated fields, wrong types, missing required fields.
	Schema []Problem
	// Unread are the documents that name an object but could not be decoded (a field of the
	// wrong type): the checks that look for that object say so instead of "missing".
	Unread []Ref
}

// Ref names an object as its document wrote it.
type Ref struct {
	File, Kind, Name string
	Line             int
}

// Reader reads manifests. Make one per run: it holds the decoder and the compiled schemas.
type Reader struct {
	decoder runtime.Decoder
	schemas *schemas
}

// NewReader returns a Reader for Version.
func NewReader() (*Reader, error) {
	s, err := loadSchemas()
	if err != nil {
		return nil, err
	}
	codecs := serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict)
	return &Reader{decoder: codecs.UniversalDeserializer(), schemas: s}, nil
}

// Read adds one file's objects and problems to m.
func (r *Reader) Read(m *Manifests, file string, src []byte) {
	docs, prob := Documents(file, src)
	if prob != nil {
		m.Syntax = append(m.Syntax, *prob)
		return
	}
	for _, d := range docs {
		r.readDoc(m, file, d, 0)
	}
}

// Documents splits a file into its YAML documents, empty ones left out. A file that is not
// YAML, has too many documents or expands into too many nodes is one problem.
func Documents(file string, src []byte) ([]*yaml.Node, *Problem) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			// The same explanation of go-yaml's errors as for Compose files and lab answers.
			p := compose.YAMLSyntax(file, src, err)
			return nil, &Problem{File: file, Line: p.Line, Text: p.Text()}
		}
		if len(docs) == maxDocs {
			return nil, &Problem{File: file, Text: check.T("plus de %d documents YAML dans un seul fichier", "more than %d YAML documents in one file", maxDocs)}
		}
		if depthOf(&n, maxDepth) > maxDepth {
			return nil, &Problem{File: file, Line: n.Line, Text: check.T(
				"plus de %d niveaux d'imbrication : aucun manifeste n'en a besoin",
				"more than %d levels of nesting: no manifest needs that many", maxDepth)}
		}
		if expanded(&n, maxNodes) > maxNodes {
			if !hasAlias(&n) {
				return nil, &Problem{File: file, Line: n.Line, Text: check.T(
					"plus de %d nœuds YAML dans un seul document : aucun manifeste n'est si grand",
					"more than %d YAML nodes in one document: no manifest is that large", maxNodes)}
			}
			return nil, &Problem{File: file, Line: n.Line, Text: check.T(
				"ses alias YAML se déploient en plus de %d nœuds (une « bombe d'alias ») : écrivez les valeurs sans `*alias` en cascade",
				"its YAML aliases expand into more than %d nodes (an \"alias bomb\"): write the values without chained `*aliases`", maxNodes)}
		}
		if len(n.Content) == 0 || isNull(n.Content[0]) {
			continue
		}
		docs = append(docs, &n)
	}
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// expanded counts the nodes of n with every alias replaced by what it names, stopping past
// limit: a billion-laughs document is refused before anything expands it.
func expanded(n *yaml.Node, limit int) int {
	memo := map[*yaml.Node]int{}
	var walk func(n *yaml.Node, depth int) int
	walk = func(n *yaml.Node, depth int) int {
		if n == nil {
			return 0
		}
		if depth > 1000 {
			return limit + 1
		}
		if v, ok := memo[n]; ok {
			return v
		}
		memo[n] = limit + 1 // a cycle counts as too many
		total := 1
		if n.Kind == yaml.AliasNode {
			total += walk(n.Alias, depth+1)
		}
		for _, c := range n.Content {
			if total > limit {
				break
			}
			total += walk(c, depth+1)
		}
		memo[n] = total
		return total
	}
	return walk(n, 0)
}

// readDoc decodes one document (or one item of a List) strictly, checks it against the
// release's definitions, and keeps the object even when a field was refused, so the other
// checks still see the rest of it.
func (r *Reader) readDoc(m *Manifests, file string, doc *yaml.Node, depth int) {
	root := doc
	if root.Kind == yaml.DocumentNode {
		root = root.Content[0]
	}
	line := root.Line
	if root.Kind != yaml.MappingNode {
		m.Schema = append(m.Schema, Problem{File: file, Line: line, Text: check.Lit(
			"ce document n'est pas un objet Kubernetes (il faut des clés `apiVersion`, `kind`, `metadata`)",
			"this document is not a Kubernetes object (it needs `apiVersion`, `kind`, `metadata` keys)")})
		return
	}
	// Repeated keys are found here, at their own line: the decoder sees a re-encoded document
	// whose lines are not the file's.
	dups := duplicates(root)
	for _, d := range dups {
		m.Schema = append(m.Schema, Problem{File: file, Line: d.Line, Text: check.T(
			"la clé `%s` est écrite deux fois dans le même objet : Kubernetes refuse les doublons",
			"the key `%s` is written twice in the same mapping: Kubernetes refuses duplicates", d.Value)})
	}
	src, err := yaml.Marshal(root)
	if err != nil {
		m.Schema = append(m.Schema, Problem{File: file, Line: line, Text: check.T("document illisible : %s", "unreadable document: %s", err.Error())})
		return
	}
	// The decoder sniffs JSON from a leading "{": a flow-style mapping re-encoded by go-yaml
	// would be taken for JSON and fail. Give it JSON, as kubectl does after reading YAML.
	js, err := sigsyaml.YAMLToJSON(src)
	if err != nil {
		m.Schema = append(m.Schema, Problem{File: file, Line: line, Text: check.T("document illisible : « %s »", "unreadable document: \"%s\"", check.Cut(err.Error(), 200))})
		return
	}
	obj, gvk, err := r.decoder.Decode(js, nil, nil)
	if err != nil && !runtime.IsStrictDecodingError(err) {
		m.Schema = append(m.Schema, decodeProblem(file, root, gvk, err))
		if k, n := child(root, "kind"), child(child(root, "metadata"), "name"); k != nil && n != nil {
			m.Unread = append(m.Unread, Ref{File: file, Kind: k.Value, Name: n.Value, Line: root.Line})
		}
		return
	}
	if err != nil {
		if strict, ok := runtime.AsStrictDecodingError(err); ok {
			for _, e := range strict.Errors() {
				if len(dups) > 0 && strings.Contains(e.Error(), "already set in map") {
					continue
				}
				m.Schema = append(m.Schema, strictProblem(file, root, e.Error()))
			}
		}
	}
	if strings.HasSuffix(gvk.Kind, "List") && child(root, "items") != nil && depth == 0 {
		if items := child(root, "items"); items != nil && items.Kind == yaml.SequenceNode {
			for _, it := range items.Content {
				r.readDoc(m, file, it, depth+1)
			}
		}
		return
	}
	if !r.schemas.served(*gvk) {
		t := check.T("`%s` `%s` n'est plus servi par Kubernetes %s", "`%s` `%s` is no longer served by Kubernetes %s", gvk.GroupVersion().String(), gvk.Kind, Version)
		if gv := r.schemas.servedAs(gvk.Kind); gv != "" {
			t = check.T("%s : écrivez `apiVersion: %s`", "%s: write `apiVersion: %s`", t, gv)
		}
		m.Schema = append(m.Schema, Problem{File: file, Line: Line(root, "apiVersion"), Text: t})
		if n := child(child(root, "metadata"), "name"); n != nil {
			m.Unread = append(m.Unread, Ref{File: file, Kind: gvk.Kind, Name: n.Value, Line: root.Line})
		}
		return
	}
	m.Schema = append(m.Schema, r.schemas.validate(file, root, js, *gvk)...)
	o := Object{File: file, Line: line, GVK: *gvk, Obj: obj, node: root}
	if meta, ok := obj.(interface {
		GetName() string
		GetNamespace() string
	}); ok {
		o.Name, o.Namespace = meta.GetName(), meta.GetNamespace()
	}
	if o.Name == "" {
		m.Schema = append(m.Schema, Problem{File: file, Line: line, Text: check.T("%s sans `metadata.name`", "%s without `metadata.name`", gvk.Kind)})
	}
	m.Objects = append(m.Objects, o)
}

// decodeProblem says why a document could not be decoded at all.
func decodeProblem(file string, root *yaml.Node, gvk *schema.GroupVersionKind, err error) Problem {
	p := Problem{File: file, Line: root.Line}
	kindNode, apiNode := child(root, "kind"), child(root, "apiVersion")
	switch {
	case apiNode == nil || kindNode == nil:
		p.Text = check.Lit("il manque `apiVersion` ou `kind` : chaque document déclare les deux",
			"`apiVersion` or `kind` is missing: every document states both")
	case runtime.IsNotRegisteredError(err):
		p.Line = kindNode.Line
		p.Text = check.T("`%s` `%s` n'existe pas dans Kubernetes %s (vérifiez l'orthographe et le groupe d'API)",
			"`%s` `%s` does not exist in Kubernetes %s (check the spelling and the API group)", apiNode.Value, kindNode.Value, Version)
	default:
		line, t := fieldError(root, err.Error())
		if line > 0 {
			p.Line = line
		}
		p.Text = t
	}
	return p
}

// strictProblem places one of the strict decoder's findings: `unknown field "spec.replica"`
// or `duplicate field "image"`.
func strictProblem(file string, root *yaml.Node, msg string) Problem {
	field := between(msg, `"`, `"`)
	switch {
	case strings.HasPrefix(msg, "unknown field"):
		line := Line(root, field)
		return Problem{File: file, Line: line, Text: check.T(
			"champ inconnu `%s` : faute de frappe ou mauvaise indentation ?",
			"unknown field `%s`: a typo or a wrong indentation?", field)}
	case strings.HasPrefix(msg, "duplicate field"):
		return Problem{File: file, Line: Line(root, field), Text: check.T(
			"le champ `%s` est écrit deux fois : Kubernetes refuse les doublons",
			"the field `%s` is written twice: Kubernetes refuses duplicates", field)}
	}
	return Problem{File: file, Line: root.Line, Text: check.T("refusé par le décodeur strict : %s", "refused by the strict decoder: %s", msg)}
}

// fieldError turns a type error of the decoder ("json: cannot unmarshal string into Go struct
// field DeploymentSpec.spec.replicas of type int32") into a placed sentence.
func fieldError(root *yaml.Node, msg string) (int, check.Text) {
	if i := strings.Index(msg, "Go struct field "); i >= 0 {
		rest := msg[i+len("Go struct field "):]
		field, typ, _ := strings.Cut(rest, " of type ")
		if _, after, ok := strings.Cut(field, "."); ok {
			field = after
		}
		got := between(msg, "cannot unmarshal ", " into")
		return Line(root, field), check.T("`%s` attend %s, pas %s", "`%s` expects %s, not %s",
			field, typeName(typ), typeName(got))
	}
	return 0, check.T("document refusé : %s", "document refused: %s", check.Cut(msg, 200))
}

func typeName(t string) check.Text {
	switch {
	case strings.HasPrefix(t, "int"), t == "number":
		return check.Lit("un nombre entier", "a whole number")
	case t == "string":
		return check.Lit("un texte", "a string")
	case t == "bool", t == "boolean":
		return check.Lit("un booléen (true/false)", "a boolean (true/false)")
	case t == "array", strings.HasPrefix(t, "[]"):
		return check.Lit("une liste", "a list")
	case t == "object", strings.HasPrefix(t, "map"), strings.HasPrefix(t, "v1."), strings.HasPrefix(t, "struct"):
		return check.Lit("un objet", "a mapping")
	case t == "null":
		return check.Lit("une valeur vide", "an empty value")
	}
	return check.Same(t)
}

func between(s, open, close string) string {
	_, rest, ok := strings.Cut(s, open)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, close)
	return v
}

func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// duplicates are the keys repeated within one mapping, anywhere in n (aliases not followed:
// their target is checked where it is written).
func duplicates(n *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n == nil || depth > 200 {
			return
		}
		if n.Kind == yaml.MappingNode {
			seen := map[string]bool{}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if k.Kind == yaml.ScalarNode && seen[k.Value] {
					out = append(out, k)
				}
				seen[k.Value] = true
			}
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return out
}

// depthOf is how deep n nests, stopping past limit (aliases are not followed: expanded
// counts what they add).
func depthOf(n *yaml.Node, limit int) int {
	if n == nil || limit < 0 {
		return 0
	}
	deepest := 0
	for _, c := range n.Content {
		if d := depthOf(c, limit-1); d > deepest {
			deepest = d
		}
		if deepest >= limit {
			break
		}
	}
	return deepest + 1
}

func hasAlias(n *yaml.Node) bool {
	if n == nil {
		return false
	}
	if n.Kind == yaml.AliasNode {
		return true
	}
	for _, c := range n.Content {
		if hasAlias(c) {
			return true
		}
	}
	return false
}
