package composelab

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/compose"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/engine/enginefake"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/lab"
	"github.com/ddlab/grade/internal/probe"
)

func TestServedBy(t *testing.T) {
	ok := func(by string) probe.Result {
		return probe.Result{OK: true, Status: 200, Headers: map[string]string{"X-Served-By": by}}
	}
	tests := []struct {
		name string
		res  []probe.Result
		want int
	}{
		{"none", nil, 0},
		{"one replica", []probe.Result{ok("a"), ok("a")}, 1},
		{"three", []probe.Result{ok("a"), ok("b"), ok("c"), ok("b")}, 3},
		{"errors do not count", []probe.Result{ok("a"), {Status: 502, Headers: map[string]string{"X-Served-By": "b"}}, {}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, ServedBy(tt.res)) })
	}
}

func TestUpFailure(t *testing.T) {
	tests := []struct{ err, want string }{
		{"container lab8-x-api-1 is unhealthy", "« unhealthy »"},
		{"container lab8-x-db-1 exited (1)", "s'est arrêté"},
		{"Error response from daemon: No such image: redis:7", "image absente"},
		{"Bind for 127.0.0.1:8088 failed: port is already allocated", "port publié est déjà pris"},
		{"something else", "Compose n'a pas pu démarrer"},
	}
	for _, tt := range tests {
		s := &Session{UpErr: errors.New(tt.err)}
		assert.Contains(t, s.UpFailureText().FR, tt.want, tt.err)
	}
	assert.Empty(t, (&Session{}).UpFailureText().FR)
}

func TestText(t *testing.T) {
	var ps []compose.Problem
	for i := 0; i < 12; i++ {
		ps = append(ps, compose.Problem{File: "compose.yaml", Line: i + 1, Message: "x"})
	}
	out := Problems(ps)
	assert.Contains(t, out.FR, "compose.yaml:10\u00a0: x")
	assert.Contains(t, out.EN, "compose.yaml:10: x")
	assert.NotContains(t, out.FR+out.EN, "compose.yaml:11")
	assert.Contains(t, out.FR, "… et 2 autres")
	assert.Contains(t, out.EN, "… and 2 more")
	assert.Equal(t, "0.0.0.0", OrAll(""))
	assert.Equal(t, "127.0.0.1", OrAll("127.0.0.1"))
}

// TestDownKeepsNamedDropsAnonymous: `down` without volumes keeps the project's named volumes
// but removes the anonymous ones its containers mounted, which nothing would find again.
func TestDownKeepsNamedDropsAnonymous(t *testing.T) {
	anon := strings.Repeat("ab", 32)
	var removed []string
	var downs []bool
	fake := &enginefake.Fake{
		ComposerValue: &enginefake.Composer{DownFn: func(_ context.Context, _ *types.Project, v bool) error { downs = append(downs, v); return nil }},
		ListContainersFn: func(_ context.Context, f engine.ContainerFilter) ([]engine.ContainerSummary, error) {
			if slices.Contains(f.Labels, "com.docker.compose.service=db") {
				return []engine.ContainerSummary{{ID: "db1", Name: "run-db-1"}}, nil
			}
			return nil, nil
		},
		InspectContainerFn: func(context.Context, string) (engine.Container, error) {
			return engine.Container{ID: "db1", Mounts: []engine.Mount{
				{Type: "volume", Source: "run_dbdata", Destination: "/data"},
				{Type: "volume", Source: anon, Destination: "/cache"},
				{Type: "bind", Source: "/x", Destination: "/y"},
			}}, nil
		},
		RemoveFn: func(_ context.Context, r engine.Ref) error {
			removed = append(removed, string(r.Kind)+" "+r.ID)
			return nil
		},
	}
	r := &grader.Run{ID: "0123456789abcdef0123", Spec: &lab.Spec{Lab: "lab8"}, Engine: fake, Cleanup: &grader.Cleanup{}, Detail: func(string) {}}
	s := New(r, compose.Allow{})
	s.Loaded = &compose.Loaded{Project: &types.Project{Name: "run", Services: types.Services{"db": {Name: "db"}, "web": {Name: "web"}}}}
	require.NoError(t, s.Down(context.Background(), false))
	assert.Equal(t, []bool{false}, downs)
	assert.Equal(t, []string{"volume " + anon}, removed)

	removed = nil
	require.NoError(t, s.Down(context.Background(), true))
	assert.Empty(t, removed, "down -v removes them all itself")
}
