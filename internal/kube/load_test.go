package kube

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
)

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: ddlab/webapp:1
`

func read(t *testing.T, src string) Manifests {
	t.Helper()
	rd, err := NewReader()
	require.NoError(t, err)
	var m Manifests
	rd.Read(&m, "k8s/x.yaml", []byte(src))
	return m
}

func TestRead(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		objects int
		syntax  string // a word of the syntax problem, "" for none
		schema  []string
		lines   []int
		unread  int
	}{
		{name: "valid", src: deployment, objects: 1},
		{name: "comments and empty documents", src: "# rien\n---\n" + deployment + "---\n# fin\n", objects: 1},
		{name: "unknown field at its line", src: strings.Replace(deployment, "  selector:", "  replica: 3\n  selector:", 1), objects: 1,
			schema: []string{"spec.replica"}, lines: []int{6}},
		{name: "unknown nested field", src: strings.Replace(deployment, "image: ddlab/webapp:1", "image: ddlab/webapp:1\n          imagePullPolicyy: Never", 1), objects: 1,
			schema: []string{"imagePullPolicyy"}, lines: []int{15}},
		{name: "duplicate key at the second one", src: strings.Replace(deployment, "  name: web\n", "  name: web\n  name: web2\n", 1), objects: 1,
			schema: []string{"`name`"}, lines: []int{5}},
		{name: "required field from the OpenAPI definitions", src: strings.Replace(deployment, "        - name: web\n          image:", "        - image:", 1), objects: 1,
			schema: []string{"spec.template.spec.containers[0].name"}, lines: []int{13}},
		{name: "unknown kind", src: "apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: x}\n", schema: []string{"Deploymnet"}, lines: []int{2}, unread: 1},
		{name: "no kind", src: "metadata: {name: x}\n", schema: []string{"apiVersion"}},
		{name: "not a mapping", src: "- a\n- b\n", schema: []string{"objet Kubernetes"}},
		{name: "wrong type: unread, placed", src: strings.Replace(deployment, "spec:\n  selector", "spec:\n  replicas: \"3\"\n  selector", 1),
			schema: []string{"spec.replicas"}, lines: []int{6}, unread: 1},
		{name: "list items", src: "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: b}\n", objects: 2},
		{name: "anchors", src: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: &l {app: web}\n  annotations: *l\n", objects: 1},
		{name: "flow style after a separator", src: "---\n{apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: {k: v}}\n", objects: 1},
		{name: "JSON", src: `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}`, objects: 1},
		{name: "a version no longer served", src: strings.Replace(deployment, "apps/v1", "extensions/v1beta1", 1),
			schema: []string{"apiVersion: apps/v1"}, lines: []int{1}, unread: 1},
		{name: "a typed list", src: "apiVersion: apps/v1\nkind: DeploymentList\nitems:\n- " + strings.ReplaceAll(strings.TrimSuffix(deployment, "\n"), "\n", "\n  ") + "\n", objects: 1},
		{name: "deep nesting", src: "a: " + strings.Repeat("[", 150) + strings.Repeat("]", 150) + "\n", syntax: "imbrication"},
		{name: "not YAML", src: "a: [\n", syntax: "crochet"},
		{name: "tab", src: "a:\n\tb: 1\n", syntax: "tabulation"},
		{name: "alias bomb", src: bomb(9), syntax: "alias"},
		{name: "many plain nodes", src: strings.Repeat("k: v\n", 1) + "l: [" + strings.Repeat("x, ", 200_001) + "x]\n", syntax: "nœuds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := read(t, tt.src)
			if tt.syntax != "" {
				require.Len(t, m.Syntax, 1)
				assert.Contains(t, m.Syntax[0].Text.FR+m.Syntax[0].Text.EN, tt.syntax)
				return
			}
			require.Empty(t, m.Syntax)
			assert.Len(t, m.Objects, tt.objects)
			assert.Len(t, m.Unread, tt.unread)
			require.Len(t, m.Schema, len(tt.schema), "%+v", m.Schema)
			for i, want := range tt.schema {
				assert.Contains(t, m.Schema[i].Text.FR, want)
				if i < len(tt.lines) {
					assert.Equal(t, tt.lines[i], m.Schema[i].Line, "%s", m.Schema[i].Text.FR)
				}
			}
		})
	}
}

func TestReadKeepsTheTypedObject(t *testing.T) {
	m := read(t, deployment)
	require.Len(t, m.Objects, 1)
	d, ok := m.Objects[0].Obj.(*appsv1.Deployment)
	require.True(t, ok)
	assert.Equal(t, "ddlab/webapp:1", d.Spec.Template.Spec.Containers[0].Image)
	assert.Equal(t, 14, m.Objects[0].At("spec.template.spec.containers[0].image"))
}

// bomb is a billion-laughs document of n levels of ten.
func bomb(n int) string {
	var b strings.Builder
	b.WriteString("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= n; i++ {
		ref := "*l" + itoa(i-1)
		b.WriteString("l" + itoa(i) + ": &l" + itoa(i) + " [" + strings.Repeat(ref+", ", 9) + ref + "]\n")
	}
	return b.String()
}

func itoa(i int) string { return string(rune('0' + i)) }

func TestLine(t *testing.T) {
	docs, p := Documents("x", []byte(deployment))
	require.Nil(t, p)
	root := docs[0].Content[0]
	for path, want := range map[string]int{
		"kind": 2, "spec.selector.matchLabels": 7, "spec.template.spec.containers[0]": 13,
		"spec.template.spec.containers[0].image": 14, "spec.template.spec.containers[5].image": 12, "spec.nope.deeper": 5,
	} {
		assert.Equal(t, want, Line(root, path), path)
	}
}

func TestTooManyDocuments(t *testing.T) {
	_, p := Documents("x", []byte(strings.Repeat("---\na: 1\n", maxDocs+1)))
	require.NotNil(t, p)
	assert.Contains(t, p.Text.EN, "documents")
}
