package lab13

import (
	"context"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/compose"
	"github.com/ddlab/grade/internal/composelab"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/engine/enginefake"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/lab"
)

// fakeState is lab 13's state on a fake engine: Compose does nothing and the engine has no
// container, so only what the checks read from the file decides.
func fakeState(t *testing.T, p *types.Project) *state {
	t.Helper()
	fake := &enginefake.Fake{
		ComposerValue: &enginefake.Composer{
			UpFn:   func(context.Context, *types.Project, engine.UpOptions) error { return nil },
			DownFn: func(context.Context, *types.Project, bool) error { return nil },
		},
		ListContainersFn: func(context.Context, engine.ContainerFilter) ([]engine.ContainerSummary, error) { return nil, nil },
	}
	r := &grader.Run{ID: "0123456789abcdef0123", Spec: &lab.Spec{Lab: "lab13"}, Engine: fake, Cleanup: &grader.Cleanup{},
		Progress: func(string) {}, Detail: func(string) {}}
	t.Cleanup(func() { r.Cleanup.Run(context.Background()) })
	p.Name = r.ProjectName()
	s := &state{run: r, sess: composelab.New(r, compose.Allow{}), upTimeout: time.Minute, healthWait: time.Minute, port: 8093}
	s.sess.Loaded = &compose.Loaded{Project: p}
	return s
}

func str(s string) *string { return &s }

func TestStaticParts(t *testing.T) {
	routes := func(r string) *types.Project {
		return &types.Project{Services: types.Services{gateway: {Name: gateway, Environment: types.MappingWithEquals{"ROUTES": str(r)}}}}
	}
	port := func(svc, ip, published string) *types.Project {
		return &types.Project{Services: types.Services{svc: {Name: svc, Ports: []types.ServicePortConfig{{HostIP: ip, Published: published, Target: 8080}}}}}
	}
	tests := []struct {
		name  string
		check func(*state) func(context.Context) (check.Outcome, error)
		p     *types.Project
		want  check.Status
		msg   string
	}{
		{"IP literal in ROUTES", func(s *state) func(context.Context) (check.Outcome, error) { return s.checkDiscovery },
			routes("/api/catalog=http://172.29.13.11:8080"), check.Fail, "172.29.13.11"},
		{"names in ROUTES, then no catalog running", func(s *state) func(context.Context) (check.Outcome, error) { return s.checkDiscovery },
			routes("/api/catalog=http://catalog:8080"), check.Fail, "catalog ne tourne pas"},
		{"a database declares a port", func(s *state) func(context.Context) (check.Outcome, error) { return s.checkGatewayOnly },
			port(ordersDB, "", "18094"), check.Fail, "orders-db déclare des ports publiés (0.0.0.0:18094)"},
		{"gateway declares its port but nothing runs", func(s *state) func(context.Context) (check.Outcome, error) { return s.checkGatewayOnly },
			port(gateway, "127.0.0.1", "8093"), check.Fail, "ne publie pas 127.0.0.1:8093"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fakeState(t, tt.p)
			o, err := tt.check(s)(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR, tt.msg)
		})
	}
}

func TestWrappersAreNotTheService(t *testing.T) {
	for _, argv0 := range []string{"sh", "bash", "supervisord", "tini"} {
		assert.True(t, wrappers[argv0], argv0)
	}
	assert.False(t, wrappers["service"])
}
