package lab08

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

// fakeState is lab 8's state on a fake engine whose Compose does nothing and whose events
// are evs, with a project whose dependencies are conds (api→db, web→api).
func fakeState(t *testing.T, conds [2]string, evs func(since time.Time) []engine.Event) *state {
	t.Helper()
	fake := &enginefake.Fake{
		ComposerValue: &enginefake.Composer{
			UpFn:   func(context.Context, *types.Project, engine.UpOptions) error { return nil },
			DownFn: func(context.Context, *types.Project, bool) error { return nil },
		},
		EventsFn: func(_ context.Context, f engine.EventFilter) ([]engine.Event, error) {
			assert.Equal(t, []string{"com.docker.compose.project=lab8-0123456789ab"}, f.Labels)
			return evs(f.Since), nil
		},
	}
	r := &grader.Run{ID: "0123456789abcdef0123", Spec: &lab.Spec{Lab: "lab8"}, Engine: fake, Cleanup: &grader.Cleanup{},
		Progress: func(string) {}, Detail: func(string) {}}
	t.Cleanup(func() { r.Cleanup.Run(context.Background()) })
	dep := func(c string) types.ServiceDependency { return types.ServiceDependency{Condition: c} }
	p := &types.Project{Name: r.ProjectName(), Services: types.Services{
		api: {Name: api, DependsOn: types.DependsOnConfig{db: dep(conds[0])}},
		web: {Name: web, DependsOn: types.DependsOnConfig{api: dep(conds[1])}},
		db:  {Name: db},
	}}
	s := &state{run: r, sess: composelab.New(r, compose.Allow{}), upTimeout: time.Minute, healthWait: time.Minute}
	s.sess.Loaded = &compose.Loaded{Project: p}
	return s
}

func event(svc, action string, at time.Time) engine.Event {
	return engine.Event{Type: "container", Action: action, Time: at, Attrs: map[string]string{"com.docker.compose.service": svc}}
}

func TestDependsHealthy(t *testing.T) {
	healthy := types.ServiceConditionHealthy
	ordered := func(first, second string) func(time.Time) []engine.Event {
		return func(since time.Time) []engine.Event {
			a, b := since.Add(time.Second), since.Add(2*time.Second)
			evs := map[string]engine.Event{
				"db": event(db, "health_status: healthy", a), "api": event(api, "start", a),
			}
			first, second := evs[first], evs[second]
			first.Time, second.Time = a, b
			return []engine.Event{event(db, "start", since), first, second}
		}
	}
	tests := []struct {
		name  string
		conds [2]string
		evs   func(time.Time) []engine.Event
		want  check.Status
		msg   string
	}{
		{"db healthy, then api starts", [2]string{healthy, healthy}, ordered("db", "api"), check.Pass, "db sain, puis api"},
		{"api starts before db is healthy", [2]string{healthy, healthy}, ordered("api", "db"), check.Fail, "avant que db soit sain"},
		{"db never healthy", [2]string{healthy, healthy}, func(s time.Time) []engine.Event { return []engine.Event{event(api, "start", s)} }, check.Fail, "jamais devenu sain"},
		{"service_started only", [2]string{types.ServiceConditionStarted, healthy}, ordered("db", "api"), check.Fail, "api.depends_on.db"},
		{"web does not wait", [2]string{healthy, ""}, ordered("db", "api"), check.Fail, "web.depends_on.api"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fakeState(t, tt.conds, tt.evs)
			o, err := s.checkDependsHealthy(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR, tt.msg)
		})
	}
}
