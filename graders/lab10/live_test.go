package lab10

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/client-go/rest"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/kube/kubefake"
)

func TestDryRun(t *testing.T) {
	tests := []struct {
		name   string
		edits  map[string][2]string
		status check.Status
		says   string
	}{
		{"accepted", nil, check.Pass, "5 objets"},
		{"a label value the API server refuses", map[string][2]string{"service.yaml": {"    app.kubernetes.io/part-of: lab10\n", "    app.kubernetes.io/part-of: \"lab 10\"\n"}},
			check.Fail, "metadata.labels"},
		{"a name the API server refuses", map[string][2]string{"configmap.yaml": {"  name: web-config\n", "  name: Web_Config\n"}}, check.Fail, "Web_Config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := kubefake.New(t)
			out := dryRun(context.Background(), &rest.Config{Host: c.URL}, solution(t, tt.edits))
			assert.Equal(t, tt.status, out.Status, "%s\n%s", out.Message.FR, out.Actual.FR)
			assert.Contains(t, out.Message.FR+out.Actual.FR, tt.says)
			// Every object was sent, the Namespace first, and only ever as a dry run.
			var patches []string
			for _, r := range c.Requests() {
				if strings.HasPrefix(r, "PATCH ") {
					patches = append(patches, r)
					assert.Contains(t, r, "dryRun=All")
				}
			}
			require.Len(t, patches, 5)
			assert.Contains(t, patches[0], "/api/v1/namespaces/lab10?")
			assert.Empty(t, c.Applied())
		})
	}
}

func TestDryRunWithoutAnAnsweringCluster(t *testing.T) {
	c := kubefake.New(t)
	c.Close()
	out := dryRun(context.Background(), &rest.Config{Host: c.URL}, solution(t, nil))
	assert.Equal(t, check.Skip, out.Status)
	assert.True(t, out.Excluded)
}
